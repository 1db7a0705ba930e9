"""In a window: "Publish on the farm" with a misspelt review session, clicked in the sidebar; the
refusal opens the "Create a new review session?" dialog. Screenshots it, answers no (Esc, then
Return where the dialog was: nothing is written), clicks again and answers yes (Return: the OK
button) and waits for the bundle.

A part of session_dialogs.py's run (the add-on is enabled): ``start(options, done)`` with task,
review_session and screenshots; then ``done({after_no, bundle, asked, refused})``: the bundle's
folder after each answer ("" when none), the question each dialog drew, and the errors of clicks
refused without a dialog.
"""

import sys
import time
from pathlib import Path

import bpy
from ui_clicks import screenshot, view3d

wm = bpy.context.window_manager
options = {}
state = {"asked": [], "result": {}, "refused": []}


def start(part_options, done):
    """The panel's task and review session, the dialog's questions noted from now on, then the
    click (a second later)."""
    options.clear()
    options.update(part_options, done=done)
    settings = bpy.context.scene.ftrack_publish
    settings.task = options["task"]
    settings.review_session = options["review_session"]
    note_questions()
    bpy.app.timers.register(first_click, first_interval=1.0)


def note_questions():
    """Keep each question the dialog draws (the dialog's own draw, unchanged)."""
    dialog = sys.modules[next(m for m in sys.modules if m.endswith("ft_dcc_blender.new_session"))]
    draw = dialog.FTDCC_OT_confirm_new_session.draw

    def draw_and_note(self, context):
        if self.farm_question not in state["asked"]:
            state["asked"].append(self.farm_question)
        return draw(self, context)

    dialog.FTDCC_OT_confirm_new_session.draw = draw_and_note


def press(kind):
    window, _area, _sidebar = view3d()
    window.event_simulate(type=kind, value="PRESS")
    window.event_simulate(type=kind, value="RELEASE")


def click_farm():
    """As a click on the sidebar's "Publish on the farm" (the dialog opens under the mouse,
    over the viewport as an artist's would be)."""
    window, area, sidebar = view3d()
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=640, y=560)
    with bpy.context.temp_override(window=window, area=area, region=sidebar):
        try:
            bpy.ops.ftdcc.publish_on_farm("INVOKE_DEFAULT")
        except RuntimeError as exc:  # refused with an error (no dialog): say so at the end
            state["refused"].append(str(exc))


def first_click():
    click_farm()
    bpy.app.timers.register(shoot_then_say_no, first_interval=1.5)


def shoot_then_say_no():
    screenshot(Path(options["screenshots"]) / "farm-dialog.png")
    press("ESC")  # no: the dialog closes
    press("RET")  # where the dialog was: the viewport ignores it
    bpy.app.timers.register(after_no, first_interval=1.0)


def after_no():
    state["result"]["after_no"] = wm.ftdcc_farm_bundle
    click_farm()
    bpy.app.timers.register(say_yes, first_interval=1.5)


def say_yes():
    if not state["asked"]:
        return finish()  # no dialog to answer
    press("RET")  # the dialog's OK button (its default)
    state["give_up_at"] = time.monotonic() + 300
    bpy.app.timers.register(wait_for_bundle, first_interval=0.2)


def wait_for_bundle():
    if not wm.ftdcc_farm_bundle and time.monotonic() < state["give_up_at"]:
        return 0.1
    return finish()


def finish():
    result = dict(state["result"], bundle=wm.ftdcc_farm_bundle, asked=state["asked"],
                  refused=state["refused"])  # fmt: skip
    options["done"](result)
    return None
