"""The ftrack menu's "Choose task" window: the server's tasks (the scene's own task first when
its path matches the settings' path templates, then the recent ones), a filter field, and the
settings profile that applies. Clicking a task makes it the publish prompt's default.

The reading and ordering are ft_dcc's (``ft_dcc.host.task_choices``); this file only draws.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable, List, Optional

from maya import cmds

from .choices import last_choices

if TYPE_CHECKING:
    from ft_dcc.host.task_choices import Picker, TaskChoice
    from ft_dcc.session.interface import PublishSession

log = logging.getLogger(__name__)

WINDOW = "ftDccTaskPicker"
LABEL = "Choose task..."
TITLE = "ftrack: choose the task"


def _load(session: Optional[PublishSession] = None) -> Picker:
    from ft_dcc.host.task_choices import load_picker
    from ft_dcc.session import Session

    own = session is None
    session = session or Session()
    try:
        scene = cmds.file(query=True, sceneName=True) or None
        return load_picker(session, "maya", scene)
    finally:
        if own:
            session.close()


def show_task_picker(load: Callable[[], Picker] = _load) -> Optional[str]:
    """Open the window (replacing an open one); its name, or None when the server said no."""
    from ft_dcc.exceptions import FtDccError
    from ft_dcc.host.settings_view import panel_lines

    try:
        picker = load()
    except FtDccError as exc:
        cmds.confirmDialog(title=TITLE, message=str(exc), button=["OK"], icon="warning")
        return None
    if cmds.window(WINDOW, exists=True):
        cmds.deleteUI(WINDOW, window=True)
    window = cmds.window(WINDOW, title=TITLE, widthHeight=(480, 420))
    cmds.columnLayout(adjustableColumn=True, rowSpacing=4)
    chosen = cmds.text(label="Click a task: the publish then offers it", align="left")
    search = cmds.textField(placeholderText="Filter: type part of a shot or task name")
    listing = cmds.textScrollList(numberOfRows=16)
    shown: List[TaskChoice] = []

    def fill(text: str = "") -> None:
        words = text.lower().split()
        shown[:] = [c for c in picker.choices if all(w in c.path.lower() for w in words)]
        cmds.textScrollList(listing, edit=True, removeAll=True, append=[_line(c) for c in shown])

    def choose(*_args: object) -> None:
        index = (cmds.textScrollList(listing, query=True, selectIndexedItem=True) or [0])[0]
        if 1 <= index <= len(shown):
            last_choices["task"] = shown[index - 1].path
            cmds.text(chosen, edit=True, label=f"Task: {shown[index - 1].path}")

    cmds.textField(search, edit=True, changeCommand=fill)
    cmds.textScrollList(listing, edit=True, selectCommand=choose)
    fill()
    cmds.text(label="\n".join(panel_lines(picker.settings)), align="left")
    cmds.showWindow(window)
    return window


def _line(choice: TaskChoice) -> str:
    mark = "  (the scene's)" if choice.from_scene else "  (recent)" if choice.recent else ""
    return choice.path + mark
