"""Several cameras in one publish: a "Review" checkbox on each camera, listed in the panel.

Each ticked camera becomes its own version (named by the settings' ``naming.asset`` template,
e.g. ``{shot}_{camera}``), all in one all-or-nothing publish. With none ticked, the panel's one
camera (or the scene camera) is published, as before. The box is a property of the camera
object (``Object.ftrack_review``), so it is saved with the .blend like Nuke's review knob.
"""

from __future__ import annotations

from typing import List

import bpy

PROPERTY = "ftrack_review"


def scene_cameras(scene) -> List:
    """The scene's camera objects, by name."""
    return sorted((o for o in scene.objects if o.type == "CAMERA"), key=lambda o: o.name)


def ticked(scene) -> List[str]:
    """The names of the scene's cameras whose "Review" box is ticked."""
    return [o.name for o in scene_cameras(scene) if getattr(o, PROPERTY, False)]


def draw(layout, scene) -> None:
    """The camera list with a checkbox each (the panel's hook)."""
    found = scene_cameras(scene)
    if len(found) < 2:
        return  # one camera: the picker above says it all
    box = layout.box()
    chosen = ticked(scene)
    # two short lines: the default sidebar cuts a label at about 28 characters
    box.label(text=f"Cameras: {len(chosen)} ticked" if chosen else "Cameras: tick several")
    box.label(text="(one version each)")
    col = box.column(align=True)
    for obj in found:
        col.prop(obj, PROPERTY, text=obj.name)


def register() -> None:
    setattr(
        bpy.types.Object,
        PROPERTY,
        bpy.props.BoolProperty(
            name="Review",
            description="Publish this camera for review: each ticked camera becomes its own "
            "version, all in one publish",
            default=False,
        ),
    )


def unregister() -> None:
    delattr(bpy.types.Object, PROPERTY)
