"""The hosts' "Addresses" checkboxes: the task's open to-dos, listed before "Publish for review"
so the artist ticks the ones the new version answers (as ``ft-dcc publish --addresses`` names
them; the chosen ids go into :attr:`ft_dcc.publish.request.request.PublishRequest.addresses`).

Read in one request (:func:`ft_dcc.review.todos.read_task_todos`) on the panel's refresh button,
as the task picker reads its tasks; the hosts only draw :class:`OpenNotes`.
"""

from __future__ import annotations

import logging
from typing import Callable, Iterable, List, Optional, Sequence

import attr

from ft_dcc.exceptions import FtDccError
from ft_dcc.review.todos import TaskNote, read_task_todos
from ft_dcc.session.interface import PublishSession

log = logging.getLogger(__name__)

#: the heading over the checkboxes
HEADING = "Open notes"
#: characters of a note's line beside its checkbox (the rest is in its tooltip)
LINE_CHARS = 60


@attr.s(auto_attribs=True, kw_only=True)
class OpenNotes:
    """What a panel draws: the task's open to-dos, or why there are none."""

    task: str = ""  # Project/.../Task the notes are of
    notes: List[TaskNote] = attr.Factory(list)
    message: str = ""  # "No open notes on …", or what went wrong

    def lines(self, width: int = LINE_CHARS) -> List[str]:
        """Each note's checkbox text, cut to ``width`` characters."""
        return [_cut(note.line, width) for note in self.notes]


def fetch_open_notes(
    task: Optional[str], make_session: Callable[[], PublishSession]
) -> OpenNotes:
    """The open to-dos of ``task`` (an id or a path; None: FTRACK_CONTEXTID): one request."""
    try:
        session = make_session()
        try:
            found = read_task_todos(session, task, open_only=True)
        finally:
            session.close()
    except FtDccError as exc:
        log.info("the open notes were not read: %s", exc)
        return OpenNotes(message=str(exc))
    message = "" if found.notes else f"No open notes on {found.label}"
    return OpenNotes(task=found.label, notes=found.notes, message=message)


def chosen_ids(notes: Sequence[TaskNote], ticked: Iterable[int]) -> List[str]:
    """The ids of the ticked rows (indices into ``notes``), in the list's order."""
    wanted = set(ticked)
    return [note.id for index, note in enumerate(notes) if index in wanted]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3].rstrip() + "..."
