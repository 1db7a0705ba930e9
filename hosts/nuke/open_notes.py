"""The Write node's **ftrack review** tab lists the task's open notes to address: its "Open
notes..." button shows them in a dialog, one checkbox (``Boolean_Knob``) per note; the ticked
ones are kept in the node's ``ftrack_addresses`` knob (saved with the script) and go into the
node's publish as ``ft-dcc publish --addresses`` names them (``callbacks.publish_writes``).

The notes are read in one request when the button is pressed, as the task picker reads
(``ft_dcc.host.open_notes``); this file only lays out knobs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, List, Optional

import nuke
import nukescripts

if TYPE_CHECKING:
    from ft_dcc.host.open_notes import OpenNotes
    from ft_dcc.session.interface import PublishSession

PANEL_ID = "uk.ft_dcc.open_notes"
TITLE = "ftrack: notes this version addresses"
#: characters of a note's line beside its checkbox (the whole text is its tooltip)
LINE_CHARS = 70
#: the Write node's knobs: the chosen note ids (comma separated) and the button showing them
ADDRESSES_KNOB = "ftrack_addresses"
BUTTON_KNOB = "ftrack_open_notes"
#: the button's Python (Nuke runs it with the node as ``nuke.thisNode()``)
BUTTON_COMMAND = (
    "from ft_dcc_hosts.nuke import open_notes\nopen_notes.choose_for(nuke.thisNode())"
)


def add_knobs(node: nuke.Node) -> None:
    """The button and the chosen ids on ``node``'s ftrack review tab (once)."""
    if node.knob(ADDRESSES_KNOB) is not None:
        return
    button = nuke.PyScript_Knob(BUTTON_KNOB, "Open notes...", BUTTON_COMMAND)
    button.setTooltip("Tick the task's open notes this version addresses")
    node.addKnob(button)
    chosen = nuke.String_Knob(ADDRESSES_KNOB, "addresses")
    chosen.setTooltip(
        "The ids of the notes the next publish addresses: it completes them and replies naming "
        "the new version (Open notes... ticks them)"
    )
    node.addKnob(chosen)


def addresses_of(node: nuke.Node) -> List[str]:
    """The note ids ``node``'s publish addresses."""
    knob = node.knob(ADDRESSES_KNOB)
    text = str(knob.value()) if knob is not None else ""
    return [part.strip() for part in text.split(",") if part.strip()]


def forget(node_names: List[str]) -> None:
    """After a publish (or its queueing) that addressed them: the notes are no longer open."""
    for name in node_names:
        node = nuke.toNode(name)
        knob = node.knob(ADDRESSES_KNOB) if node is not None else None
        if knob is not None:
            knob.setValue("")


class OpenNotesPanel(nukescripts.PythonPanel):
    """One checkbox per open note: its version, frame, author and text."""

    def __init__(self, found: OpenNotes, ticked: List[str]) -> None:
        super().__init__(TITLE, PANEL_ID)
        self.notes = found.notes
        self.addKnob(nuke.Text_Knob("task", "Task", found.task))
        self.boxes = []
        for index, (note, line) in enumerate(zip(found.notes, found.lines(LINE_CHARS))):
            box = nuke.Boolean_Knob(f"note_{index}", line)  # "v001 f1003 Ana: arm pops"
            box.setValue(note.id in ticked)
            box.setFlag(nuke.STARTLINE)
            box.setTooltip(note.text)  # the whole text
            self.addKnob(box)
            self.boxes.append(box)
        self.setMinimumSize(520, 120 + 40 * len(found.notes))

    def chosen(self) -> List[str]:
        """The ids of the ticked notes, in the list's order."""
        return [note.id for note, box in zip(self.notes, self.boxes) if box.value()]


def read_notes(task: Optional[str]) -> OpenNotes:
    from ft_dcc.host.open_notes import fetch_open_notes
    from ft_dcc.session import Session

    def make_session() -> PublishSession:  # its start rides with the read: one request
        return Session(defer_start=True)

    return fetch_open_notes(task, make_session)


def choose_for(
    node: nuke.Node, read: Callable[[Optional[str]], OpenNotes] = read_notes
) -> Optional[List[str]]:
    """The button: read the task's open notes, show them ticked as the node's knob says, keep
    what the artist ticks on OK; None when cancelled or there is nothing to tick (said why)."""
    task_knob = node.knob("ftrack_task")
    task = str(task_knob.value()).strip() if task_knob is not None else ""
    found = read(task or None)
    if not found.notes:
        nuke.message(found.message or "No open notes")
        return None
    panel = OpenNotesPanel(found, addresses_of(node))
    if not panel.showModalDialog():
        return None
    chosen = panel.chosen()
    add_knobs(node)  # a node made before the callbacks: its knob first
    node[ADDRESSES_KNOB].setValue(",".join(chosen))
    return chosen
