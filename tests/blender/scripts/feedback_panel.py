"""Read review feedback in the installed add-on's "Review feedback" sub-panel and choose a note:
the last part of drawing_overlay.py's run (one windowed Blender for the feedback tests), which
imports this module once the add-on is enabled and calls ``start(options, done, connection)``.

Options: task, screenshots (a folder) and goto (the frame of the note to choose). Puts the
panel's connection row back as the add-on had it when enabled (``connection``: not checked
yet), goes to the scene's first frame, opens the sidebar, shows the ftrack tab, refreshes the
feedback, scrolls from the top down to it, takes a screenshot, chooses the note; then
``done({rows, frame_after, message, task, connection, returned, blender})``.
"""

import sys
from pathlib import Path

import bpy

feedback = sys.modules[next(m for m in sys.modules if m.endswith("ft_dcc_blender.feedback"))]
connection = sys.modules[next(m for m in sys.modules if m.endswith("ft_dcc_blender.connection"))]
wm = bpy.context.window_manager
options = {}
state = {}


def view3d():
    window = wm.windows[0]
    area = max(
        (a for a in window.screen.areas if a.type == "VIEW_3D"), key=lambda a: a.width * a.height
    )
    return window, area


def setup():
    _window, area = view3d()
    area.spaces.active.show_region_ui = True
    area.tag_redraw()
    bpy.app.timers.register(click_ftrack_tab, first_interval=0.5)
    return None


def click_ftrack_tab():
    """Blender 3.4 cannot select a sidebar tab from Python: click it (--enable-event-simulate);
    the tabs are Item, Tool, View, ftrack from the top, about 52 px apart at 1x scale."""
    window, area = view3d()
    region = next(r for r in area.regions if r.type == "UI")
    if hasattr(region, "active_panel_category"):
        region.active_panel_category = "ftrack"  # Blender 4.1+
    else:
        # simulated events wait in the queue until some window event wakes the event loop
        state["timer"] = wm.event_timer_add(0.1, window=window)
        x, y = region.x + region.width - 10, region.y + region.height - 155
        window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
        bpy.app.timers.register(lambda: press(window, x, y), first_interval=0.5)
    bpy.app.timers.register(refresh, first_interval=float(options.get("delay", 1.0)))
    return None


def press(window, x, y):
    """The press after the hover was handled: the tab under the mouse is then active."""
    window.event_simulate(type="LEFTMOUSE", value="PRESS", x=x, y=y)
    window.event_simulate(type="LEFTMOUSE", value="RELEASE", x=x, y=y)
    return None


def refresh():
    window, area = view3d()
    with bpy.context.temp_override(window=window, area=area):
        try:
            state["returned"] = sorted(bpy.ops.ftdcc.feedback_refresh())
        except RuntimeError as exc:  # an operator that reports an error raises in a script
            state["returned"] = [str(exc)]
    area.tag_redraw()
    bpy.app.timers.register(scroll, first_interval=1.0)
    return None


def scroll():
    """Scroll the sidebar from its top down to the feedback, below the publish panel (an 800 px
    screen)."""
    window, area = view3d()
    region = next(r for r in area.regions if r.type == "UI")
    with bpy.context.temp_override(window=window, area=area, region=region):
        for _ in range(8):  # to the top (Blender stops there): where an opened scene has it
            bpy.ops.view2d.scroll_up(deltay=300)
        bpy.ops.view2d.scroll_down(deltay=int(options.get("scroll", 400)))
    area.tag_redraw()
    bpy.app.timers.register(shoot, first_interval=1.0)
    return None


def shoot():
    window, area = view3d()
    with bpy.context.temp_override(window=window, area=area):
        bpy.ops.ftdcc.feedback_goto(frame=int(options["goto"]))  # what the note's button runs
        bpy.ops.wm.redraw_timer(type="DRAW_WIN_SWAP", iterations=1)  # draw what changed
        bpy.ops.screen.screenshot(filepath=str(Path(options["screenshots"]) / "feedback-panel.png"))
    rows = [
        {"kind": r.kind, "text": r.text, "frame": r.frame, "depth": r.depth}
        for r in feedback.STATE["rows"]
    ]
    state["done"](
        {
            "rows": rows,
            "returned": state.get("returned"),
            "message": feedback.STATE["message"],
            "task": feedback.STATE["task"],
            "connection": connection.STATE["message"],
            "frame_before": state["frame_before"],
            "frame_after": bpy.context.scene.frame_current,
            "blender": bpy.app.version_string,
        }
    )
    return None


def start(given, done, connection_at_start):
    """Read ``given``'s task's feedback with the connection row as it was at first; ``done``."""
    options.update(given)
    state["done"] = done
    connection.STATE.clear()
    connection.STATE.update(connection_at_start)
    scene = bpy.context.scene
    scene.ftrack_publish.task = options["task"]
    scene.frame_set(scene.frame_start)
    state["frame_before"] = scene.frame_current
    bpy.app.timers.register(setup, first_interval=0.5)
