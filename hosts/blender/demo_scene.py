"""Build a small animated scene (a bouncing, spinning cube seen by a camera) and save it.

Run inside Blender or with the ``bpy`` module, arguments as JSON after ``--``::

    blender -b --factory-startup --python-exit-code 1 -P demo_scene.py -- '{"path": "x.blend"}'
    python demo_scene.py -- options.json

Keys (all optional but ``path``): frame_start, frame_end, fps, fps_base, width, height,
camera (bool), save (bool), driven (bool).

``driven``: the cube follows drivers of the scene's own frame range (Blender's simple
expressions, evaluated without running Python) instead of keyframes, so a scene whose range is
changed later still animates over all of it: the shipped template ``demo_scene.blend.gz`` is
built so, by the oldest Blender the README supports (3.4), which every newer one reads::

    blender -b --factory-startup -P hosts/blender/demo_scene.py -- \
        '{"path": "/tmp/demo_scene.blend", "driven": true, "fps": 24, "width": 960,
          "height": 540}' && gzip -9 -c /tmp/demo_scene.blend > hosts/blender/demo_scene.blend.gz
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import TYPE_CHECKING, Any, Dict

import bpy

if TYPE_CHECKING:  # pragma: no cover - run as a script in Blender: no package to import from
    from ft_dcc_hosts.blender.untyped import Scene


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
    driven: bool = False,
) -> Scene:
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
    if driven:
        _drive(cube, scene)
    else:
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


#: 0 at the scene's first frame, 1 at its last (``s``, ``e``: driver variables)
SHOT_TIME = "min(max((frame - s) / max(e - s, 1), 0), 1)"
#: the cube's motion over the shot, ``t`` being :data:`SHOT_TIME`
DRIVEN_MOTION = {
    ("location", 0): "-3 + 6 * t",
    ("location", 2): "0.75 + 2 * abs(sin(t * 2 * pi))",
    ("rotation_euler", 2): "t * pi",
}


def _drive(obj: Any, scene: Any) -> None:
    """Drive ``obj`` by simple expressions of the scene's current, first and last frame."""
    for (path, index), motion in DRIVEN_MOTION.items():
        driver = obj.driver_add(path, index).driver
        driver.type = "SCRIPTED"
        for name, prop in (("s", "frame_start"), ("e", "frame_end")):
            variable = driver.variables.new()
            variable.name, variable.type = name, "SINGLE_PROP"
            variable.targets[0].id_type = "SCENE"
            variable.targets[0].id = scene
            variable.targets[0].data_path = prop
        driver.expression = re.sub(r"\bt\b", f"({SHOT_TIME})", motion)


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
