"""What the windowed Blender scripts share: the 3D view they drive, its sidebar's ftrack tab,
knowing a panel has drawn, a screenshot of the window, and the steps of a run doing several
things one after the other (a checkpoint the test looks at, the next scene opened)."""

import os
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, List

import bpy


def view3d() -> tuple:
    """(window, area, sidebar region) of the first window's largest 3D view."""
    window = bpy.context.window_manager.windows[0]
    area = max(
        (a for a in window.screen.areas if a.type == "VIEW_3D"), key=lambda a: a.width * a.height
    )
    return window, area, next(r for r in area.regions if r.type == "UI")


def show_ftrack_tab() -> None:
    """Open the 3D view's sidebar on its "ftrack" tab: set where Blender 4.1+ lets Python, else
    (Blender 3.4) click the tab 0.5 s later (--enable-event-simulate)."""
    _window, area, _sidebar = view3d()
    area.spaces.active.show_region_ui = True
    for region in area.regions:
        if region.type == "UI" and hasattr(region, "active_panel_category"):
            region.active_panel_category = "ftrack"  # Blender 4.1+
    bpy.app.timers.register(_click_ftrack_tab, first_interval=0.5)


def _click_ftrack_tab() -> None:
    """Blender 3.4 cannot select a sidebar tab from Python: click it. The tabs are Item, Tool,
    View, ftrack from the top, about 52 px apart at 1x scale."""
    window, _area, region = view3d()
    if hasattr(window, "event_simulate") and not hasattr(region, "active_panel_category"):
        x = region.x + region.width - 10
        y = region.y + region.height - 155
        window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
        window.event_simulate(type="LEFTMOUSE", value="PRESS", x=x, y=y)
        window.event_simulate(type="LEFTMOUSE", value="RELEASE", x=x, y=y)


def note_draws(panel_class: Any) -> List[bool]:
    """A list that gets an item each time ``panel_class`` draws (it is on screen)."""
    drawn: List[bool] = []
    draw = panel_class.draw

    def draw_and_note(self: Any, context: Any) -> Any:
        drawn.append(True)
        return draw(self, context)

    panel_class.draw = draw_and_note
    return drawn


def screenshot(path: Path) -> None:
    """Draw the window and save it as ``path``."""
    window, area, _region = view3d()
    with bpy.context.temp_override(window=window, area=area):
        bpy.ops.wm.redraw_timer(type="DRAW_WIN_SWAP", iterations=1)
        bpy.ops.screen.screenshot(filepath=str(path))


def grab_window(path: Path) -> None:
    """What the X server shows (ffmpeg's x11grab): the window as Blender last drew it, seen from
    outside. For screenshots taken while an operator runs: ``bpy.ops.screen.screenshot`` then
    crashed Blender 3.4 at times (a segmentation fault in a panel's draw)."""
    window = bpy.context.window_manager.windows[0]
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "x11grab", "-video_size",
         f"{window.width}x{window.height}", "-i", f"{os.environ['DISPLAY']}+0,0",
         "-frames:v", "1", str(path)],
        check=True, timeout=60,
    )  # fmt: skip


def run_in_view(operator: Any, **kwargs: Any) -> List[str]:
    """Run ``operator`` in the 3D view's context; its sorted return set."""
    window, area, _region = view3d()
    with bpy.context.temp_override(window=window, area=area):
        return sorted(operator(**kwargs))


class Recorder:
    """A stand-in for a panel's UILayout that keeps the labels drawn on it ([text, icon]) and,
    given ``checkboxes``, each camera's "Review" checkbox ([camera, ticked])."""

    def __init__(self, labels: List[Any], checkboxes: Any = None, buttons: Any = None) -> None:
        self.labels, self.checkboxes, self.buttons = labels, checkboxes, buttons

    def label(self, text: str = "", icon: str = "NONE", **_kw: Any) -> None:
        self.labels.append([text, icon])

    def operator(self, idname: str = "", text: str = "", **_kw: Any) -> Any:
        """A button; given ``buttons``, each is kept as {idname, text, properties set}."""
        from types import SimpleNamespace

        button = SimpleNamespace()
        if self.buttons is not None:
            self.buttons.append({"idname": idname, "text": text, "set": vars(button)})
        return button

    def prop(self, data: Any, name: str, text: str = "", **_kw: Any) -> None:
        if name == "ftrack_review" and self.checkboxes is not None:
            self.checkboxes.append([text, bool(getattr(data, name))])

    def __getattr__(self, _name: str) -> Any:  # row, column, box, separator, ...
        return lambda *a, **kw: Recorder(self.labels, self.checkboxes, self.buttons)


def checkpoint(path: Path, then: Callable[[], Any]) -> None:
    """Say a part of the run has ended (``CHECKPOINT <path>``: the test looks, then makes
    ``path``: ``blender_helpers.run_blender(checkpoint=…)``) and call ``then()`` once ``path``
    exists, or after 600 s at most."""
    print(f"CHECKPOINT {path}", flush=True)
    give_up_at = time.monotonic() + 600

    def poll() -> Any:
        if not path.exists() and time.monotonic() < give_up_at:
            return 0.1
        then()
        return None

    bpy.app.timers.register(poll, first_interval=0.1)


def open_then(blend: str, then: Callable[[], Any]) -> None:
    """Open the scene ``blend``, as an artist opens the next shot, and call ``then()`` in it
    (a persistent timer: it outlives the scene it was registered in)."""
    bpy.app.timers.register(then, first_interval=1.0, persistent=True)
    bpy.ops.wm.open_mainfile(filepath=blend)
