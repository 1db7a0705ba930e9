"""The open to-dos of a task: the notes its next version can address
(``ft-dcc review notes --task T --open``, the hosts' "addresses" checkboxes).

A reviewer's note is an ftrack to-do (``Note.is_todo``) on one of the task's versions, or on one
of their review-session objects (where the review page stores it, as ftrack's own review does);
it is open until completed (``completed_at``). Read with the protocol's note queries: four
requests whatever the number of notes.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import attr

from ft_dcc.protocol.feedback import feedback_notes
from ft_dcc.protocol.query_text import quote
from ft_dcc.review.feedback import _execute, _iso
from ft_dcc.session.interface import EntityLike, PublishSession


@attr.s(auto_attribs=True, kw_only=True)
class TaskNote:
    """One to-do of a task's version."""

    id: str
    version: Optional[int]
    version_id: str
    asset: str
    frame: Optional[int]
    text: str
    author: str
    date: Optional[str] = None  # ISO 8601, UTC
    completed_at: Optional[str] = None
    completed_by: str = ""

    @property
    def label(self) -> str:
        number = f"v{self.version:03d}" if self.version is not None else "v?"
        return f"{self.asset} {number}".strip()

    def to_dict(self) -> Dict[str, Any]:
        return attr.asdict(self)


def task_todos(session: PublishSession, task: EntityLike, open_only: bool = True) -> List[TaskNote]:
    """The to-dos on ``task``'s versions (only the open ones unless ``open_only`` is False),
    by version, then frame, then date."""
    task_id = quote(str(task["id"]))
    versions = {
        str(v["id"]): v
        for v in session.query(
            f"select id, version, asset.name from AssetVersion where task_id is {task_id}"
        ).all()
    }
    objects = {
        str(o["id"]): str(o["version_id"])
        for o in session.query(
            "select id, version_id from ReviewSessionObject "
            f"where asset_version.task_id is {task_id}"
        ).all()
    }
    parents = {**{v: v for v in versions}, **objects}  # note parent -> version id
    found: List[TaskNote] = []
    for fact in feedback_notes(_execute(session), sorted(parents)):
        version_id = parents.get(fact.parent_id)
        if version_id is None or not fact.is_todo or fact.in_reply_to_id:
            continue
        if open_only and fact.completed_at:
            continue
        version = versions.get(version_id)
        found.append(
            TaskNote(
                id=fact.id,
                version=int(version["version"]) if version is not None else None,
                version_id=version_id,
                asset=str(version["asset"]["name"]) if version is not None else "",
                frame=fact.frame,
                text=fact.content,
                author=fact.author,
                date=_iso(fact.date),
                completed_at=_iso(fact.completed_at),
                completed_by=fact.completed_by,
            )
        )
    found.sort(key=lambda n: (n.version or 0, n.frame is None, n.frame or 0, n.date or ""))
    return found


def todo_lines(task_label: str, notes: List[TaskNote], open_only: bool = True) -> List[str]:
    """``ft-dcc review notes`` as text: one line per to-do, its id first (for --addresses)."""
    kind = "open to-do" if open_only else "to-do"
    if not notes:
        return [f"No {kind}s on {task_label}."]
    lines = [f"{len(notes)} {kind}{'s' if len(notes) != 1 else ''} on {task_label}:"]
    for note in notes:
        frame = f"frame {note.frame}" if note.frame is not None else "no frame"
        text = " ".join(note.text.split())
        done = f"  (addressed {note.completed_at})" if note.completed_at else ""
        lines.append(f"  {note.id}  {note.label}  {frame}  {note.author}: {text}{done}")
    return lines
