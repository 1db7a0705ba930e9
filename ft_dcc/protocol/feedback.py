"""The review feedback queries, one copy for the client and the embedded server.

Reviewers' feedback is ``Note`` rows on each ``ReviewSessionObject`` (replies point at the note
they answer through ``in_reply_to_id``), the frame a note is about in its ``Metadata``, drawings
attached through ``NoteComponent``, and one ``ReviewSessionObjectStatus`` per invitee and
decision. These functions ask for them in a fixed number of queries, whatever the amount, over
an ``execute(expressions) -> rows`` callable: the client runs each expression with its session
(``ft_dcc.review.feedback``), the server through its own API batch. Rows are read as mappings
(``row["id"]``), so an ``ft_dcc`` entity, a genuine ``ftrack_api`` entity and the server's JSON
rows all do. Pure and stdlib only: imports on Python 3.9 with the core dependencies.
"""

from __future__ import annotations

import json
import uuid
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Protocol,
    Sequence,
    Tuple,
)

from ft_dcc.protocol.query_text import quoted_list


class Row(Protocol):
    """One result row, read by key: an entity of either client or the server's JSON object."""

    def __getitem__(self, key: str) -> Any: ...


#: runs query expressions, returns each one's rows (in the order given)
Execute = Callable[[Sequence[str]], Sequence[Sequence[Row]]]

NOTE_FIELDS = (
    "id, content, date, user_id, parent_id, in_reply_to_id, is_todo, completed_at, completed_by_id"
)
USER_FIELDS = "id, username, first_name, last_name, email"
#: the Metadata key ft_dcc writes a note's frame under (the client's notes, the review page's)
FRAME_KEY = "frame"
#: the Metadata keys a note's frame is found under (ft_dcc writes ``frame``; the others are
#: written by other review tools), in the order they are read
FRAME_KEYS = (FRAME_KEY, "frame_number", "frameNumber", "reviewFrame")
#: the Metadata key of the last frame a drawing is held to (inclusive; ft_dcc's review page
#: writes it when a drawing lasts more than its one ``frame``). ftrack's Note has no frame
#: field (its schema: ``metadata`` is the place for such facts), so the range lives there too.
FRAME_OUT_KEY = "frame_out"


def note_frame(metadata: Mapping[str, object]) -> Optional[int]:
    """The frame a note refers to, from its metadata (``frame``, ``reviewFrame`` JSON, ...)."""
    for key in FRAME_KEYS:
        value = metadata.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, str) and value.strip().startswith("{"):
            try:
                value = json.loads(value)
            except ValueError:
                continue
        if isinstance(value, dict):
            value = value.get("number", value.get("frame"))
        if not isinstance(value, (int, float, str)):
            continue
        try:
            return int(float(value))
        except (TypeError, ValueError):
            continue
    return None


def display_name(user: Optional[Row]) -> str:
    """How a note's author reads: their full name, else their username ("" for nobody)."""
    if user is None:
        return ""
    full = " ".join(p for p in (user["first_name"], user["last_name"]) if p)
    return full or user["username"] or ""


def _listed(ids: Iterable[object]) -> str:
    """Distinct, non-empty ``ids`` as the inside of an ``in (...)`` list, sorted."""
    return quoted_list(sorted({str(i) for i in ids if i}))


def rows_in(execute: Execute, what: str, ids: Iterable[object]) -> List[Row]:
    """``what`` (ending in ``... in``) over ``ids``; nothing asked when there are none."""
    listed = _listed(ids)
    return list(execute([f"{what} ({listed})"])[0]) if listed else []


def notes_of(execute: Execute, object_ids: Iterable[object]) -> List[Row]:
    """The notes on ``object_ids`` and the replies to them (two queries)."""
    rows = rows_in(execute, f"select {NOTE_FIELDS} from Note where parent_id in", object_ids)
    known = {r["id"] for r in rows}
    replies = rows_in(execute, f"select {NOTE_FIELDS} from Note where in_reply_to_id in", known)
    return rows + [r for r in replies if r["id"] not in known]


class NoteDetails(NamedTuple):
    """What is read about a list of notes besides the notes themselves."""

    frames: Dict[str, Optional[int]]  # note id -> the frame it is about, or None
    drawings: Dict[str, List[str]]  # note id -> component ids of its drawings (server's order)
    users: Dict[str, Row]  # user id -> the author's row (USER_FIELDS)
    #: note id -> the last frame its drawing is held to (only notes held over several frames)
    last_frames: Dict[str, int]


def note_details(execute: Execute, notes: Sequence[Row]) -> NoteDetails:
    """Frames, drawings and authors of ``notes``, in one ``execute`` call."""
    note_ids = _listed(r["id"] for r in notes)
    user_ids = _listed(
        who for r in notes for who in (r["user_id"], r["completed_by_id"]) if who
    )
    if not note_ids:
        return NoteDetails({}, {}, {}, {})
    expressions = [
        "select parent_id, key, value from Metadata where key in "
        f"({quoted_list((*FRAME_KEYS, FRAME_OUT_KEY))}) "
        f"and parent_id in ({note_ids})",
        f"select note_id, component_id from NoteComponent where note_id in ({note_ids})",
    ]
    if user_ids:
        expressions.append(f"select {USER_FIELDS} from User where id in ({user_ids})")
    replies = execute(expressions)
    metadata: Dict[str, Dict[str, Any]] = {}
    for row in replies[0]:
        metadata.setdefault(row["parent_id"], {})[row["key"]] = row["value"]
    frames = {r["id"]: note_frame(metadata.get(r["id"], {})) for r in notes}
    last_frames: Dict[str, int] = {}
    for note_id, first in frames.items():
        last = _whole(metadata.get(note_id, {}).get(FRAME_OUT_KEY))
        if first is not None and last is not None and last > first:
            last_frames[note_id] = last
    drawings: Dict[str, List[str]] = {}
    for row in replies[1]:
        drawings.setdefault(row["note_id"], []).append(str(row["component_id"]))
    users = {row["id"]: row for row in replies[2]} if user_ids else {}
    return NoteDetails(frames, drawings, users, last_frames)


class NoteFacts(NamedTuple):
    """One note as each reader shows it: its row's fields, its author, its frame (and the last
    frame its drawing is held to) and the component ids of its drawings."""

    id: str
    content: str
    date: object  # as the row holds it (a datetime, an arrow, the wire's date object)
    parent_id: str
    in_reply_to_id: Optional[str]
    author: str  # :func:`display_name` of the author
    author_email: str
    frame: Optional[int]
    frame_out: Optional[int]  # only for a drawing held over several frames
    drawings: List[str]  # component ids, in the server's order
    #: an ftrack to-do (``Note.is_todo``); replies and comments are not
    is_todo: bool = False
    completed_at: object = None  # as the row holds it; None while the to-do is open
    completed_by: str = ""  # :func:`display_name` of who completed it
    completed_by_id: Optional[str] = None
    author_id: str = ""  # the author's User id (``Note.user_id``)


def feedback_notes(execute: Execute, object_ids: Iterable[object]) -> List[NoteFacts]:
    """The notes on ``object_ids`` and the replies to them, each with its author, frames and
    drawings (:func:`notes_of`, then :func:`note_details` in one ``execute`` call)."""
    rows = notes_of(execute, object_ids)
    details = note_details(execute, rows)
    return [_note_facts(row, details) for row in rows]


def _note_facts(row: Row, details: NoteDetails) -> NoteFacts:
    user = details.users.get(row["user_id"])
    return NoteFacts(
        id=str(row["id"]),
        content=row["content"] or "",
        date=row["date"],
        parent_id=row["parent_id"] or "",
        in_reply_to_id=row["in_reply_to_id"],
        author=display_name(user),
        author_email=(user["email"] or "") if user is not None else "",
        frame=details.frames.get(row["id"]),
        frame_out=details.last_frames.get(row["id"]),
        drawings=details.drawings.get(row["id"], []),
        is_todo=bool(row["is_todo"]),
        completed_at=row["completed_at"],
        completed_by=display_name(details.users.get(row["completed_by_id"] or "")),
        completed_by_id=row["completed_by_id"] or None,
        author_id=str(row["user_id"] or ""),
    )


def _whole(value: Any) -> Optional[int]:
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def status_rows(execute: Execute, object_ids: Iterable[object], fields: str = "") -> List[Row]:
    """Every ``ReviewSessionObjectStatus`` on ``object_ids`` (``fields``: more projections)."""
    extra = f", {fields}" if fields else ""
    return rows_in(
        execute,
        "select id, status, created_at, review_session_object_id, review_session_invitee_id"
        f"{extra} from ReviewSessionObjectStatus where review_session_object_id in",
        object_ids,
    )


def _text(value: object) -> str:
    return "" if value is None else str(value)


def latest_statuses(rows: Iterable[Row], when: Callable[[object], str] = _text) -> List[Row]:
    """Each invitee's current status per object: the latest of ``rows`` by ``created_at``
    (``when`` makes it comparable; by default its text, none first) and id, in the order they
    were first decided."""
    current: Dict[Tuple[str, str], Row] = {}
    for row in sorted(rows, key=lambda r: (when(r["created_at"]) or "", r["id"])):
        current[(row["review_session_object_id"], row["review_session_invitee_id"])] = row
    return list(current.values())


#: the namespace of the ids the embedded server derives (``ft_dcc.server.model.builtin_data``)
ID_NAMESPACE = uuid.UUID("5b0f3c55-1d2e-4d8e-9a44-6f1f0b1c2d3e")


def own_invitee_id(review_session_id: str, user_id: str) -> str:
    """The id of the invitee record that holds a studio User's own (internal) verdicts in a
    session of the embedded server: every other invitee's verdict is a client's."""
    return str(uuid.uuid5(ID_NAMESPACE, f"ReviewOwnInvitee:{review_session_id}:{user_id}"))


class StatusFacts(NamedTuple):
    """An invitee's current decision on one ``ReviewSessionObject``."""

    object_id: str
    invitee_id: str
    reviewer: str  # the invitee's name ("" when the invitee is gone)
    email: str
    status: str  # "approved" | "require_changes" (ftrack's values)
    date: object  # its ``created_at`` as the row holds it
    #: the studio's internal verdict (a User's own record, :func:`own_invitee_id`), not a client's
    studio: bool = False


def _is_own(invitee: Row, invitee_id: object) -> bool:
    maker, session = invitee["created_by_id"], invitee["review_session_id"]
    return bool(maker and session) and invitee_id == own_invitee_id(str(session), str(maker))


def current_statuses(
    execute: Execute, object_ids: Iterable[object], when: Callable[[object], str] = _text
) -> List[StatusFacts]:
    """Each invitee's current status on each of ``object_ids`` (:func:`latest_statuses`, by
    ``when``), with the invitee's name and e-mail: one query."""
    rows = status_rows(
        execute, object_ids, "invitee.name, invitee.email, invitee.created_by_id, "
        "invitee.review_session_id",
    )  # fmt: skip
    facts = []
    for row in latest_statuses(rows, when):
        invitee = row["invitee"]
        facts.append(
            StatusFacts(
                object_id=str(row["review_session_object_id"]),
                invitee_id=row["review_session_invitee_id"] or "",
                reviewer=(invitee["name"] or "") if invitee is not None else "",
                email=(invitee["email"] or "") if invitee is not None else "",
                status=row["status"] or "",
                date=row["created_at"],
                studio=invitee is not None and _is_own(invitee, row["review_session_invitee_id"]),
            )
        )
    return facts
