"""The review session's notes as a table (``notes.csv``) for production: one row per note and per
reply, RFC 4180 (comma separated, ``"`` quoted and doubled, CRLF line ends, a note's line breaks
kept inside its quoted cell), UTF-8 with a byte order mark so a spreadsheet reads accents.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return) as a formula; every text cell from the server that does is written with a leading ``'``
(the OWASP advice against CSV injection), so a note ``=HYPERLINK(...)`` shows as typed and runs
nothing. A still's notes have no frame: their frame cells are empty. Each row says what the note
is (``kind``: to-do, comment, reply), where a to-do stands (``state``: open, addressed) and which
version addressed it (``addressed_by``: "shot v002"). Standard library only.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Union

from ft_dcc.review.export_read import ExportSession, ExportVersion
from ft_dcc.review.feedback import FeedbackNote, by_frame, status_word

COLUMNS = (
    "session", "project", "version", "shot", "task", "frame", "frame_out", "author",
    "author_email", "text", "drawings", "version_status", "verdicts", "created_at", "note_id",
    "reply_to", "kind", "state", "addressed_by",
)  # fmt: skip
#: what a spreadsheet takes for the start of a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = Union[str, int, None]


def cell(value: Cell) -> str:
    """One cell's text: a whole number as it is, text that a spreadsheet would run as a formula
    with a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def _verdicts(version: ExportVersion) -> str:
    """Every current verdict; the studio's internal ones marked "(studio)", beside the
    clients'."""
    return "; ".join(
        f"{status_word(s.status)}: {s.reviewer or s.email}{' (studio)' if s.studio else ''}"
        for s in version.feedback.statuses
    )


def _row(
    session: ExportSession, version: ExportVersion, note: FeedbackNote, reply_to: Optional[str]
) -> List[str]:
    values: Sequence[Cell] = (
        session.name, session.project, version.label, version.shot, version.task,
        None if version.still else note.frame, version.frame_out(note), note.author,
        note.author_email, note.content,
        len(note.drawings), version.status, _verdicts(version), note.date, note.id, reply_to,
        note.kind, note.state, note.addressed_by,
    )  # fmt: skip
    return [cell(v) for v in values]


def _rows(session: ExportSession) -> Iterator[List[str]]:
    for version in session.versions:
        for note in by_frame(version.feedback.notes):
            yield _row(session, version, note, None)
            for reply in note.replies:
                yield _row(session, version, reply, note.id)


def write_csv(session: ExportSession, path: Path) -> int:
    """Write ``session``'s notes to ``path``; the number of rows (notes and replies)."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in _rows(session):
            writer.writerow(row)
            count += 1
    return count
