"""In a window: publish into a misspelt review session with the sidebar's button (invoke, modal);
the refusal opens the "Create a new review session?" dialog. Screenshots the dialog, then says no
as the farm part does (Esc, then Return where the dialog was: nothing is written), and waits for
a publish that Return would start if one Esc left the question open.

A part of session_dialogs.py's run (the add-on is enabled): ``start(options, done)`` with task,
review_session and screenshots; then ``done({outcome, status})``.
"""

import time
from pathlib import Path

import bpy
from ui_clicks import screenshot, view3d

wm = bpy.context.window_manager
options = {}
state = {}


def start(part_options, done):
    """The panel's task and review session, then the click (a second later)."""
    options.clear()
    options.update(part_options, done=done)
    settings = bpy.context.scene.ftrack_publish
    settings.task = options["task"]
    settings.review_session = options["review_session"]
    #: the publish is waited for until it ends, or for 600 s at most (a busy machine is slow)
    state["give_up_at"] = time.monotonic() + 600
    bpy.app.timers.register(click, first_interval=1.0)


def click():
    window, area, sidebar = view3d()
    # the dialog opens under the mouse: put it over the viewport, as an artist's would be
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=640, y=560)
    # as a click on the sidebar's button: the operator runs in the sidebar region (a publish
    # whose context has no region captures through an override: see modal_capture.py)
    with bpy.context.temp_override(window=window, area=area, region=sidebar):
        bpy.ops.ftdcc.publish("INVOKE_DEFAULT")
    bpy.app.timers.register(wait, first_interval=0.5)
    return None


def wait():
    if wm.ftdcc_busy and time.monotonic() < state["give_up_at"]:
        return 0.05
    bpy.app.timers.register(shoot, first_interval=1.5)
    return None


def shoot():
    screenshot(Path(options["screenshots"]) / "dialog.png")
    window, _area, _sidebar = view3d()
    result = {"outcome": wm.ftdcc_outcome, "status": wm.ftdcc_status}
    for kind in ("ESC", "RET"):  # no: the dialog closes; Return where it was does nothing
        window.event_simulate(type=kind, value="PRESS")
        window.event_simulate(type=kind, value="RELEASE")
    bpy.app.timers.register(lambda: finish(result), first_interval=1.0)
    return None


def finish(result):
    """Once no publish runs (Return on a question still open would have started one)."""
    if wm.ftdcc_busy and time.monotonic() < state["give_up_at"]:
        return 0.05
    options["done"](dict(result, after_no=wm.ftdcc_outcome))
    return None
