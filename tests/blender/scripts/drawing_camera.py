"""Show a note's drawing made on the turntable camera's version, then look through each camera.

Args: a JSON file with zip, task, screenshots (a folder), content (the note) and turntable (the
camera the drawn-on version was captured through). In a window (Xvfb): adds that camera beside
the scene camera ("Camera", the shot camera), reads the feedback, shows the drawing, then takes
screenshots looking through the shot camera ("through-shot"), through the turntable camera
("through-turntable") and, the drawing hidden, through it again ("hidden"). Prints RESULT
{show, viewed_after_show, viewed, blender}.
"""

import json
import os
import sys
import traceback
from pathlib import Path

import bpy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ui_clicks import run_in_view, screenshot, view3d

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
bpy.ops.preferences.addon_install(filepath=options["zip"])
import addon_utils  # noqa: E402

addon_utils.enable("ft_dcc_blender", default_set=True)
feedback = sys.modules[next(m for m in sys.modules if m.endswith("ft_dcc_blender.feedback"))]
scene = bpy.context.scene
shot = scene.camera
turntable = bpy.data.objects.new(options["turntable"], shot.data.copy())
turntable.matrix_world = shot.matrix_world  # the same picture: only the camera's name differs
scene.collection.objects.link(turntable)
scene.ftrack_publish.task = options["task"]
shots = Path(options["screenshots"])
result = {"viewed": {}, "blender": bpy.app.version_string}


def viewed_camera():
    """The camera the 3D view looks through (None: a free view)."""
    space = view3d()[1].spaces.active
    if space.region_3d.view_perspective != "CAMERA":
        return None
    camera = space.camera if space.use_local_camera else scene.camera
    return camera.name if camera else None


def look_through(camera):
    space = view3d()[1].spaces.active
    space.use_local_camera = camera is not scene.camera
    space.camera = camera
    space.region_3d.view_perspective = "CAMERA"


def shoot(name):
    screenshot(shots / f"{name}.png")
    result["viewed"][name] = viewed_camera()


def steps():
    try:
        result["refresh"] = run_in_view(bpy.ops.ftdcc.feedback_refresh)
        rows = feedback.STATE["rows"]
        index = next(
            i for i, r in enumerate(rows) if r.kind == "note" and r.content == options["content"]
        )
        result["show"] = run_in_view(bpy.ops.ftdcc.feedback_drawing, index=index, show=True)
        result["viewed_after_show"] = viewed_camera()
        look_through(shot)
        shoot("through-shot")
        look_through(turntable)
        shoot("through-turntable")
        result["hide"] = run_in_view(bpy.ops.ftdcc.feedback_drawing, index=index, show=False)
        shoot("hidden")
    except Exception:
        result["error"] = traceback.format_exc()
    print("RESULT " + json.dumps(result), flush=True)
    os._exit(0)


bpy.app.timers.register(steps, first_interval=2.0)
