"""The feedback reviewers left on published versions, read with standard ftrack queries.

ftrack records review feedback on each ``ReviewSessionObject`` (a version in a review session):
``Note`` entities (``author``, the ``frame`` in their metadata, drawings attached through
``NoteComponent``, replies through ``in_reply_to``) and one ``ReviewSessionObjectStatus`` per
invitee ("approved" / "require_changes"). This module reads them into plain value objects:
:func:`session_feedback` for a review session (``ft-dcc review feedback``) and
:func:`versions_feedback` for given versions, wherever they were reviewed (the DCC panels).

A handful of queries whatever the amount of feedback, never one per note.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Dict, Iterable, List, Optional, Sequence

import attr

from ft_dcc.protocol.query_text import quote, quoted_list
from ft_dcc.session.interface import PublishSession

Row = Any  # an entity (ft_dcc.Session or ftrack_api) read with the projections below


@attr.s(auto_attribs=True, kw_only=True)
class FeedbackNote:
    """A reviewer's note, with its drawings' URLs and its replies."""

    id: str
    content: str
    frame: Optional[int] = None
    author: str = ""
    author_email: str = ""
    date: Optional[str] = None  # ISO 8601, UTC
    in_reply_to_id: Optional[str] = None
    drawings: List[str] = attr.Factory(list)  # URLs of the PNGs drawn on the frame
    replies: List[FeedbackNote] = attr.Factory(list)


@attr.s(auto_attribs=True, kw_only=True)
class ReviewerStatus:
    """One invitee's current decision on a version."""

    status: str  # "approved" | "require_changes" (ftrack's values)
    reviewer: str = ""
    email: str = ""
    date: Optional[str] = None


@attr.s(auto_attribs=True, kw_only=True)
class VersionFeedback:
    """The feedback on one version in one review session."""

    review_session_object_id: str
    review_session: str = ""
    asset: str = ""
    version: Optional[int] = None
    version_id: Optional[str] = None
    notes: List[FeedbackNote] = attr.Factory(list)  # top-level notes; replies inside them
    statuses: List[ReviewerStatus] = attr.Factory(list)

    @property
    def label(self) -> str:
        number = f"v{self.version:03d}" if self.version is not None else ""
        return " ".join(p for p in (self.asset, number) if p)

    def to_dict(self) -> Dict[str, Any]:
        return attr.asdict(self)


FRAME_KEYS = ("frame", "frame_number", "frameNumber", "reviewFrame")


def note_frame(metadata: Dict[str, Any]) -> Optional[int]:
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


STATUS_WORDS = {"approved": "Approved", "require_changes": "Changes requested"}


def status_word(status: str) -> str:
    """How a status reads to a person."""
    return STATUS_WORDS.get(status, status.replace("_", " ").capitalize())


def by_frame(notes: Sequence[FeedbackNote]) -> List[FeedbackNote]:
    """Notes by frame (notes without one last), then by date: the order of the timeline."""
    return sorted(notes, key=lambda n: (n.frame is None, n.frame or 0, n.date or ""))


# -- reading ----------------------------------------------------------------------------------
OBJECT_FIELDS = "id, name, version_id, sort_order, review_session_id, review_session.name"


def _in(ids: Iterable[Any]) -> str:
    return quoted_list(sorted({str(i) for i in ids}))


def _query(session: PublishSession, what: str, ids: Iterable[Any]) -> List[Row]:
    """``what`` (ending in ``... in``) over ``ids``; nothing asked when there are none."""
    listed = _in(ids)
    return list(session.query(f"{what} ({listed})").all()) if listed else []


def _by_id(session: PublishSession, what: str, ids: Iterable[Any]) -> Dict[str, Row]:
    """:func:`_query` keyed by each row's id (``ids`` may hold empty values: they are left out)."""
    return {row["id"]: row for row in _query(session, what, [i for i in ids if i])}


def session_feedback(session: PublishSession, review_session: Any) -> List[VersionFeedback]:
    """The feedback on every version of ``review_session``, in the session's order."""
    rs_id = review_session if isinstance(review_session, str) else review_session["id"]
    objects = session.query(
        f"select {OBJECT_FIELDS} from ReviewSessionObject where review_session_id is {quote(rs_id)}"
    ).all()
    return _feedback(session, sorted(objects, key=lambda o: o["sort_order"] or 0))


def versions_feedback(session: PublishSession, version_ids: Sequence[str]) -> List[VersionFeedback]:
    """The feedback on ``version_ids`` in every review session they are in."""
    objects = _query(
        session, f"select {OBJECT_FIELDS} from ReviewSessionObject where version_id in", version_ids
    )
    return _feedback(session, objects)


def _feedback(session: PublishSession, objects: Sequence[Row]) -> List[VersionFeedback]:
    if not objects:
        return []
    object_ids = [o["id"] for o in objects]
    versions = _by_id(
        session, "select id, version, asset.name from AssetVersion where id in",
        [o["version_id"] for o in objects],
    )  # fmt: skip
    notes = _read_notes(session, object_ids)
    statuses = _read_statuses(session, object_ids)
    result = []
    for obj in objects:
        version = versions.get(obj["version_id"])
        result.append(
            VersionFeedback(
                review_session_object_id=obj["id"],
                review_session=str(obj["review_session"]["name"] or ""),
                asset=str(version["asset"]["name"]) if version is not None else obj["name"] or "",
                version=int(version["version"]) if version is not None else None,
                version_id=obj["version_id"],
                notes=notes.get(obj["id"], []),
                statuses=statuses.get(obj["id"], []),
            )
        )
    return result


def _iso(value: Any) -> Optional[str]:
    if value is None or value == "":
        return None
    if hasattr(value, "datetime") and not isinstance(value, _dt.datetime):  # arrow (ftrack_api)
        value = value.datetime
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.astimezone(_dt.timezone.utc).isoformat(timespec="seconds")
    return str(value)


def _name(user: Optional[Row]) -> str:
    if user is None:
        return ""
    full = " ".join(p for p in (user["first_name"], user["last_name"]) if p)
    return full or user["username"] or ""


def _read_notes(
    session: PublishSession, object_ids: Sequence[str]
) -> Dict[str, List[FeedbackNote]]:
    """Top-level notes per object id, oldest first, replies nested (oldest first)."""
    rows = _query(
        session,
        "select id, content, date, user_id, parent_id, in_reply_to_id from Note where parent_id in",
        object_ids,
    )
    known = {r["id"] for r in rows}
    rows += [
        r
        for r in _query(
            session,
            "select id, content, date, user_id, parent_id, in_reply_to_id from Note "
            "where in_reply_to_id in",
            known,
        )
        if r["id"] not in known
    ]
    note_ids = [r["id"] for r in rows]
    metadata: Dict[str, Dict[str, Any]] = {}
    for row in _query(
        session, "select parent_id, key, value from Metadata where parent_id in", note_ids
    ):
        metadata.setdefault(row["parent_id"], {})[row["key"]] = row["value"]
    users = _by_id(
        session, "select id, username, first_name, last_name, email from User where id in",
        [r["user_id"] for r in rows],
    )  # fmt: skip
    drawings = _drawings(session, note_ids)
    notes = {}
    for row in sorted(rows, key=lambda r: (_iso(r["date"]) or "", r["id"])):
        user = users.get(row["user_id"])
        notes[row["id"]] = FeedbackNote(
            id=row["id"],
            content=row["content"] or "",
            frame=note_frame(metadata.get(row["id"], {})),
            author=_name(user),
            author_email=(user["email"] or "") if user is not None else "",
            date=_iso(row["date"]),
            in_reply_to_id=row["in_reply_to_id"],
            drawings=drawings.get(row["id"], []),
        )
    per_object: Dict[str, List[FeedbackNote]] = {}
    parents = {r["id"]: r["parent_id"] for r in rows}
    for note in notes.values():
        parent_note = notes.get(note.in_reply_to_id or "")
        if parent_note is not None:
            parent_note.replies.append(note)
        else:
            per_object.setdefault(parents[note.id], []).append(note)
    return per_object


def _drawings(session: PublishSession, note_ids: Sequence[str]) -> Dict[str, List[str]]:
    """The URLs of each note's attached components (its drawings), without credentials."""
    base = str(session.server_url).rstrip("/")
    found: Dict[str, List[str]] = {}
    for row in _query(
        session, "select note_id, component_id from NoteComponent where note_id in", note_ids
    ):
        url = f"{base}/component/get?id={row['component_id']}"
        found.setdefault(row["note_id"], []).append(url)
    return found


def _read_statuses(
    session: PublishSession, object_ids: Sequence[str]
) -> Dict[str, List[ReviewerStatus]]:
    """Each invitee's latest status per object id, by reviewer name."""
    rows = _query(
        session,
        "select id, status, created_at, review_session_object_id, review_session_invitee_id, "
        "invitee.name, invitee.email from ReviewSessionObjectStatus "
        "where review_session_object_id in",
        object_ids,
    )
    latest: Dict[Any, Row] = {}
    for row in sorted(rows, key=lambda r: (_iso(r["created_at"]) or "", r["id"])):
        latest[(row["review_session_object_id"], row["review_session_invitee_id"])] = row
    result: Dict[str, List[ReviewerStatus]] = {}
    for (object_id, _), row in latest.items():
        invitee = row["invitee"]
        result.setdefault(object_id, []).append(
            ReviewerStatus(
                status=row["status"] or "",
                reviewer=(invitee["name"] or "") if invitee is not None else "",
                email=(invitee["email"] or "") if invitee is not None else "",
                date=_iso(row["created_at"]),
            )
        )
    for statuses in result.values():
        statuses.sort(key=lambda s: (s.reviewer.lower(), s.email))
    return result
