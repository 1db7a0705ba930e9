"""Build a small animated scene (a bouncing, spinning cube seen by a camera) and save it.

Run inside Blender or with the ``bpy`` module, arguments as JSON after ``--``::

    blender -b --factory-startup --python-exit-code 1 -P demo_scene.py -- '{"path": "x.blend"}'
    python demo_scene.py -- options.json

Keys (all optional but ``path``): frame_start, frame_end, fps, fps_base, width, height,
camera (bool), save (bool).
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, Dict

import bpy


def build(
    path: str = "",
    frame_start: int = 1001,
    frame_end: int = 1048,
    fps: int = 24,
    fps_base: float = 1.0,
    width: int = 1280,
    height: int = 720,
    camera: bool = True,
    save: bool = True,
) -> Any:
    """Replace the open file with the demo scene; save it to ``path`` when ``save``."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.name = "ft_dcc demo"
    scene.frame_start, scene.frame_end = frame_start, frame_end
    scene.frame_current = frame_start
    scene.render.fps, scene.render.fps_base = fps, fps_base
    scene.render.resolution_x, scene.render.resolution_y = width, height
    scene.render.resolution_percentage = 100

    bpy.ops.mesh.primitive_plane_add(size=12, location=(0, 0, 0))
    floor = bpy.context.object
    floor.name = "floor"
    floor.color = (0.35, 0.38, 0.42, 1.0)
    bpy.ops.mesh.primitive_cube_add(size=1.5, location=(0, 0, 0.75))
    cube = bpy.context.object
    cube.name = "hero"
    cube.color = (0.9, 0.45, 0.1, 1.0)
    length = max(frame_end - frame_start, 1)
    for step in range(5):
        frame = frame_start + round(length * step / 4)
        cube.location = (-3 + 1.5 * step, 0, 0.75 + 2.0 * abs(math.sin(step * math.pi / 2)))
        cube.rotation_euler = (0, 0, step * math.pi / 4)
        cube.keyframe_insert("location", frame=frame)
        cube.keyframe_insert("rotation_euler", frame=frame)

    bpy.ops.object.light_add(type="SUN", location=(4, -4, 8))
    bpy.context.object.name = "sun"
    if camera:
        bpy.ops.object.camera_add(location=(0, -11, 4.5), rotation=(math.radians(75), 0, 0))
        bpy.context.object.name = "shotCam"
        scene.camera = bpy.context.object
    world = bpy.data.worlds.new("studio")
    world.color = (0.18, 0.2, 0.23)
    scene.world = world
    scene.display.shading.color_type = "OBJECT"
    for screen in bpy.data.screens:  # what a Workbench playblast copies: object colours, studio
        for area in screen.areas:
            if area.type == "VIEW_3D":
                area.spaces.active.shading.color_type = "OBJECT"
    if save and path:
        bpy.ops.wm.save_as_mainfile(filepath=path)
    return scene


def _arguments() -> Dict[str, Any]:
    argv = sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else []
    if not argv:
        return {}
    if argv[0].lstrip().startswith("{"):
        return json.loads(argv[0])
    with open(argv[0], encoding="utf-8") as handle:
        text = handle.read()
    return json.loads(text)


if __name__ == "__main__":
    build(**_arguments())
