"""Click a note's eye button in the feedback panel, as the artist does, to show its drawing over
the 3D viewport, and click it again to hide it: the second part of drawing_overlay.py's run
(one windowed Blender for both), which imports this module once the add-on is enabled and
calls ``start(options, done)``.

Options: task, screenshots (a folder) and content (the note whose drawing to show). In a window
(Xvfb, --enable-event-simulate): shows the ftrack tab, reads the feedback, finds the note's eye
button on screen, clicks it, takes the screenshot "clicked-with", clicks it again, takes
"clicked-without"; then ``done({found, frames, shown, commands, error, blender})``.

Blender 3.4 tells a script no button's position; the button is found as the artist's eye finds
it: the mouse moves up the panel from its end and, at each stop, Ctrl+C copies what is under it
to the clipboard (for an operator's button, its Python command).
"""

import re
import sys
from pathlib import Path

import bpy
from ui_clicks import note_draws, screenshot, view3d


def module(name):
    return sys.modules[next(m for m in sys.modules if m.endswith(f"ft_dcc_blender.{name}"))]


panel, feedback, overlay = module("panel"), module("feedback"), module("overlay")
wm = bpy.context.window_manager
options = {}
state = {"probes": [], "clicks": 0, "waits": 0, "probed": 0}
result = {"frames": {}, "shown": {}, "commands": {}, "blender": bpy.app.version_string}
STEP = 16  # px between probes: less than a button's height (20 px at 1x), so none is missed


def later(function, seconds=0.2):
    bpy.app.timers.register(function, first_interval=seconds)


def press(window, x, y, kind="LEFTMOUSE", **modifiers):
    window.event_simulate(type=kind, value="PRESS", x=x, y=y, **modifiers)
    window.event_simulate(type=kind, value="RELEASE", x=x, y=y, **modifiers)


def setup():
    _window, area, _region = view3d()
    area.spaces.active.show_region_ui = True
    area.tag_redraw()
    later(click_ftrack_tab, 0.5)


DRAWN = note_draws(panel.FTDCC_PT_publish)


def click_ftrack_tab():
    """Blender 3.4 cannot select a sidebar tab from Python: click it (as task_picker.py), again
    until the publish panel has drawn."""
    window, _area, region = view3d()
    if hasattr(region, "active_panel_category"):
        region.active_panel_category = "ftrack"  # Blender 4.1+
    elif "timer" not in state:  # simulated events wait until some window event wakes the loop
        state["timer"] = wm.event_timer_add(0.1, window=window)
    x, y = region.x + region.width - 10, region.y + region.height - 155
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
    later(lambda: press(window, x, y), 0.5)
    later(wait_for_panel, 1.0)


def wait_for_panel():
    if DRAWN:
        later(refresh, 0.1)
        return None
    state["clicks"] += 1
    if state["clicks"] > 30:
        return finish("the ftrack tab never showed")
    return click_ftrack_tab()


def refresh():
    window, area, region = view3d()
    with bpy.context.temp_override(window=window, area=area, region=region):
        result["refresh"] = sorted(bpy.ops.ftdcc.feedback_refresh())
    rows = feedback.STATE["rows"]
    state["index"] = next(
        i for i, r in enumerate(rows) if r.kind == "note" and r.content == options["content"]
    )
    area.tag_redraw()
    state["scrolls"] = 0
    state["refreshed_at"] = len(SIDEBAR_DRAWS)
    later(scroll_to_the_end, 0.1)


def scroll(operator, times=1):
    """Scroll the sidebar (``operator``: down or up, ``times`` times), then look again from the
    region's bottom up."""
    window, area, region = view3d()
    with bpy.context.temp_override(window=window, area=area, region=region):
        for _ in range(times):
            operator(deltay=300)
    area.tag_redraw()
    state["scrolls"] += 1
    state["y"] = region.y + STEP
    later(probe, 0.5)


def scroll_to_the_end():
    """The feedback is below the publish panel, the notes at its end: scroll the sidebar down
    as far as it goes (Blender stops at the panels' end), so the look up from the bottom meets
    the notes' rows first (more than the panels can take: the publish panel grew its open
    notes box, and eight no longer reached the end). Blender knows where the panels end only
    once it has drawn them: scroll again after each drawing of the sidebar (a condition, not
    a delay: on a busy machine the rows the refresh added were drawn after the scroll, below
    it) until a scroll moves it no more."""
    window, area, region = view3d()
    state["end_waits"] = state.get("end_waits", 0) + 1
    if state["end_waits"] > 600:  # a generous 60 s
        return finish("the sidebar never drew after the feedback's refresh")
    if not sidebar_drawn_since(state.get("end_scroll_at")):
        return later(scroll_to_the_end, 0.1)
    top = region.view2d.region_to_view(0, region.height)
    with bpy.context.temp_override(window=window, area=area, region=region):
        for _ in range(40):
            bpy.ops.view2d.scroll_down(deltay=300)
    if region.view2d.region_to_view(0, region.height) == top:
        return scroll(bpy.ops.view2d.scroll_down, times=0)  # at the end: look from the bottom
    state["end_scroll_at"] = len(SIDEBAR_DRAWS)
    area.tag_redraw()
    return later(scroll_to_the_end, 0.1)


#: an item each time the sidebar of a 3D view draws
SIDEBAR_DRAWS = []
bpy.types.SpaceView3D.draw_handler_add(lambda: SIDEBAR_DRAWS.append(True), (), "UI", "POST_PIXEL")


def sidebar_drawn_since(count):
    """The sidebar has drawn since :data:`SIDEBAR_DRAWS` had ``count`` items (None: since
    the feedback was refreshed)."""
    return len(SIDEBAR_DRAWS) > (state["refreshed_at"] if count is None else count)


def eye_command(text):
    """The eye button's command for our note, from a copied Python command (or None)."""
    match = re.match(r"bpy\.ops\.ftdcc\.feedback_drawing\((.*)\)", text or "")
    if match and re.search(rf"\bindex={state['index']}\b", match.group(1)):
        return text
    return None


def probe():
    """Hover the next stop up the panel's right-hand column and copy what is there."""
    window, _area, region = view3d()
    x = region.x + region.width - int(options.get("from_right", 45))
    if state["y"] > region.y + region.height - STEP:
        if state["scrolls"] < 8:  # the publish panel above is long (its settings box)
            return scroll(bpy.ops.view2d.scroll_up)
        return finish("no eye button for the note in the panel")
    wm.clipboard = ""
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=state["y"])
    press(window, x, state["y"], "C", ctrl=True)
    state["probed"] += 1
    later(lambda: read_probe(x), 0.15)


def read_probe(x):
    copied = wm.clipboard
    if copied and copied not in state["probes"]:
        state["probes"].append(copied)
    if eye_command(copied):
        state["eye"] = (x, state["y"])
        result["found"] = {"x": x, "y": state["y"], "command": copied, "probed": state["probed"]}
        later(click_show)
        return None
    state["y"] += STEP
    later(probe, 0.01)


def click_show():
    window, _area, _region = view3d()
    press(window, *state["eye"])
    later(lambda: wait_until(lambda: overlay.SHOWN, after_show), 0.2)


def wait_until(condition, then):
    """Wait for ``condition`` (a generous 60 s), then run ``then``."""
    if condition():
        state["waits"] = 0
        then()
        return None
    state["waits"] += 1
    if state["waits"] > 300:
        return finish("the click did nothing")
    return 0.2


def shoot(name):
    screenshot(Path(options["screenshots"]) / f"{name}.png")
    result["frames"][name] = bpy.context.scene.frame_current
    result["shown"][name] = sorted(overlay.SHOWN)


def copy_command():
    """The command of the button under the eye now (its icon and action flip when clicked)."""
    window, _area, _region = view3d()
    wm.clipboard = ""
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=state["eye"][0], y=state["eye"][1])
    press(window, *state["eye"], "C", ctrl=True)


def after_show():
    shoot("clicked-with")
    copy_command()
    later(click_hide, 0.3)


def click_hide():
    result["commands"]["shown"] = wm.clipboard
    window, _area, _region = view3d()
    press(window, *state["eye"])
    later(lambda: wait_until(lambda: not overlay.SHOWN, after_hide), 0.2)


def after_hide():
    shoot("clicked-without")
    copy_command()
    later(lambda: finish(None), 0.3)


def finish(error):
    result["commands"]["hidden"] = wm.clipboard
    result["error"] = error
    result["probes"] = state["probes"]
    result["index"] = state.get("index")
    if error:
        shoot("clicked-error")
    state["done"](result)


def start(given, done):
    """Run the clicks with ``given`` options, from the scene's first frame (not the drawing's);
    ``done(result)`` at the end."""
    options.update(given)
    state["done"] = done
    scene = bpy.context.scene
    scene.frame_set(scene.frame_start)
    result["frame_before"] = scene.frame_current
    later(setup, 1.0)
