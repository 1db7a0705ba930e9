"""Install the add-on zip the way an artist would and check what got registered.

Args: ZIP MODE (extension | legacy). Prints RESULT {...}.
"""

import importlib.util
import json
import sys

import bpy

zip_path, mode = sys.argv[sys.argv.index("--") + 1 :][:2]
if mode == "extension":
    installed = bpy.ops.extensions.package_install_files(
        filepath=zip_path, repo="user_default", enable_on_install=True
    )
    module = "bl_ext.user_default.ft_dcc_blender"
else:
    import addon_utils  # importable once bpy is

    installed = bpy.ops.preferences.addon_install(filepath=zip_path)
    addon_utils.enable("ft_dcc_blender", default_set=True)
    module = "ft_dcc_blender"

addon = sys.modules.get(module)
settings = bpy.context.scene.ftrack_publish
print(
    "RESULT "
    + json.dumps(
        {
            "installed": sorted(installed),
            "blender": bpy.app.version_string,
            "module_file": getattr(addon, "__file__", None),
            "enabled": module in bpy.context.preferences.addons,
            "operator": hasattr(bpy.types, "FTDCC_OT_publish") and bpy.ops.ftdcc.publish.poll(),
            "panel_category": bpy.types.FTDCC_PT_publish.bl_category,
            "settings": [
                settings.use_scene_range,
                settings.review_session,
                settings.camera is None,
            ],
            "ft_dcc_found": importlib.util.find_spec("ft_dcc") is not None,
            "ft_dcc_file": getattr(importlib.util.find_spec("ft_dcc"), "origin", None),
        }
    )
)
