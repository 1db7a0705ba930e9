"""What the sidebar says the publish will use, before the click, then the click itself.

Args: a JSON file with zip, screenshots (a folder), dead_server (a URL nothing answers) and
frame_end (the scene's last frame, the task's: set before anything is drawn, as the artist sets
the shot's range; the publish saves that edit first).
In a window (Xvfb), with only the add-on zip's ft_dcc: shows the ftrack tab and waits (a
condition: the panel's preview is no longer being read, 300 s at most) until the panel shows
what the publish will use; records every label the panel draws and takes panel-preview.png;
clicks "Publish for review" and waits for it to end; then points the add-on's preferences at
``dead_server``, waits for the preview again and takes panel-no-server.png. Prints RESULT
{before, preview, report, outcome, status, no_server, blender}.
"""

import json
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import bpy

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ui_clicks
from ui_clicks import Recorder, view3d

options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
shots = Path(options["screenshots"])
bpy.ops.preferences.addon_install(filepath=options["zip"])
import addon_utils  # noqa: E402

addon_utils.enable("ft_dcc_blender", default_set=True)
bpy.context.scene.frame_end = options["frame_end"]  # the shot's range, the task's
wm = bpy.context.window_manager
state = {"give_up_at": time.monotonic() + 300, "result": {"blender": bpy.app.version_string}}


def module(name):
    found = next((m for m in sys.modules if m.endswith(f"ft_dcc_blender.{name}")), None)
    return sys.modules[found] if found else None


panel = module("panel")


def drawn_labels():
    labels = []
    panel.FTDCC_PT_publish.draw(SimpleNamespace(layout=Recorder(labels)), bpy.context)
    return labels


def preview_state():
    preview = module("preview")  # the add-on's preview of the publish, when it has one
    return dict(preview.STATE) if preview is not None else None


def ready():
    """The panel shows what the publish of the current inputs will use (or the add-on has no
    preview at all)."""
    preview = module("preview")
    if preview is None:
        return time.monotonic() > state["give_up_at"] - 280  # 20 s: nothing will come
    found = preview.STATE
    return found["key"] == preview.key_of(bpy.context) and not found["pending"]


def screenshot(name):
    """The window as the X server shows it: ``bpy.ops.screen.screenshot`` crashed Blender 3.4
    here once (a segmentation fault while the preview's worker thread read the settings)."""
    ui_clicks.grab_window(shots / name)


def press(window, x, y):
    window.event_simulate(type="LEFTMOUSE", value="PRESS", x=x, y=y)
    window.event_simulate(type="LEFTMOUSE", value="RELEASE", x=x, y=y)


def setup():
    _window, area, _region = view3d()
    area.spaces.active.show_region_ui = True
    area.tag_redraw()
    bpy.app.timers.register(click_ftrack_tab, first_interval=0.5)


def click_ftrack_tab():
    """Blender 3.4 cannot select a sidebar tab from Python: click it (as task_picker.py)."""
    window, area, region = view3d()
    if hasattr(region, "active_panel_category"):
        region.active_panel_category = "ftrack"  # Blender 4.1+
    x, y = region.x + region.width - 10, region.y + region.height - 155
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
    press(window, x, y)
    state["before"] = drawn_labels()  # what the first drawing shows (nothing read yet)
    area.tag_redraw()
    bpy.app.timers.register(lambda: wait_then(shoot_preview), first_interval=0.5)


def wait_then(then):
    """Call ``then`` once the preview is ready (redrawing the sidebar meanwhile: only the
    sidebar, where the panel is; the 3D view under it is a software-GL redraw of ~0.2 CPU-s)."""
    _window, _area, sidebar = view3d()
    sidebar.tag_redraw()
    if ready() or time.monotonic() > state["give_up_at"]:
        bpy.app.timers.register(then, first_interval=0.5)
        return None
    return 0.2


def shoot_preview():
    state["result"]["preview"] = drawn_labels()
    state["result"]["preview_state"] = _plain(preview_state())
    screenshot("panel-preview.png")
    window, area, sidebar = view3d()
    # as a click on the sidebar's button: the operator runs in the sidebar region (a publish
    # whose context has no region captures through an override: see modal_capture.py)
    with bpy.context.temp_override(window=window, area=area, region=sidebar):
        state["result"]["returned"] = sorted(bpy.ops.ftdcc.publish("INVOKE_DEFAULT"))
    state["give_up_at"] = time.monotonic() + 600
    bpy.app.timers.register(wait_for_publish, first_interval=0.5)


def wait_for_publish():
    if wm.ftdcc_busy and time.monotonic() < state["give_up_at"]:
        return 0.2
    result = state["result"]
    result["outcome"], result["status"] = wm.ftdcc_outcome, wm.ftdcc_status
    result["report"] = json.loads(wm.ftdcc_report) if wm.ftdcc_report else None
    screenshot("panel-after-publish.png")
    prefs = bpy.context.preferences.addons["ft_dcc_blender"].preferences
    prefs.server_url = options["dead_server"]
    prefs.api_user, prefs.api_key = "nobody", "no-key"
    state["give_up_at"] = time.monotonic() + 300
    bpy.app.timers.register(lambda: wait_then(shoot_no_server), first_interval=0.5)
    return None


def shoot_no_server():
    state["result"]["no_server"] = drawn_labels()
    state["result"]["no_server_state"] = _plain(preview_state())
    screenshot("panel-no-server.png")
    print("RESULT " + json.dumps(state["result"]), flush=True)
    os._exit(0)


def _plain(found):
    return {k: v for k, v in (found or {}).items() if k != "key"}


bpy.app.timers.register(setup, first_interval=1.0)
