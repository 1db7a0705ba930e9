"""The menu publish's "Open notes" dialog: before "Publish for review" goes, the task's open
to-dos are listed with a checkbox each (``cmds.layoutDialog``); the ticked ones go into the
publish as ``ft-dcc publish --addresses`` names them. No open notes (or none readable: the
publish may be queued offline) asks nothing.

The notes are read in one request, as the task picker reads (``ft_dcc.host.open_notes``); this
file only lays out the dialog.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable, Dict, List, Optional

from maya import cmds

from .prompts import DIALOG_TITLE

if TYPE_CHECKING:
    from ft_dcc.host.open_notes import OpenNotes

log = logging.getLogger(__name__)

#: the dialog's buttons
PUBLISH, CANCEL = "Publish", "Cancel"
#: characters of a note's line beside its checkbox
LINE_CHARS = 80


def read_notes(task: Optional[str]) -> OpenNotes:
    from ft_dcc.host.open_notes import fetch_open_notes
    from ft_dcc.session import Session

    return fetch_open_notes(task, lambda: Session(defer_start=True))  # start rides with it


def ask_addresses(
    task: Optional[str], read: Callable[[Optional[str]], OpenNotes] = read_notes
) -> Optional[List[str]]:
    """The ids of the open notes the artist ticks ([] when there are none to tick); None when
    they cancel the publish."""
    found = read(task)
    if not found.notes:
        log.info("no open notes to address: %s", found.message)
        return []
    boxes: List[str] = []
    chosen: Dict[str, List[str]] = {"ids": []}

    def finish(answer: str) -> None:
        ticked = [cmds.checkBox(box, query=True, value=True) for box in boxes]
        chosen["ids"] = [note.id for note, on in zip(found.notes, ticked) if on]
        cmds.layoutDialog(dismiss=answer)

    def build() -> None:
        cmds.columnLayout(adjustableColumn=True, rowSpacing=6)
        cmds.text(label=f"Open notes on {found.task}: tick the ones this version addresses.",
                  align="left")  # fmt: skip
        for note, line in zip(found.notes, found.lines(LINE_CHARS)):
            boxes.append(cmds.checkBox(label=line, value=False, annotation=note.text))
        cmds.button(label=PUBLISH, command=lambda *_: finish(PUBLISH))
        cmds.button(label=CANCEL, command=lambda *_: cmds.layoutDialog(dismiss=CANCEL))

    answer = cmds.layoutDialog(uiScript=build, title=DIALOG_TITLE)
    return chosen["ids"] if answer == PUBLISH else None
