"""What claimed notices are about, read in a handful of queries for all of them, and who may hear
of each (the rules of :mod:`ft_dcc.server.identity.audience`, through the review room's
:class:`~ft_dcc.server.review.reads.sight.Sight`).

An :class:`Event` names its note, version, review session and review item, and says it in words
(its author, the version's name, the note's text and frame, the verdict). :func:`hearers` gives
the people who get it in their digest: to a version's author the new notes, verdicts and
reopened notes on their versions; to a person a note mentions (ftrack's ``Recipient``) the note.
Never the person who did it, never a User who cannot sign in (a collaborator standing for an
invitee, an inactive User), and never what that person may not see: a User who speaks for a
client invitee of the session (their claim) reads as that client does -- no internal note, no
studio verdict, no studio person's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Set

import sqlalchemy as sa

from ft_dcc.protocol.feedback import FRAME_KEYS, Execute, display_name, note_frame, rows_in
from ft_dcc.protocol.query_text import quoted_list
from ft_dcc.server.identity.model import Audience
from ft_dcc.server.model.builtin_data import COLLABORATOR_USER_TYPE_ID
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.notify.notices import (
    NOTE_CREATED,
    NOTE_REOPENED,
    VERDICT_GIVEN,
    Notice,
)
from ft_dcc.server.review.access.claim_records import claim_table
from ft_dcc.server.review.access.viewer import INVITEE_FIELDS, kinds_of
from ft_dcc.server.review.reads.sight import SHARED_KEY, STUDIO_SIGHT, Sight

#: what a version's author hears of (in their digest)
TO_AUTHOR = (NOTE_CREATED, VERDICT_GIVEN, NOTE_REOPENED)
#: the longest note text a digest or a webhook body carries
MOST_TEXT = 2000
VERDICT_WORDS = {"approved": "approved", "require_changes": "requires changes"}


@dataclass(frozen=True)
class Event:
    """One notice with what it is about."""

    notice_id: str
    topic: str
    created: float
    actor_id: str
    actor: str = ""
    note_id: Optional[str] = None
    version_id: Optional[str] = None
    review_session_id: Optional[str] = None
    object_id: Optional[str] = None
    version_name: str = ""
    version_author_id: str = ""
    text: str = ""
    frame: Optional[int] = None
    is_todo: bool = False
    #: the note was shared with the session's clients (``review.sight.SHARED_KEY``)
    shared: bool = False
    note_author_id: str = ""
    verdict: str = ""
    invitee_id: str = ""
    mentioned: List[str] = field(default_factory=list)

    def body(self) -> Dict[str, Any]:
        """The event as a webhook's JSON body says it (ids, and the words a person reads)."""
        return {
            "topic": self.topic, "id": self.notice_id, "created": self.created,
            "note_id": self.note_id, "version_id": self.version_id,
            "review_session_id": self.review_session_id, "review_session_object_id": self.object_id,
            "version": self.version_name, "by": self.actor, "text": self.text,
            "frame": self.frame, "verdict": self.verdict or None,
        }  # fmt: skip


@dataclass
class People:
    """The Users the events name (``id`` -> row) and who speaks for which client invitee."""

    users: Dict[str, Mapping[str, Any]]
    #: review session id -> the User ids who claimed one of its client invitees
    clients: Dict[str, Set[str]]
    #: review session id -> its client invitees' ids (whose verdicts are a client's)
    client_invitees: Dict[str, Set[str]]

    def may_hear(self, user_id: str) -> bool:
        """A User who signs in and has an address: not a collaborator, not inactive."""
        row = self.users.get(user_id)
        return bool(row and row.get("is_active") is not False and row.get("email")
                    and row.get("user_type_id") != COLLABORATOR_USER_TYPE_ID)  # fmt: skip

    def sight(self, user_id: str, session_id: Optional[str]) -> Sight:
        """How ``user_id`` sees ``session_id``: a client's sight when they speak for one of its
        client invitees, else the studio's."""
        if session_id and user_id in self.clients.get(session_id, set()):
            return Sight(Audience.CLIENT, own_authors=frozenset({user_id}),
                         client_invitees=frozenset(self.client_invitees.get(session_id, set())),
                         has_clients=True)  # fmt: skip
        return STUDIO_SIGHT


def _one(rows: Iterable[Any]) -> Dict[str, Any]:
    return {str(r["id"]): r for r in rows}


def read_events(ask: Execute, notices: Sequence[Notice]) -> List[Event]:
    """The events of ``notices`` (a notice whose entity is gone by now is dropped)."""
    of = {topic: [n.entity_id for n in notices if n.topic == topic] for topic in
          {n.topic for n in notices}}  # fmt: skip
    note_ids = [i for t, ids in of.items() if t.startswith("note.") for i in ids]
    notes = _one(rows_in(ask, "select id, content, parent_id, user_id, is_todo, in_reply_to_id "
                         "from Note where id in", note_ids))  # fmt: skip
    statuses = _one(rows_in(ask, "select id, status, review_session_object_id, "
                            "review_session_invitee_id from ReviewSessionObjectStatus where id in",
                            of.get(VERDICT_GIVEN, [])))  # fmt: skip
    parents = [n["parent_id"] for n in notes.values()] + [
        s["review_session_object_id"] for s in statuses.values()]  # fmt: skip
    objects = _one(rows_in(ask, "select id, version_id, review_session_id from "
                           "ReviewSessionObject where id in", parents))  # fmt: skip
    version_ids = set(parents) | {o["version_id"] for o in objects.values()}
    version_ids |= {i for t, ids in of.items() if t == "version.published" for i in ids}
    versions = _one(rows_in(ask, "select id, version, user_id, asset_id from AssetVersion where "
                            "id in", version_ids))  # fmt: skip
    assets = _one(rows_in(ask, "select id, name from Asset where id in",
                          [v["asset_id"] for v in versions.values()]))  # fmt: skip
    listed = quoted_list(sorted(notes))
    metadata: Dict[str, Dict[str, Any]] = {}
    mentions: Dict[str, List[str]] = {}
    if notes:
        keys = quoted_list((*FRAME_KEYS, SHARED_KEY))
        found = ask(
            [
                f"select parent_id, key, value from Metadata where key in ({keys}) and "
                f"parent_id in ({listed})",
                f"select note_id, resource_id from Recipient where note_id in ({listed})",
            ]
        )
        for row in found[0]:
            metadata.setdefault(row["parent_id"], {})[row["key"]] = row["value"]
        for row in found[1]:
            mentions.setdefault(row["note_id"], []).append(str(row["resource_id"]))
    events: List[Event] = []
    for notice in notices:
        event = Event(notice.id, notice.topic, notice.created, notice.actor_id)
        if notice.topic.startswith("note."):
            note = notes.get(notice.entity_id)
            if note is None:
                continue
            meta = metadata.get(notice.entity_id, {})
            text = str(note["content"] or "")[:MOST_TEXT]
            event = replace(event, note_id=notice.entity_id, text=text, frame=note_frame(meta),
                            is_todo=bool(note["is_todo"]),
                            shared=str(meta.get(SHARED_KEY, "")).lower() == "true",
                            note_author_id=str(note["user_id"] or ""),
                            mentioned=mentions.get(notice.entity_id, []))  # fmt: skip
            if notice.topic == NOTE_CREATED:
                event = replace(event, actor_id=event.note_author_id or notice.actor_id)
            parent = str(note["parent_id"] or "")
        elif notice.topic == VERDICT_GIVEN:
            status = statuses.get(notice.entity_id)
            if status is None:
                continue
            event = replace(
                event,
                verdict=str(status["status"] or ""),
                invitee_id=str(status["review_session_invitee_id"] or ""),
            )
            parent = str(status["review_session_object_id"] or "")
        else:
            parent = notice.entity_id
        obj = objects.get(parent)
        version = versions.get(obj["version_id"] if obj else parent)
        if version is None:
            continue  # a note on something else than a version (a task, a shot)
        asset = assets.get(str(version["asset_id"]))
        name = f"{asset['name'] if asset else 'version'} v{int(version['version'] or 0):03d}"
        events.append(replace(
            event, version_id=str(version["id"]), version_author_id=str(version["user_id"] or ""),
            version_name=name,
            object_id=str(obj["id"]) if obj else None,
            review_session_id=str(obj["review_session_id"]) if obj else None,
        ))  # fmt: skip
    return events


def read_people(ask: Execute, store: StoreParts, events: Sequence[Event]) -> People:
    """The Users ``events`` name, and the client speakers of their review sessions."""
    ids = {e.actor_id for e in events} | {e.version_author_id for e in events}
    ids |= {e.note_author_id for e in events} | {m for e in events for m in e.mentioned}
    users = _one(rows_in(ask, "select id, username, first_name, last_name, email, is_active, "
                         "user_type_id from User where id in", ids))  # fmt: skip
    sessions = sorted({e.review_session_id for e in events if e.review_session_id})
    client_invitees: Dict[str, Set[str]] = {}
    clients: Dict[str, Set[str]] = {}
    if sessions:
        invitees = rows_in(ask, f"select {INVITEE_FIELDS} from ReviewSessionInvitee where "
                           "review_session_id in", sessions)  # fmt: skip
        for session in sessions:
            rows: List[Any] = [r for r in invitees if r["review_session_id"] == session]
            client_invitees[session] = set(kinds_of(rows, session)["client"])
        table = claim_table(store)
        with store.engine.connect() as connection:
            for row in connection.execute(
                sa.select(table.c.invitee_id, table.c.user_id, table.c.review_session_id).where(
                    table.c.review_session_id.in_(sessions)
                )
            ):
                if row.invitee_id in client_invitees.get(row.review_session_id, set()):
                    clients.setdefault(row.review_session_id, set()).add(row.user_id)
    return People(users, clients, client_invitees)


def shown_to(event: Event, sight: Sight) -> bool:
    """Whether a reader with ``sight`` may see ``event`` (its note, its verdict)."""
    if event.note_id is not None:
        return sight.note_shown(event.note_author_id, event.shared)
    if event.topic == VERDICT_GIVEN:
        return sight.verdict_shown(event.invitee_id)
    return sight.is_studio


def hearers(event: Event, people: People) -> List[str]:
    """The User ids whose digest gets ``event`` (see the module)."""
    wanted: List[str] = []
    if event.topic in TO_AUTHOR and event.version_author_id:
        wanted.append(event.version_author_id)
    if event.topic == NOTE_CREATED:
        wanted.extend(event.mentioned)
    found = []
    for user_id in dict.fromkeys(wanted):
        if user_id == event.actor_id or not people.may_hear(user_id):
            continue
        if shown_to(event, people.sight(user_id, event.review_session_id)):
            found.append(user_id)
    return found


def said_by(event: Event, people: People, reader: str) -> str:
    """The name of who did ``event`` as ``reader`` may read it."""
    sight = people.sight(reader, event.review_session_id)
    return sight.author_name(event.actor_id, display_name(people.users.get(event.actor_id)))


def verdict_words(verdict: str) -> str:
    return VERDICT_WORDS.get(verdict, verdict.replace("_", " "))
