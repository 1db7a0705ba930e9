"""In a window: a studio check refuses the sidebar's publish and offers its repair; the panel
shows the check's message and a "Repair and publish" button; that button's publish repairs the
scene in Blender and publishes. Screenshots the panel after each publish.

Args: a JSON file with zip, task, review_session, comment, screenshots, frame_end (the scene's
last frame, the task's). Prints RESULT {refused,
repaired}: each the outcome, status, headline, repairs offered, the panel's labels and buttons,
and the report; and ``ticket``, the scene's "ticket" property at the end.
"""

import json
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import bpy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ui_clicks import Recorder, grab_window, show_ftrack_tab, view3d

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
shots = Path(options["screenshots"])
bpy.ops.preferences.addon_install(filepath=options["zip"])
import addon_utils  # noqa: E402

addon_utils.enable("ft_dcc_blender", default_set=True)
settings = bpy.context.scene.ftrack_publish
settings.task = options["task"]
settings.review_session = options["review_session"]
settings.comment = options["comment"]
bpy.context.scene.frame_end = options["frame_end"]  # the shot's range, as the task has it
wm = bpy.context.window_manager
#: each publish is waited for until it ends, or for 600 s at most (a busy machine is slow)
state = {"result": {}}
panel = sys.modules[next(m for m in sys.modules if m.endswith("ft_dcc_blender.panel"))]


def drawn():
    """The labels and buttons the panel draws now."""
    labels, buttons = [], []
    panel.FTDCC_PT_publish.draw(
        SimpleNamespace(layout=Recorder(labels, None, buttons)), bpy.context
    )
    return labels, buttons


def click_publish(name, **properties):
    """As a click on a sidebar button whose operator is ftdcc.publish (``properties`` are the
    button's): the operator runs in the sidebar region, then wait for it to end."""
    window, area, sidebar = view3d()
    with bpy.context.temp_override(window=window, area=area, region=sidebar):
        try:
            bpy.ops.ftdcc.publish("INVOKE_DEFAULT", **properties)
        except RuntimeError:
            pass  # a publish refused at once: the panel says why
    state["give_up_at"] = time.monotonic() + 600
    bpy.app.timers.register(lambda: wait(name), first_interval=0.5)


def wait(name):
    if wm.ftdcc_busy and time.monotonic() < state["give_up_at"]:
        return 0.05
    view3d()[1].tag_redraw()
    bpy.app.timers.register(lambda: after(name), first_interval=1.0)
    return None


def after(name):
    """Scroll the sidebar to the panel's end (its outcome), then look at it."""
    window, _area, sidebar = view3d()
    x, y = sidebar.x + sidebar.width // 2, sidebar.y + sidebar.height // 2
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
    for _ in range(12):
        window.event_simulate(type="WHEELDOWNMOUSE", value="PRESS", x=x, y=y)
    sidebar.tag_redraw()
    bpy.app.timers.register(lambda: look(name), first_interval=1.0)
    return None


def look(name):
    grab_window(shots / f"panel-{name}.png")
    labels, buttons = drawn()
    state["result"][name] = {
        "outcome": wm.ftdcc_outcome,
        "status": wm.ftdcc_status,
        "headline": wm.ftdcc_headline,
        "repairs": json.loads(wm.ftdcc_repairs or "[]"),
        "labels": labels,
        "buttons": buttons,
        "report": json.loads(wm.ftdcc_report) if wm.ftdcc_report else None,
    }
    if name == "refused":
        (repair,) = [b for b in buttons if b["text"] == "Repair and publish"] or [None]
        if repair is not None and repair["idname"] == "ftdcc.publish":
            click_publish("repaired", **repair["set"])  # the button's own operator and values
            return None
    state["result"]["ticket"] = bpy.data.scenes[0].get("ticket")
    print("\nRESULT " + json.dumps(state["result"]), flush=True)
    os._exit(0)


def start():
    show_ftrack_tab()
    bpy.app.timers.register(lambda: click_publish("refused"), first_interval=1.0)
    return None


bpy.app.timers.register(start, first_interval=1.0)
