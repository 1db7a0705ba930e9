"""Nodes > ftrack > Review feedback: a panel with reviewers' statuses and notes on the current
task's latest versions; choosing a note in its "Go to note" menu sets the frame; "Show drawing"
lays the chosen note's drawing over the Viewer on its frames (``overlay.py``), "Hide drawing"
removes it and gives the Viewer its input back.

The reading and ordering are ft_dcc's (``ft_dcc.host.feedback``); this only lays out knobs.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Callable, List, Optional

import nuke
import nukescripts

from .menus import add_commands, show_panel

if TYPE_CHECKING:
    from ft_dcc.host.feedback import FeedbackRow, TaskFeedback
    from ft_dcc.host.overlay import Download

PANEL_ID = "uk.ft_dcc.feedback"
TITLE = "ftrack review feedback"
MENU_ITEM = "ftrack/Review feedback"
CHOOSE = "(choose a note)"


class FeedbackPanel(nukescripts.PythonPanel):
    """All the feedback as text, and a menu of the notes that have a frame."""

    def __init__(self, found: TaskFeedback) -> None:
        super().__init__(TITLE, PANEL_ID)
        rows = found.rows()
        self.notes = [row for row in rows if row.kind == "note" and row.frame is not None]
        self.addKnob(nuke.Text_Knob("task", "Task", found.task))
        self.note = nuke.Enumeration_Knob(
            "note", "Go to note", [CHOOSE] + [row.label.strip() for row in self.notes]
        )
        self.addKnob(self.note)
        self.show_button = nuke.PyScript_Knob("show_drawing", "Show drawing")
        self.hide_button = nuke.PyScript_Knob("hide_drawing", "Hide drawing")
        self.addKnob(self.show_button)
        self.addKnob(self.hide_button)
        text = "\n".join(row.label for row in rows)
        self.addKnob(nuke.Multiline_Eval_String_Knob("feedback", "Feedback", text))
        self.setMinimumSize(560, 360)

    def knobChanged(self, knob: nuke.Knob) -> None:
        if knob is self.note:
            go_to(self.notes, str(knob.value()))
        elif knob is self.show_button:
            show_drawing(self.chosen())
        elif knob is self.hide_button:
            hide_drawing(self.chosen())

    def chosen(self) -> Optional[FeedbackRow]:
        """The note row chosen in "Go to note" (None for the placeholder)."""
        label = str(self.note.value())
        return next((row for row in self.notes if row.label.strip() == label), None)


def go_to(notes: List[FeedbackRow], label: str) -> Optional[int]:
    """Set the frame to the note labelled ``label`` (nothing for the placeholder)."""
    for row in notes:
        if row.frame is not None and row.label.strip() == label:
            nuke.frame(row.frame)
            return int(row.frame)
    return None


def show_drawing(row: Optional[FeedbackRow], download: Optional[Download] = None) -> List[str]:
    """Lay the note's drawings over the Viewer on their frames and go to the first; the nodes
    made ([] when there is none to show: the artist was told why)."""
    from ft_dcc.exceptions import FtDccError
    from ft_dcc.host.overlay import note_overlays

    from .overlay import show_overlays

    try:
        overlays = note_overlays(row, download) if row is not None else []
        if not overlays:
            nuke.message('Choose a note with a drawing in "Go to note" first.')
            return []
        made = show_overlays(overlays)
    except FtDccError as exc:
        nuke.message(f"The drawing is not shown: {exc}")
        return []
    nuke.frame(overlays[0].first)
    return made


def hide_drawing(row: Optional[FeedbackRow]) -> List[str]:
    """Remove the note's drawings from the Viewer; the nodes removed."""
    from .overlay import hide_overlay

    return hide_overlay(row.note_id) if row is not None and row.note_id else []


def show_feedback(
    task: Optional[str] = None, fetch: Optional[Callable[[Optional[str]], TaskFeedback]] = None
) -> Optional[FeedbackPanel]:
    """Read the feedback of ``task`` (default ``$FTRACK_CONTEXTID``) and show the panel;
    None when it could not be read (the artist was told why)."""
    from ft_dcc.host.feedback import fetch_task_feedback

    task = task or os.environ.get("FTRACK_CONTEXTID") or None
    return show_panel(lambda: (fetch or fetch_task_feedback)(task), FeedbackPanel, "feedback")


def install_menu() -> None:
    """Add **Nodes > ftrack > Review feedback** (the app only)."""
    add_commands((MENU_ITEM, show_feedback, "Reviewers' notes on this task's latest versions"))
