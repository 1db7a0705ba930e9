"""Choose the task in the installed add-on's search popup, as an artist does.

Args: a JSON file with zip, screenshots (a folder), typed (what the artist types into the
search) and tick (cameras whose "Review" box the artist ticks). In a window (Xvfb): shows the
ftrack tab, refreshes the tasks, takes a screenshot of the panel (panel.png: the camera list),
opens the Task search popup, types, takes a screenshot, presses Return, and prints RESULT
{choices, task, labels, settings, blender}; ``labels`` are the (text, icon) of every label the
ftrack panels draw.

No ``bpy.ops`` call here runs under a context override while another Python thread runs (the
add-on's settings preview reads in a worker thread): Blender 3.4 then reads the override's
members without Python's lock (``BPY_context_member_get`` asks ``PyC_IsInterpreterActive``,
true whenever any thread holds the lock on Python 3.11) and crashed, in the worker, under load.
The screenshots wait for the main loop to draw the window instead of ``wm.redraw_timer``.
"""

import json
import os
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import bpy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ui_clicks import Recorder, grab_window

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
bpy.ops.preferences.addon_install(filepath=options["zip"])
import addon_utils  # noqa: E402

addon_utils.enable("ft_dcc_blender", default_set=True)
for name in options.get("tick", []):
    bpy.data.objects[name].ftrack_review = True


def module(name):
    return sys.modules[next(m for m in sys.modules if m.endswith(f"ft_dcc_blender.{name}"))]


picker, panel, feedback = module("task_picker"), module("panel"), module("feedback")
wm = bpy.context.window_manager
state = {}


CHECKBOXES = []  # [camera name, ticked] of the last drawing


def drawn_labels():
    """{panel: [[text, icon]]} of the publish panel and its feedback sub-panel."""
    CHECKBOXES.clear()
    labels = {}
    panels = (("publish", panel.FTDCC_PT_publish), ("feedback", feedback.FTDCC_PT_feedback))
    for name, cls in panels:
        labels[name] = []
        cls.draw(SimpleNamespace(layout=Recorder(labels[name], CHECKBOXES)), bpy.context)
    return labels


def view3d():
    window = wm.windows[0]
    area = max(
        (a for a in window.screen.areas if a.type == "VIEW_3D"), key=lambda a: a.width * a.height
    )
    return window, area, next(r for r in area.regions if r.type == "UI")


def setup():
    _window, area, _region = view3d()
    area.spaces.active.show_region_ui = True
    area.tag_redraw()
    bpy.app.timers.register(click_ftrack_tab, first_interval=0.5)
    return None


def click_ftrack_tab():
    """Blender 3.4 cannot select a sidebar tab from Python: click it (as feedback_panel.py),
    again until the publish panel has drawn (a busy machine may miss a click)."""
    window, _area, region = view3d()
    if hasattr(region, "active_panel_category"):
        region.active_panel_category = "ftrack"  # Blender 4.1+
    elif "timer" not in state:
        state["timer"] = wm.event_timer_add(0.1, window=window)
    x, y = region.x + region.width - 10, region.y + region.height - 155
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
    bpy.app.timers.register(lambda: press(window, x, y), first_interval=0.5)
    bpy.app.timers.register(wait_for_panel, first_interval=1.0)
    return None


def wait_for_panel():
    if DRAWN:
        bpy.app.timers.register(refresh, first_interval=0.1)
        return None
    state["clicks"] = state.get("clicks", 0) + 1
    if state["clicks"] > 30:
        finish()
    return click_ftrack_tab()


DRAWN = []
_draw = panel.FTDCC_PT_publish.draw


def draw_and_note(self, context):
    DRAWN.append(True)
    return _draw(self, context)


panel.FTDCC_PT_publish.draw = draw_and_note


def press(window, x, y, kind="LEFTMOUSE"):
    window.event_simulate(type=kind, value="PRESS", x=x, y=y)
    window.event_simulate(type=kind, value="RELEASE", x=x, y=y)
    return None


def refresh():
    _window, area, _region = view3d()
    state["refreshed"] = sorted(bpy.ops.ftdcc.task_refresh())  # needs no window: no override
    state["labels"] = drawn_labels()
    area.tag_redraw()
    bpy.app.timers.register(shoot_panel, first_interval=0.5)
    return None


DRAWS = []  # an item each time the 3D view draws (the whole window is drawn in that pass)
bpy.types.SpaceView3D.draw_handler_add(lambda: DRAWS.append(True), (), "WINDOW", "POST_PIXEL")
#: how long the window may take to draw, or the add-on's worker to finish, on a loaded machine
DEADLINE = 120.0


def after(condition, then, what):
    """Run ``then`` from a timer once ``condition()`` holds (``finish`` saying ``what`` did not
    happen after :data:`DEADLINE` seconds)."""
    deadline = time.monotonic() + DEADLINE

    def poll():
        if condition():
            return then()
        if time.monotonic() > deadline:
            state["stuck"] = what
            finish()
        return 0.1

    bpy.app.timers.register(poll, first_interval=0.1)


def screenshot(name, then):
    """Have the main loop draw the window, save what the X server shows as ``name`` in the
    screenshots folder, then run ``then`` (not ``bpy.ops.screen.screenshot`` nor
    ``wm.redraw_timer``: operators under a context override; see the module's docstring)."""
    drawn = len(DRAWS)
    for area in view3d()[0].screen.areas:
        area.tag_redraw()

    def shoot():
        grab_window(Path(options["screenshots"]) / name)
        return then()

    # a timer runs after the loop's drawing pass: the window (popups too) is drawn and swapped
    after(lambda: len(DRAWS) > drawn, shoot, f"the window drawn for {name}")


def threads_idle():
    """No Python thread but the main one runs (the add-on's settings preview has finished)."""
    return all(t is threading.main_thread() for t in threading.enumerate())


def shoot_panel():
    """The panel after the refresh (the camera list, the connection row), then the popup."""
    screenshot("panel.png", lambda: after(threads_idle, open_popup, "the preview worker's end"))
    return None


def open_popup():
    window, area, region = view3d()
    with bpy.context.temp_override(window=window, area=area, region=region):
        x, y = region.x + region.width // 2, region.y + region.height - 200
        window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
        picker._items.clear()  # filled again when the popup lists the tasks
        state["opened"] = sorted(bpy.ops.ftdcc.task_search("INVOKE_DEFAULT"))
    area.tag_redraw()
    bpy.app.timers.register(type_filter, first_interval=0.2)
    return None


def type_filter():
    """Type once the popup has listed the tasks."""
    if not picker._items:
        return 0.2
    window, _area, region = view3d()
    x, y = region.x + region.width // 2, region.y + region.height - 200
    for char in options["typed"]:
        kind = {" ": "SPACE"}.get(char, char.upper())
        window.event_simulate(type=kind, value="PRESS", x=x, y=y, unicode=char)
        window.event_simulate(type=kind, value="RELEASE", x=x, y=y)
    bpy.app.timers.register(shoot, first_interval=0.5)
    return None


def shoot():
    screenshot("task-picker.png", choose)
    return None


def choose():
    window, _area, region = view3d()
    press(window, region.x + region.width // 2, region.y + region.height - 200, "RET")
    bpy.app.timers.register(wait_for_choice, first_interval=0.2)
    return None


def wait_for_choice():
    """Finish once Return filled the Task field (or after 60 s, to report what happened)."""
    state["waits"] = state.get("waits", 0) + 1
    if bpy.context.scene.ftrack_publish.task or state["waits"] > 300:
        screenshot("task-chosen.png", finish)
        return None
    return 0.2


def finish():
    choices = [
        {"path": c.path, "recent": c.recent, "from_scene": c.from_scene}
        for c in picker.STATE["choices"]
    ]
    result = {
        "choices": choices,
        "refreshed": state.get("refreshed"),
        "opened": state.get("opened"),
        "message": picker.STATE["message"],
        "settings": picker.STATE["settings"],
        "labels": state.get("labels"),
        "labels_chosen": drawn_labels(),
        "checkboxes": CHECKBOXES,
        "task": bpy.context.scene.ftrack_publish.task,
        "blender": bpy.app.version_string,
        "stuck": state.get("stuck"),
    }
    print("RESULT " + json.dumps(result), flush=True)
    os._exit(0)


bpy.app.timers.register(setup, first_interval=1.0)
