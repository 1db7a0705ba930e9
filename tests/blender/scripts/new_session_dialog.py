"""In a window: publish into a misspelt review session with the sidebar's button (invoke, modal);
the refusal opens the "Create a new review session?" dialog. Screenshots the dialog.

Args: a JSON file with zip, task, review_session, screenshots. Prints RESULT {outcome, status}.
"""

import json
import os
import sys
import time
from pathlib import Path

import bpy

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
bpy.ops.preferences.addon_install(filepath=options["zip"])
import addon_utils  # noqa: E402

addon_utils.enable("ft_dcc_blender", default_set=True)
settings = bpy.context.scene.ftrack_publish
settings.task = options["task"]
settings.review_session = options["review_session"]
wm = bpy.context.window_manager
#: the publish is waited for until it ends, or for 600 s at most (a busy machine is slow)
state = {"give_up_at": time.monotonic() + 600}


def view3d():
    window = wm.windows[0]
    area = max(
        (a for a in window.screen.areas if a.type == "VIEW_3D"), key=lambda a: a.width * a.height
    )
    return window, area


def start():
    window, area = view3d()
    # the dialog opens under the mouse: put it over the viewport, as an artist's would be
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=640, y=560)
    # as a click on the sidebar's button: the operator runs in the sidebar region (a publish
    # whose context has no region captures through an override: see modal_capture.py)
    sidebar = next(r for r in area.regions if r.type == "UI")
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
    window, area = view3d()
    with bpy.context.temp_override(window=window, area=area):
        bpy.ops.wm.redraw_timer(type="DRAW_WIN_SWAP", iterations=1)
        bpy.ops.screen.screenshot(filepath=str(Path(options["screenshots"]) / "dialog.png"))
    result = {"outcome": wm.ftdcc_outcome, "status": wm.ftdcc_status}
    print("\nRESULT " + json.dumps(result), flush=True)
    os._exit(0)


bpy.app.timers.register(start, first_interval=1.0)
