"""The live streams' hub, one per server process: it listens on the event broker, turns each
committed change of a review session into the event its pages get (:func:`live_event`) and hands
it to the open streams of that session, each held to its link's grant
(:class:`~ft_dcc.server.review.access.in_flight.LinkGrant`).
The ``/live`` route that opens a stream is :mod:`ft_dcc.server.review.presenter.live`'s."""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from typing import Callable, List, Mapping, Optional, Tuple

from ft_dcc.protocol import TOPIC_UPDATE
from ft_dcc.server.events.hub import EventBroker
from ft_dcc.server.limits.open_caps import KeyedSets
from ft_dcc.server.review.access.in_flight import LinkGrant
from ft_dcc.server.review.presenter.presenter_state import PRESENTER_TOPIC
from ft_dcc.server.review.presenter.watchers import WATCHERS_TOPIC

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15.0
#: what wakes a stream whose end moved (never sent)
WAKE: LiveEvent = ("wake", {})
#: Events waiting for a slow reader before its stream is ended (it reconnects and re-reads).
MAX_QUEUE = 500

#: (event name, payload sent as its JSON data)
LiveEvent = Tuple[str, Mapping[str, object]]


def _parent(entity: Mapping[str, object], entity_type: str) -> Optional[str]:
    parents = entity.get("parents")
    for parent in parents if isinstance(parents, list) else []:
        if isinstance(parent, dict) and parent.get("entity_type") == entity_type:
            ident = parent.get("entityId")
            return ident if isinstance(ident, str) else None
    return None


def _new_value(entity: Mapping[str, object], *names: str) -> Optional[str]:
    changes = entity.get("changes")
    for name in names:
        change = changes.get(name) if isinstance(changes, dict) else None
        if isinstance(change, dict) and (change.get("new") or change.get("old")):
            value = change.get("new") or change.get("old")
            return value if isinstance(value, str) else None
    return None


def live_event(entity: Mapping[str, object]) -> Optional[Tuple[str, LiveEvent]]:
    """(review session id, (event name, payload)) for one ``ftrack.update`` entity, or None."""
    entity_type = entity.get("entity_type")
    action = entity.get("action")
    session_id = _parent(entity, "ReviewSession")
    object_id = _parent(entity, "ReviewSessionObject")
    if not session_id:
        return None
    if entity_type == "ReviewSessionObject" and action == "add":
        return session_id, ("object", {"object_id": entity.get("entityId")})
    if entity_type == "ReviewSessionObjectStatus":
        invitee = _new_value(entity, "review_session_invitee_id", "invitee")
        return session_id, ("status", {"object_id": object_id, "invitee_id": invitee})
    if entity_type == "Note" and action == "add" and object_id:
        return session_id, ("note", {"object_id": object_id, "note_id": entity.get("entityId")})
    if entity_type == "NoteComponent" and action == "add" and object_id:
        return session_id, ("note", {"object_id": object_id, "note_id": _parent(entity, "Note")})
    return None


class Stream:
    def __init__(self, loop: asyncio.AbstractEventLoop, grant: Optional[LinkGrant] = None) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Optional[LiveEvent]] = asyncio.Queue()
        self.grant = grant
        #: the grant no longer stands: nothing more is sent, the stream is ending
        self.revoked = False
        #: the revocation bus's generation when the grant was last checked
        self.checked = 0
        #: when the stream ends (Unix seconds): its link's expiry, a client link's end_date, as
        #: last checked (a moved end_date moves it: :meth:`LiveRoutes.holds`)
        self.expires = float("inf")
        #: why the grant fell, when it was refused (the page shows it: ``event: refused``)
        self.reason = ""

    def end(self) -> None:
        """Revoked: send nothing more, end the stream (thread-safe)."""
        self.revoked = True
        try:
            self.loop.call_soon_threadsafe(self.queue.put_nowait, None)
        except RuntimeError:  # the loop is closed: the server is stopping
            pass

    def put(self, item: Optional[LiveEvent]) -> None:
        """Thread-safe; a reader too far behind gets its stream ended (``None``)."""

        def _put() -> None:
            self.queue.put_nowait(None if self.queue.qsize() >= MAX_QUEUE else item)

        try:
            self.loop.call_soon_threadsafe(_put)
        except RuntimeError:  # the loop is closed: the server is stopping
            pass


def version_status_moved(entity: Mapping[str, object]) -> Optional[str]:
    """The id of a version whose workflow status an ``ftrack.update`` entity changed, or None."""
    if entity.get("entity_type") != "AssetVersion" or entity.get("action") != "update":
        return None
    keys = entity.get("keys")
    changes = entity.get("changes")
    named = list(keys if isinstance(keys, list) else []) + list(
        changes if isinstance(changes, dict) else []
    )
    ident = entity.get("entityId")
    moved = any(isinstance(k, str) and k.replace("_", "") == "statusid" for k in named)
    return ident if moved and isinstance(ident, str) else None


#: the (review session id, object id) pairs that show a version (read by the live routes)
Holders = Callable[[str], List[Tuple[str, str]]]
#: the (review session id, object id) a note is on, or None (read by the live routes)
NoteOf = Callable[[str], Optional[Tuple[str, str]]]


def note_metadata(entity: Mapping[str, object]) -> Optional[str]:
    """The id of the note whose ``Metadata`` an ``ftrack.update`` entity wrote, or None."""
    if entity.get("entity_type") != "Metadata":
        return None
    key = entity.get("entity_key")
    if isinstance(key, list) and key and isinstance(key[0], str):
        ident = key[0]
    else:
        text = entity.get("entityId")
        ident = text.split(",")[0] if isinstance(text, str) else ""
    return ident or None


class LiveHub:
    """This process's live streams by review session, fed by the event broker."""

    def __init__(self) -> None:
        self._streams: KeyedSets[Stream] = KeyedSets()
        #: where a version is shown, to tell those sessions' pages its status moved (a version
        #: is in many sessions: a verdict in one, or a change through /api, moves it in all)
        self.holders: Holders = lambda _version_id: []
        #: which session's item a note is on (a note's metadata names only the note)
        self.note_of: NoteOf = lambda _note_id: None

    def add(self, review_session_id: str, stream: Stream) -> None:
        self._streams.add(review_session_id, stream)

    def remove(self, review_session_id: str, stream: Stream) -> None:
        self._streams.discard(review_session_id, stream)

    def on_event(self, event: Mapping[str, object]) -> None:
        """A broker listener: pass each review change to its session's streams."""
        data = event.get("data")
        if not self._streams or not isinstance(data, dict):
            return
        if event.get("topic") == PRESENTER_TOPIC:
            state = data.get("presenter")
            self._send(str(data.get("review_session_id")),
                       ("presenter", state if isinstance(state, dict) else {}))  # fmt: skip
        if event.get("topic") == WATCHERS_TOPIC:
            self._send(str(data.get("review_session_id")), ("watchers", {}))  # read by each
        if event.get("topic") != TOPIC_UPDATE:
            return
        entities = data.get("entities")
        for entity in entities if isinstance(entities, list) else []:
            found = live_event(entity) if isinstance(entity, dict) else None
            if found is not None:
                self._send(*found)
            moved = version_status_moved(entity) if isinstance(entity, dict) else None
            if moved is not None:
                self._version_moved(moved)
            noted = note_metadata(entity) if isinstance(entity, dict) else None
            if noted is not None:
                self._note_changed(noted)

    def _note_changed(self, note_id: str) -> None:
        """Tell the pages of the session holding ``note_id`` that the note changed (shared with
        the client, or kept internal again): they read their feedback again."""
        try:
            found = self.note_of(note_id)
        except Exception:  # the hub never stops for one lookup
            log.exception("could not read where note %s is", note_id)
            return
        if found is not None:
            self._send(found[0], ("note", {"object_id": found[1], "note_id": note_id}))

    def _version_moved(self, version_id: str) -> None:
        """Tell the pages showing ``version_id`` that its status moved (``event: status``
        without an invitee: they re-read their feedback, which holds it for the studio)."""
        try:
            holders = self.holders(version_id)
        except Exception:  # the hub never stops for one lookup
            log.exception("could not read where version %s is shown", version_id)
            return
        for session_id, object_id in holders:
            self._send(session_id, ("status", {"object_id": object_id, "invitee_id": None}))

    def _send(self, session_id: str, item: LiveEvent) -> None:
        for stream in self._streams.members(session_id):
            if not stream.revoked:
                stream.put(item)

    def streams(self) -> List[Stream]:
        """Every open stream of this process."""
        return self._streams.every()


#: each broker's hub, kept while the broker lives (by the broker, not its ``id``: a broker made
#: where an ended one lay would have been handed the ended one's hub, which never hears it)
_hubs: weakref.WeakKeyDictionary[EventBroker, LiveHub] = weakref.WeakKeyDictionary()
_hubs_lock = threading.Lock()


def hub_for(broker: EventBroker) -> LiveHub:
    """The hub listening on ``broker`` (made and registered on first use)."""
    with _hubs_lock:
        hub = _hubs.get(broker)
        if hub is None:
            hub = _hubs[broker] = LiveHub()
            broker.listeners.append(hub.on_event)
        return hub
