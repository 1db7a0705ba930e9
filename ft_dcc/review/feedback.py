"""The feedback reviewers left on published versions, read with standard ftrack queries.

ftrack records review feedback on each ``ReviewSessionObject`` (a version in a review session):
``Note`` entities (``author``, the ``frame`` in their metadata, drawings attached through
``NoteComponent``, replies through ``in_reply_to``) and one ``ReviewSessionObjectStatus`` per
invitee ("approved" / "require_changes"). This module reads them into plain value objects:
:func:`session_feedback` for a review session (``ft-dcc review feedback``) and
:func:`versions_feedback` for given versions, wherever they were reviewed (the DCC panels).

A handful of queries whatever the amount of feedback, never one per note: the queries are the
protocol's (:mod:`ft_dcc.protocol.feedback`, shared with the embedded server), run here one by one
with the session.
"""

from __future__ import annotations

import datetime as _dt
import logging
from typing import Any, Dict, List, Optional, Sequence

import attr

from ft_dcc.protocol.feedback import (
    Execute,
    NoteFacts,
    Row,
    current_statuses,
    feedback_notes,
    rows_in,
)
from ft_dcc.protocol.note_state import addressed_by, note_kind, note_state
from ft_dcc.protocol.query_text import quote
from ft_dcc.protocol.review_status import VERDICT_WORDS, verdict_word
from ft_dcc.session.interface import EntityOrId, PublishSession
from ft_dcc.session.replies import signed_url

log = logging.getLogger(__name__)


@attr.s(auto_attribs=True, kw_only=True)
class FeedbackNote:
    """A reviewer's note, with its drawings' URLs and its replies."""

    id: str
    content: str
    frame: Optional[int] = None
    #: the last frame the note's drawing is held to (None: only ``frame``)
    frame_out: Optional[int] = None
    author: str = ""
    author_email: str = ""
    date: Optional[str] = None  # ISO 8601, UTC
    in_reply_to_id: Optional[str] = None
    drawings: List[str] = attr.Factory(list)  # URLs of the PNGs drawn on the frame
    replies: List[FeedbackNote] = attr.Factory(list)
    #: an ftrack to-do (``Note.is_todo``): the artist addresses it; a comment or reply is not
    is_todo: bool = False
    completed_at: Optional[str] = None  # ISO 8601, UTC; None while the to-do is open
    completed_by: str = ""
    #: the version whose publish addressed it ("shot v002"; ``ft_dcc.protocol.note_state``)
    addressed_by: str = ""

    @property
    def kind(self) -> str:
        """``to-do``, ``comment`` or ``reply``."""
        return note_kind(self.is_todo, self.in_reply_to_id)

    @property
    def state(self) -> str:
        """A to-do's ``open`` or ``addressed`` ("" for a comment or a reply)."""
        return note_state(self.is_todo, self.in_reply_to_id, self.completed_at)


@attr.s(auto_attribs=True, kw_only=True)
class ReviewerStatus:
    """One invitee's current decision on a version."""

    status: str  # "approved" | "require_changes" (ftrack's values)
    reviewer: str = ""
    email: str = ""
    date: Optional[str] = None
    #: the studio's internal verdict (a studio member's own page), not a client's
    studio: bool = False


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
    review_session_id: Optional[str] = None
    #: the asset's latest version when it is newer than this one (its notes may be addressed)
    newer_version: Optional[int] = None
    newer_version_id: Optional[str] = None

    @property
    def addressed_hint(self) -> str:
        """ "addressed in v003?" when the asset has a newer version, else ""."""
        return f"addressed in v{self.newer_version:03d}?" if self.newer_version else ""

    @property
    def label(self) -> str:
        number = f"v{self.version:03d}" if self.version is not None else ""
        return " ".join(p for p in (self.asset, number) if p)

    def to_dict(self) -> Dict[str, object]:
        return attr.asdict(self)


STATUS_WORDS = VERDICT_WORDS


def status_word(status: str) -> str:
    """How a status reads to a person (:func:`ft_dcc.protocol.review_status.verdict_word`)."""
    return verdict_word(status)


def by_frame(notes: Sequence[FeedbackNote]) -> List[FeedbackNote]:
    """Notes by frame (notes without one last), then by date: the order of the timeline."""
    return sorted(notes, key=lambda n: (n.frame is None, n.frame or 0, n.date or ""))


# -- reading ----------------------------------------------------------------------------------
OBJECT_FIELDS = "id, name, version_id, sort_order, review_session_id, review_session.name"


def _execute(session: PublishSession) -> Execute:
    """``session`` as the protocol's ``execute``: each expression one query."""

    def execute(expressions: Sequence[str]) -> List[List[Row]]:
        return [list(session.query(expression).all()) for expression in expressions]

    return execute


def session_feedback(session: PublishSession, review_session: EntityOrId) -> List[VersionFeedback]:
    """The feedback on every version of ``review_session``, in the session's order."""
    rs_id = review_session if isinstance(review_session, str) else review_session["id"]
    objects = session.query(
        f"select {OBJECT_FIELDS} from ReviewSessionObject where review_session_id is {quote(rs_id)}"
    ).all()
    return _feedback(session, sorted(objects, key=lambda o: o["sort_order"] or 0))


def versions_feedback(session: PublishSession, version_ids: Sequence[str]) -> List[VersionFeedback]:
    """The feedback on ``version_ids`` in every review session they are in."""
    objects = rows_in(
        _execute(session),
        f"select {OBJECT_FIELDS} from ReviewSessionObject where version_id in",
        version_ids,
    )
    return _feedback(session, objects)


def _feedback(session: PublishSession, objects: Sequence[Row]) -> List[VersionFeedback]:
    if not objects:
        return []
    execute = _execute(session)
    object_ids = [o["id"] for o in objects]
    versions = {
        v["id"]: v
        for v in rows_in(
            execute,
            "select id, version, asset.name, asset.versions.id, asset.versions.version "
            "from AssetVersion where id in",
            [o["version_id"] for o in objects],
        )
    }
    notes = _read_notes(execute, str(session.server_url), object_ids)
    _sign_drawings(session, [n for per in notes.values() for n in per])
    statuses = _read_statuses(execute, object_ids)
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
                review_session_id=obj["review_session_id"],
            )
        )
        if version is not None:
            _mark_newer(result[-1], version)
    return result


def _mark_newer(feedback: VersionFeedback, version: Row) -> None:
    """Note on ``feedback`` the asset's latest version when it is newer than ``version``."""
    newest = _newest(version["asset"]["versions"])
    if newest is not None and int(newest["version"] or 0) > int(version["version"] or 0):
        feedback.newer_version = int(newest["version"])
        feedback.newer_version_id = str(newest["id"])


def _newest(versions: Sequence[Row]) -> Optional[Row]:
    """The highest-numbered of an asset's versions (None for none)."""
    return max(versions, key=lambda v: v["version"] or 0, default=None)


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


def _read_notes(
    execute: Execute, server_url: str, object_ids: Sequence[str]
) -> Dict[str, List[FeedbackNote]]:
    """Top-level notes per object id, oldest first, replies nested (oldest first); drawings as
    download URLs on ``server_url`` (without credentials)."""
    facts = feedback_notes(execute, object_ids)
    base = server_url.rstrip("/")
    notes = {}
    for fact in sorted(facts, key=lambda f: (_iso(f.date) or "", f.id)):
        notes[fact.id] = FeedbackNote(
            id=fact.id,
            content=fact.content,
            date=_iso(fact.date),
            in_reply_to_id=fact.in_reply_to_id,
            author=fact.author,
            author_email=fact.author_email,
            frame=fact.frame,
            frame_out=fact.frame_out,
            drawings=[f"{base}/component/get?id={component_id}" for component_id in fact.drawings],
            is_todo=fact.is_todo,
            completed_at=_iso(fact.completed_at),
            completed_by=fact.completed_by,
        )
    answers: Dict[str, List[NoteFacts]] = {}
    for fact in sorted(facts, key=lambda f: (_iso(f.date) or "", f.id)):
        answers.setdefault(fact.in_reply_to_id or "", []).append(fact)
    for fact in facts:
        notes[fact.id].addressed_by = addressed_by(
            fact.completed_at,
            fact.completed_by_id,
            [(r.content, r.author_id) for r in answers.get(fact.id, [])],
        )
    per_object: Dict[str, List[FeedbackNote]] = {}
    parents = {f.id: f.parent_id for f in facts}
    for note in notes.values():
        parent_note = notes.get(note.in_reply_to_id or "")
        if parent_note is not None:
            parent_note.replies.append(note)
        else:
            per_object.setdefault(parents[note.id], []).append(note)
    return per_object


def _sign_drawings(session: PublishSession, notes: Sequence[FeedbackNote]) -> None:
    """Swap each drawing's plain download URL (it needs an API key) for a short-lived signed one
    that opens in a browser (``generate_signed_url``, one call for all); keep the plain URLs
    where the server cannot sign."""
    every = [n for note in notes for n in (note, *note.replies)]
    ids = sorted({url.rsplit("id=", 1)[-1] for n in every for url in n.drawings})
    if not ids:
        return
    try:
        replies = session.call(
            [{"action": "generate_signed_url", "component_id": ident} for ident in ids]
        )
        signed = {ident: signed_url(reply) for ident, reply in zip(ids, replies)}
    except Exception as exc:  # an older server: the plain URLs still work with an API key
        log.warning("could not sign the drawings' URLs (%s); they need an API key to open", exc)
        return
    for note in every:
        note.drawings = [signed.get(url.rsplit("id=", 1)[-1], url) for url in note.drawings]


def _read_statuses(execute: Execute, object_ids: Sequence[str]) -> Dict[str, List[ReviewerStatus]]:
    """Each invitee's latest status per object id, by reviewer name."""
    result: Dict[str, List[ReviewerStatus]] = {}
    for fact in current_statuses(execute, object_ids, when=lambda value: _iso(value) or ""):
        result.setdefault(fact.object_id, []).append(
            ReviewerStatus(
                status=fact.status,
                reviewer=fact.reviewer,
                email=fact.email,
                date=_iso(fact.date),
                studio=fact.studio,
            )
        )
    for statuses in result.values():
        statuses.sort(key=lambda s: (s.reviewer.lower(), s.email))
    return result
