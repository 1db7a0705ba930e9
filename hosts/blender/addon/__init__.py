"""ftrack review publish: a "Publish for review" button in the 3D View sidebar (tab "ftrack").

Installs as a Blender 4.2+ extension (``blender_manifest.toml``) and as a legacy add-on
(``bl_info``) for Blender 3.4+. The work is done by ft_dcc, found through the add-on's
"ft_dcc path" preference, ``FT_DCC_PYTHONPATH``, or the copy in the zip's ``python`` folder.
"""

bl_info = {
    "name": "ftrack review publish (ft_dcc)",
    "author": "ft_dcc developers",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "3D Viewport > Sidebar > ftrack",
    "description": "Publish playblasts to an ftrack review session in one click",
    "category": "Animation",
}

import bpy  # noqa: E402 - bl_info must come first for Blender

from . import (  # noqa: E402
    cameras,
    farm_op,
    feedback,
    new_session,
    open_notes,
    ops,
    panel,
    paths,
    props,
    task_picker,
)

# feedback: a sub-panel of panel
MODULES = (props, cameras, open_notes, ops, new_session, task_picker, panel, feedback, farm_op)


def register():
    for module in MODULES:
        module.register()
    prefs = props.preferences(bpy.context)
    paths.startup(prefs.ft_dcc_path if prefs else "")


def unregister():
    for module in reversed(MODULES):
        module.unregister()
