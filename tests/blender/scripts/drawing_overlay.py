"""Show a note's drawing over the 3D viewport with the installed add-on, and hide it again.

Args: a JSON file with zip, task, screenshots (a folder), content (the note whose drawing to
show) and outside (a frame the drawing is not held on). In a window (Xvfb): reads the feedback,
shows the drawing (the timeline goes to its first frame) and takes screenshots: "with" (on its
first frame), "sidebar" (the same with the sidebar open), "outside" (on ``outside``),
"without" (back on its first frame, hidden). Then, in the same Blender (one start for the
four parts), drawing_overlay_click.py clicks the note's eye button in the panel, as the artist
does, and drawing_camera.py shows the drawing of another task (``camera``: its task and
turntable camera) made on a version captured through another camera than the scene's, and
feedback_panel.py reads a third task's feedback in the panel (``feedback``: task, goto).
Prints RESULT {frames, shown, regions, error, blender, click: {...}, camera: {...},
feedback: {...}}.
"""

import json
import os
import sys
import traceback
from pathlib import Path

import bpy

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
bpy.ops.preferences.addon_install(filepath=options["zip"])
import addon_utils  # noqa: E402

addon_utils.enable("ft_dcc_blender", default_set=True)
feedback = sys.modules[next(m for m in sys.modules if m.endswith("ft_dcc_blender.feedback"))]
overlay = sys.modules[next(m for m in sys.modules if m.endswith("ft_dcc_blender.overlay"))]
connection = sys.modules[next(m for m in sys.modules if m.endswith("ft_dcc_blender.connection"))]
#: the panel's connection row as the add-on starts (the feedback part puts it back)
CONNECTION_AT_START = json.loads(json.dumps(connection.STATE))
bpy.context.scene.ftrack_publish.task = options["task"]
shots = Path(options["screenshots"])
result = {"frames": {}, "shown": {}, "blender": bpy.app.version_string}


def view3d():
    window = bpy.context.window_manager.windows[0]
    area = max(
        (a for a in window.screen.areas if a.type == "VIEW_3D"), key=lambda a: a.width * a.height
    )
    return window, area


def run(operator, **kwargs):
    window, area = view3d()
    with bpy.context.temp_override(window=window, area=area):
        return sorted(operator(**kwargs))


def shoot(name):
    window, area = view3d()
    with bpy.context.temp_override(window=window, area=area):
        bpy.ops.wm.redraw_timer(type="DRAW_WIN_SWAP", iterations=1)
        bpy.ops.screen.screenshot(filepath=str(shots / f"{name}.png"))
    result["frames"][name] = bpy.context.scene.frame_current
    result["shown"][name] = sorted(overlay.SHOWN)


def regions(window, area):
    """The viewport's regions as the screenshot has them: {type: [left, top, width, height]}
    in pixels of the window (y down), and whether regions overlap the viewport."""
    boxes = {
        r.type: [r.x, window.height - r.y - r.height, r.width, r.height]
        for r in area.regions
        if r.type in ("WINDOW", "UI", "TOOLS")
    }
    boxes["overlap"] = bpy.context.preferences.system.use_region_overlap
    return boxes


def steps():
    result["refresh"] = run(bpy.ops.ftdcc.feedback_refresh)
    rows = feedback.STATE["rows"]
    index = next(
        i for i, r in enumerate(rows) if r.kind == "note" and r.content == options["content"]
    )
    result["show"] = run(bpy.ops.ftdcc.feedback_drawing, index=index, show=True)
    shoot("with")
    window, area = view3d()
    area.spaces.active.show_region_ui = True  # the sidebar (N), over the viewport's right end
    shoot("sidebar")
    result["regions"] = regions(window, area)
    area.spaces.active.show_region_ui = False
    first = bpy.context.scene.frame_current
    bpy.context.scene.frame_set(int(options["outside"]))
    shoot("outside")
    bpy.context.scene.frame_set(first)
    result["hide"] = run(bpy.ops.ftdcc.feedback_drawing, index=index, show=False)
    shoot("without")


def steps_then_clicks():
    try:
        steps()
        result["error"] = None
    except Exception:
        result["error"] = traceback.format_exc()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import drawing_overlay_click

    drawing_overlay_click.start(options, clicked)


def clicked(click_result):
    """After the clicks: the drawing made on the turntable camera's version (its own task)."""
    result["click"] = click_result
    import drawing_camera

    drawing_camera.start(dict(options, **options["camera"]), looked)


def looked(camera_result):
    """After the cameras: the feedback panel of a third task, read and a note chosen."""
    result["camera"] = camera_result
    import feedback_panel

    feedback_panel.start(dict(options, **options["feedback"]), done, CONNECTION_AT_START)


def done(feedback_result):
    result["feedback"] = feedback_result
    print("RESULT " + json.dumps(result), flush=True)
    os._exit(0)


bpy.app.timers.register(steps_then_clicks, first_interval=2.0)
