"""The open to-dos of a task: the notes its next version can address
(``ft-dcc review notes --task T --open``, the hosts' "addresses" checkboxes).

A reviewer's note is an ftrack to-do (``Note.is_todo``) on one of the task's versions, or on one
of their review-session objects (where the review page stores it, as ftrack's own review does);
it is open until completed (``completed_at``). Read in ONE request whatever the number of notes
(the task, its versions and its review objects, each with its notes, their authors and frames,
as projections of one batch): a host's panel reads them on a click, as its task picker does.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import attr

from ft_dcc.protocol.feedback import display_name, note_frame
from ft_dcc.protocol.query_text import quote
from ft_dcc.publish.context.tasks import (
    TASK_PROJECTION,
    parse_task_ref,
    path_condition,
    resolve_task,
)
from ft_dcc.review.feedback import _iso
from ft_dcc.session.interface import EntityLike, PublishSession
from ft_dcc.session.replies import query_entities


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

    @property
    def heading(self) -> str:
        """A host's checkbox text: ``v001 f1003 Ana Lee`` (the version, frame and author)."""
        number = f"v{self.version:03d}" if self.version is not None else "v?"
        frame = f" f{self.frame}" if self.frame is not None else ""
        return f"{number}{frame} {self.author}".strip()

    @property
    def line(self) -> str:
        """The note on one line: ``v001 f1003 Ana Lee: arm pops``."""
        return f"{self.heading}: {' '.join(self.text.split())}"

    def to_dict(self) -> Dict[str, Any]:
        return attr.asdict(self)


@attr.s(auto_attribs=True, kw_only=True)
class TaskTodos:
    """A task's to-dos as read by :func:`read_task_todos`."""

    task_id: str
    label: str  # Project/.../Shot/Task
    notes: List[TaskNote]


#: what is read of each note, as projections under a version's or a review object's ``notes``
_NOTE = (
    "id", "content", "date", "is_todo", "completed_at", "in_reply_to_id",
    "author.username", "author.first_name", "author.last_name",
    "completed_by.username", "completed_by.first_name", "completed_by.last_name",
    "metadata.key", "metadata.value",
)  # fmt: skip


def _notes_projection() -> str:
    return ", ".join(f"notes.{field}" for field in _NOTE)


def todo_queries(task_id: Optional[str], task_path: Optional[str]) -> List[str]:
    """The batch's three queries: the task, its versions and its review objects (with notes)."""

    def task_is(prefix: str) -> str:  # the task, from what is queried (``prefix``: the way)
        if task_id:
            return f"{prefix}{'_id' if prefix else 'id'} is {quote(task_id)}"
        return path_condition((task_path or "").split("/"), f"{prefix}." if prefix else "")

    notes = _notes_projection()
    return [
        f"{TASK_PROJECTION} where {task_is('')}",
        f"select id, version, task_id, asset.name, {notes} from AssetVersion "
        f"where {task_is('task')}",
        f"select id, version_id, asset_version.task_id, {notes} from ReviewSessionObject "
        f"where {task_is('asset_version.task')}",
    ]


def read_task_todos(
    session: PublishSession, task_text: Optional[str], open_only: bool = True
) -> TaskTodos:
    """The to-dos of the task ``task_text`` names (an id, a path, else FTRACK_CONTEXTID), only
    the open ones unless ``open_only`` is False, by version, then frame, then date: one request.
    A task that is not there (or a path naming several) is resolved as a publish resolves it,
    to say what is wrong."""
    task_id, task_path = parse_task_ref(task_text)
    if not task_id and (not task_path or len(task_path.split("/")) < 2):
        resolve_task(session, task_id, task_path)  # raises the publish's own error
    replies = session.call(
        [{"action": "query", "expression": e} for e in todo_queries(task_id, task_path)]
    )
    tasks, versions, objects = (query_entities(reply) for reply in replies)
    wanted = task_path.split("/") if task_path else None
    exact = [t for t in tasks if wanted is None or _path(t) == wanted]
    if len(exact) != 1:
        task = resolve_task(session, task_id, task_path)  # says what is wrong, or finds it
        return read_task_todos(session, str(task["id"]), open_only)
    task = exact[0]
    mine = str(task["id"])
    return TaskTodos(
        task_id=mine,
        label="/".join(_path(task)) or mine,
        notes=todos_of(
            [v for v in versions if str(v["task_id"]) == mine],
            [o for o in objects if str(o["asset_version"]["task_id"]) == mine],
            open_only,
        ),
    )


def task_todos(session: PublishSession, task: EntityLike, open_only: bool = True) -> List[TaskNote]:
    """The to-dos on ``task``'s versions (:func:`read_task_todos` of its id)."""
    return read_task_todos(session, str(task["id"]), open_only).notes


def _path(task: EntityLike) -> List[str]:
    return [str(item["name"]) for item in task["link"] or []]


def todos_of(
    versions: Sequence[EntityLike], objects: Sequence[EntityLike], open_only: bool = True
) -> List[TaskNote]:
    """The to-dos among the notes projected on ``versions`` and their review ``objects``."""
    by_id = {str(v["id"]): v for v in versions}
    holders: List[Tuple[EntityLike, Optional[EntityLike]]] = [(v, v) for v in versions]
    holders += [(o, by_id.get(str(o["version_id"]))) for o in objects]
    found: Dict[str, TaskNote] = {}
    for holder, version in holders:
        version_id = str(version["id"]) if version is not None else str(holder["version_id"])
        for note in holder["notes"] or []:
            if not note["is_todo"] or note["in_reply_to_id"]:
                continue
            if open_only and note["completed_at"]:
                continue
            found[str(note["id"])] = TaskNote(
                id=str(note["id"]),
                version=int(version["version"]) if version is not None else None,
                version_id=version_id,
                asset=str(version["asset"]["name"]) if version is not None else "",
                frame=note_frame(dict(note["metadata"] or {})),
                text=note["content"] or "",
                author=display_name(note["author"]),
                date=_iso(note["date"]),
                completed_at=_iso(note["completed_at"]),
                completed_by=display_name(note["completed_by"]),
            )
    notes = list(found.values())
    notes.sort(key=lambda n: (n.version or 0, n.frame is None, n.frame or 0, n.date or ""))
    return notes


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
