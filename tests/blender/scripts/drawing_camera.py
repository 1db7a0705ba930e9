"""Show a note's drawing made on the turntable camera's version, then look through each camera:
the third part of drawing_overlay.py's run (one windowed Blender for the three), which imports
this module once the add-on is enabled and calls ``start(options, done)``.

Options: task, screenshots (a folder), content (the note) and turntable (the camera the
drawn-on version was captured through). Adds that camera beside the scene camera ("Camera", the
shot camera), closes the sidebar, goes to the scene's first frame, reads the feedback, shows the
drawing, then takes screenshots looking through the shot camera ("through-shot"), through the
turntable camera ("through-turntable") and, the drawing hidden, through it again ("hidden");
removes the turntable camera and leaves the view free again, then ``done({show,
viewed_after_show, viewed, error, blender})``.
"""

import sys
import traceback
from pathlib import Path

import bpy
from ui_clicks import run_in_view, screenshot, view3d

feedback = sys.modules[next(m for m in sys.modules if m.endswith("ft_dcc_blender.feedback"))]
scene = bpy.context.scene
options = {}
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
    screenshot(Path(options["screenshots"]) / f"{name}.png")
    result["viewed"][name] = viewed_camera()


def steps(shot, turntable):
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


def start(given, done):
    """Look with ``given`` options from a free view of the scene's first frame, the sidebar
    closed (as the scene opened); ``done(result)`` at the end."""
    options.update(given)
    result["error"] = None
    shot = scene.camera
    turntable = bpy.data.objects.new(options["turntable"], shot.data.copy())
    turntable.matrix_world = shot.matrix_world  # the same picture: only the camera's name differs
    scene.collection.objects.link(turntable)
    scene.ftrack_publish.task = options["task"]
    scene.frame_set(scene.frame_start)
    space = view3d()[1].spaces.active
    space.show_region_ui = False
    view = space.region_3d
    view.view_perspective = "PERSP"
    free_view = (view.view_location.copy(), view.view_rotation.copy(), view.view_distance)
    result["viewed_before"] = viewed_camera()

    def run():
        steps(shot, turntable)
        try:  # the scene and the free view as they were, for what comes next in the window
            look_through(shot)
            view.view_perspective = "PERSP"
            view.view_location, view.view_rotation, view.view_distance = free_view
            bpy.data.objects.remove(turntable)
        except Exception:
            result["error"] = result["error"] or traceback.format_exc()
        done(result)

    bpy.app.timers.register(run, first_interval=0.5)
