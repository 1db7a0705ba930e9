"""ftrack > Review feedback: a small window listing reviewers' statuses and notes on the current
task's latest versions; choosing a note sets Maya's current time to its frame.

The reading and ordering are ft_dcc's (``ft_dcc.host.feedback``); this only draws the rows.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, List, Optional

from maya import cmds

from .choices import current_task

log = logging.getLogger(__name__)

WINDOW = "ftDccFeedbackWindow"
TITLE = "ftrack review feedback"
LABEL = "Review feedback"


def show_feedback(task: Optional[str] = None, fetch: Optional[Callable[..., Any]] = None) -> Any:
    """Read the feedback and show it in the window (replacing an open one); the list's name,
    or None when it could not be read (the artist was told why)."""
    from ft_dcc.exceptions import FtDccError
    from ft_dcc.host.feedback import fetch_task_feedback

    task = task or current_task()
    try:
        found = (fetch or fetch_task_feedback)(task)
    except FtDccError as exc:
        cmds.confirmDialog(
            title=TITLE, message=f"No feedback read: {exc}", button=["OK"], icon="warning"
        )
        return None
    if cmds.window(WINDOW, exists=True):
        cmds.deleteUI(WINDOW, window=True)
    rows = found.rows()
    window = cmds.window(WINDOW, title=f"{TITLE}: {found.task}", widthHeight=(560, 380))
    cmds.columnLayout(adjustableColumn=True)
    cmds.text(label=f"Latest versions of {found.task}. Choose a note to go to its frame.")
    listing = cmds.textScrollList(numberOfRows=18, append=[row.label for row in rows])
    cmds.textScrollList(listing, edit=True, selectCommand=lambda *_: go_to_note(listing, rows))
    cmds.button(label="Refresh", command=lambda *_: show_feedback(found.task, fetch))
    cmds.showWindow(window)
    return listing


def go_to_note(listing: str, rows: List[Any]) -> Optional[int]:
    """Set the current time to the chosen note's frame (rows without one move nothing)."""
    chosen = cmds.textScrollList(listing, query=True, selectIndexedItem=True) or []
    if not chosen:
        return None
    frame = rows[chosen[0] - 1].frame  # Maya's list indices start at 1
    if frame is not None:
        cmds.currentTime(frame, edit=True)
    return frame
