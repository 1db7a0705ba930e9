"""ftrack > Review feedback: a small window listing reviewers' statuses and notes on the current
task's latest versions; choosing a note sets Maya's current time to its frame; "Show drawing"
lays the chosen note's drawing over the viewed camera on its frames (``overlay.py``), "Hide
drawing" removes it, "Compare in review page" opens the reviewed and the newer version side by
side in the review page ("addressed in v003?").

The reading and ordering are ft_dcc's (``ft_dcc.host.feedback``); this only draws the rows.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable, List, Optional

from maya import cmds

from .choices import current_task

if TYPE_CHECKING:
    from ft_dcc.host.feedback import FeedbackRow, TaskFeedback
    from ft_dcc.host.overlay import Download
    from ft_dcc.session.interface import PublishSession

log = logging.getLogger(__name__)

WINDOW = "ftDccFeedbackWindow"
TITLE = "ftrack review feedback"
LABEL = "Review feedback"


def show_feedback(
    task: Optional[str] = None, fetch: Optional[Callable[[Optional[str]], TaskFeedback]] = None
) -> Optional[str]:
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
    cmds.button(label="Show drawing", command=lambda *_: show_drawing(listing, rows))
    cmds.button(label="Hide drawing", command=lambda *_: hide_drawing(listing, rows))
    cmds.button(label="Compare in review page", command=lambda *_: compare(listing, rows))
    cmds.button(label="Refresh", command=lambda *_: show_feedback(found.task, fetch))
    cmds.showWindow(window)
    return listing


def chosen_row(listing: str, rows: List[FeedbackRow]) -> Optional[FeedbackRow]:
    """The row chosen in the list (None when nothing is)."""
    chosen = cmds.textScrollList(listing, query=True, selectIndexedItem=True) or []
    return rows[chosen[0] - 1] if chosen else None  # Maya's list indices start at 1


def go_to_note(listing: str, rows: List[FeedbackRow]) -> Optional[int]:
    """Set the current time to the chosen note's frame (rows without one move nothing)."""
    row = chosen_row(listing, rows)
    frame = row.frame if row is not None else None
    if frame is not None:
        cmds.currentTime(frame, edit=True)
    return frame


def _tell(exc: Exception) -> None:
    cmds.confirmDialog(title=TITLE, message=str(exc), button=["OK"], icon="warning")


def show_drawing(
    listing: str, rows: List[FeedbackRow], download: Optional[Download] = None
) -> List[str]:
    """Lay the chosen note's drawings over the viewport on their frames and go to the first;
    the image planes made ([] when the note has none, the artist was told why)."""
    from ft_dcc.exceptions import FtDccError
    from ft_dcc.host.overlay import note_overlays

    from .overlay import show_overlay

    row = chosen_row(listing, rows)
    try:
        overlays = note_overlays(row, download) if row is not None else []
        if not overlays:
            _tell(ValueError("Choose a note with a drawing first."))
            return []
        made = [show_overlay(overlay) for overlay in overlays]
    except FtDccError as exc:
        _tell(exc)
        return []
    cmds.currentTime(overlays[0].first, edit=True)
    return made


def hide_drawing(listing: str, rows: List[FeedbackRow]) -> List[str]:
    """Remove the chosen note's drawings from the viewport; the image planes removed."""
    from .overlay import hide_overlay

    row = chosen_row(listing, rows)
    return hide_overlay(row.note_id) if row is not None and row.note_id else []


def compare(
    listing: str,
    rows: List[FeedbackRow],
    make_session: Optional[Callable[[], PublishSession]] = None,
    opener: Optional[Callable[[str], object]] = None,
) -> Optional[str]:
    """Open the review page comparing the chosen row's version with the newer one."""
    from ft_dcc.exceptions import FtDccError
    from ft_dcc.host.feedback import open_compare

    row = chosen_row(listing, rows)
    try:
        return open_compare(row, make_session, opener) if row is not None else None
    except FtDccError as exc:
        _tell(exc)
        return None
