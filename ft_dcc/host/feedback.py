"""What reviewers said about the current task's latest versions, for the DCC feedback views.

The Blender panel, the Maya window and the Nuke panel all show the same thing: for each asset
the task published, its latest version's review feedback (every reviewer's status, then the
notes in timeline order, replies under their note). :func:`fetch_task_feedback` reads it with
standard ftrack queries into plain value objects; :meth:`TaskFeedback.rows` flattens it into
the lines a host lists, each note row carrying the frame to jump to. The hosts only draw rows
and set their timeline.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence

import attr

from ft_dcc.protocol.query_text import quote
from ft_dcc.review.feedback import FeedbackNote, VersionFeedback, by_frame, status_word
from ft_dcc.session.interface import PublishSession

VERSION, STATUS, NOTE, EMPTY = "version", "status", "note", "empty"


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class FeedbackRow:
    """One line of a feedback view; a note's ``frame`` is where choosing it moves the timeline."""

    kind: str  # VERSION | STATUS | NOTE | EMPTY
    text: str
    frame: Optional[int] = None
    depth: int = 0  # 1 for a reply
    drawings: int = 0  # how many drawings the note has
    author: str = ""  # a note's author and content, for views that lay them out apart
    content: str = ""

    @property
    def label(self) -> str:
        """The row as one line of plain text (frame first for notes)."""
        if self.kind != NOTE:
            return self.text if self.kind == VERSION else f"  {self.text}"
        frame = f"{self.frame:>6}" if self.frame is not None else "     -"
        return f"{frame}  {'  ' * self.depth}{self.text}"


@attr.s(auto_attribs=True, kw_only=True)
class TaskFeedback:
    """The feedback on a task's latest versions."""

    task: str  # the task's path, "Project/Seq/Shot/Task"
    versions: List[VersionFeedback] = attr.Factory(list)

    def rows(self) -> List[FeedbackRow]:
        rows: List[FeedbackRow] = []
        for version in self.versions:
            rows.append(FeedbackRow(kind=VERSION, text=_version_title(version)))
            rows += [
                FeedbackRow(kind=STATUS, text=f"{status_word(s.status)}: {s.reviewer or s.email}")
                for s in version.statuses
            ]
            for note in by_frame(version.notes):
                rows += _note_rows(note, 0)
            if not version.statuses and not version.notes:
                rows.append(FeedbackRow(kind=EMPTY, text="no feedback yet"))
        if not rows:
            rows.append(FeedbackRow(kind=EMPTY, text="nothing published for review yet"))
        return rows


def _version_title(version: VersionFeedback) -> str:
    where = f"  ({version.review_session})" if version.review_session else ""
    return f"{version.label}{where}"


def _note_rows(note: FeedbackNote, depth: int) -> List[FeedbackRow]:
    count = len(note.drawings)
    drawn = f" [{count} drawing{'s' * (count > 1)}]" if count else ""
    author = note.author or "someone"
    row = FeedbackRow(
        kind=NOTE,
        text=f"{author}: {note.content}{drawn}",
        frame=note.frame,
        depth=depth,
        drawings=count,
        author=author,
        content=note.content,
    )
    rows = [row]
    for reply in note.replies:
        rows += _note_rows(reply, depth + 1)
    return rows


def latest_version_ids(session: PublishSession, task_id: str) -> List[str]:
    """The id of the latest version of each asset published from ``task_id``, by asset name."""
    rows = session.query(
        "select id, version, asset_id, asset.name from AssetVersion "
        f"where task_id is {quote(task_id)}"
    ).all()
    latest: Dict[str, Any] = {}
    for row in rows:
        kept = latest.get(row["asset_id"])
        if kept is None or (row["version"] or 0) > (kept["version"] or 0):
            latest[row["asset_id"]] = row
    return [v["id"] for v in sorted(latest.values(), key=lambda v: str(v["asset"]["name"]))]


def fetch_task_feedback(
    task: Optional[str] = None,
    session: Optional[PublishSession] = None,
    make_session: Optional[Callable[[], PublishSession]] = None,
) -> TaskFeedback:
    """The feedback on the latest versions of ``task`` (an id or ``Project/Seq/Shot/Task``;
    default ``$FTRACK_CONTEXTID``). Opens a session from ``FTRACK_*`` unless one is given."""
    from ft_dcc.publish.tasks import parse_task_ref, resolve_task
    from ft_dcc.review.feedback import versions_feedback

    if session is None:
        from ft_dcc.session import Session

        opened = (make_session or Session)()
        try:
            return fetch_task_feedback(task, opened)
        finally:
            opened.close()
    task_id, task_path = parse_task_ref(task)
    entity = resolve_task(session, task_id, task_path)
    path = "/".join(item["name"] for item in entity["link"] or [])
    ids = latest_version_ids(session, entity["id"])
    versions = versions_feedback(session, ids)
    order = {version_id: index for index, version_id in enumerate(ids)}
    versions.sort(key=lambda v: (order.get(v.version_id or "", 0), v.review_session))
    return TaskFeedback(task=path, versions=versions)


def note_frames(rows: Sequence[FeedbackRow]) -> List[Optional[int]]:
    """The frame of each row (None where choosing it moves nothing)."""
    return [row.frame if row.kind == NOTE else None for row in rows]
