"""Nodes > ftrack > Review feedback: a panel with reviewers' statuses and notes on the current
task's latest versions; choosing a note in its "Go to note" menu sets the frame.

The reading and ordering are ft_dcc's (``ft_dcc.host.feedback``); this only lays out knobs.
"""

from __future__ import annotations

import os
from typing import Any, Callable, List, Optional

import nuke
import nukescripts

PANEL_ID = "uk.ft_dcc.feedback"
TITLE = "ftrack review feedback"
MENU_ITEM = "ftrack/Review feedback"
CHOOSE = "(choose a note)"


class FeedbackPanel(nukescripts.PythonPanel):
    """All the feedback as text, and a menu of the notes that have a frame."""

    def __init__(self, found: Any) -> None:
        super().__init__(TITLE, PANEL_ID)
        rows = found.rows()
        self.notes = [row for row in rows if row.kind == "note" and row.frame is not None]
        self.addKnob(nuke.Text_Knob("task", "Task", found.task))
        self.note = nuke.Enumeration_Knob(
            "note", "Go to note", [CHOOSE] + [row.label.strip() for row in self.notes]
        )
        self.addKnob(self.note)
        text = "\n".join(row.label for row in rows)
        self.addKnob(nuke.Multiline_Eval_String_Knob("feedback", "Feedback", text))
        self.setMinimumSize(560, 360)

    def knobChanged(self, knob: Any) -> None:
        if knob is self.note:
            go_to(self.notes, str(knob.value()))


def go_to(notes: List[Any], label: str) -> Optional[int]:
    """Set the frame to the note labelled ``label`` (nothing for the placeholder)."""
    for row in notes:
        if row.label.strip() == label:
            nuke.frame(row.frame)
            return int(row.frame)
    return None


def show_feedback(
    task: Optional[str] = None, fetch: Optional[Callable[..., Any]] = None
) -> Optional[FeedbackPanel]:
    """Read the feedback of ``task`` (default ``$FTRACK_CONTEXTID``) and show the panel;
    None when it could not be read (the artist was told why)."""
    from ft_dcc.exceptions import FtDccError
    from ft_dcc.host.feedback import fetch_task_feedback

    try:
        found = (fetch or fetch_task_feedback)(task or os.environ.get("FTRACK_CONTEXTID") or None)
    except FtDccError as exc:
        nuke.message(f"No feedback read: {exc}")
        return None
    panel = FeedbackPanel(found)
    panel.show()
    return panel


def install_menu() -> None:
    """Add **Nodes > ftrack > Review feedback** (the app only)."""
    if nuke.GUI:
        nuke.menu("Nodes").addCommand(
            MENU_ITEM, show_feedback, tooltip="Reviewers' notes on this task's latest versions"
        )
