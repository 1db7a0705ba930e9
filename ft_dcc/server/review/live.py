"""Live feedback for the review page: ``GET /review/<rs id>/live?token=`` (server-sent events).

Nothing polls: the stream is fed by the server's ``ftrack.update`` events (``ActionContext``
emits one after every committed write batch, whoever made it, the page or any ``/api`` client),
which the event broker delivers in every server process (``ft_dcc.server.events.fanout`` relays them
over PostgreSQL between workers). :class:`LiveHub`, one per process, listens on the broker
(``EventBroker.listeners``) and hands each change of a session to that session's streams:

- ``event: note``, ``data: {"object_id", "note_id"}`` — a Note (a drawing too) or a
  NoteComponent added on one of the session's objects;
- ``event: status``, ``data: {"object_id", "invitee_id"}`` — a ReviewSessionObjectStatus added,
  changed or removed;
- ``event: object``, ``data: {"object_id"}`` — a ReviewSessionObject added;
- ``event: presenter``, ``data: {"seq", "lead", "state"}`` — who presents and where
  (:mod:`ft_dcc.server.review.presenter`); the current one is sent first on every connect;
- ``event: watchers``, ``data: {"watchers": [{"key", "name", "pages"}]}`` — who has the
  session's page open now (:mod:`ft_dcc.server.review.watchers`: each stream is its link's
  person), sent on connect and whenever a page joins or leaves.

The stream opens with ``retry: 3000`` and ``: connected``, sends ``: keep-alive`` every
:data:`KEEPALIVE_SECONDS`, and ends when the link expires (EventSource then reconnects and gets
a 403 on an expired link). The link is checked as for the page (:mod:`ft_dcc.server.review.links`)
when the stream opens, and again (:meth:`LiveRoutes.holds`) whenever a revocation it rests on
arrives (``grants.bus``: its invitee removed, its maker deactivated, its session changed, in any
server process) and before each event after one: a stream whose link no longer opens the
session, a room link's stream of a session made private since, or a stream of a session closed
or deleted since, receives nothing more and is ended.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import AsyncIterator, Dict, List, Mapping, Optional, Tuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from ft_dcc.protocol import TOPIC_UPDATE
from ft_dcc.server import open_caps
from ft_dcc.server.errors import NotFound
from ft_dcc.server.events.hub import EventBroker
from ft_dcc.server.grants.bus import EVERYTHING, INVITEE, LINK, SESSION, USER, Revocation
from ft_dcc.server.open_caps import KeyedSets
from ft_dcc.server.review.access import ReviewAccessError
from ft_dcc.server.review.data import ReviewData
from ft_dcc.server.review.links import Link, open_link
from ft_dcc.server.review.page import ReviewRoutes
from ft_dcc.server.review.presenter_people import asker_of
from ft_dcc.server.review.presenter_state import PRESENTER_TOPIC, Person, public_state
from ft_dcc.server.review.presenter_table import table_for
from ft_dcc.server.review.watchers import WATCHERS_TOPIC, announce, watcher_table

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


@dataclass(frozen=True)
class LinkGrant:
    """What an open stream rests on: its link, and the session as it was when it opened."""

    token: str
    review_session_id: str
    maker_id: str
    invitee_id: Optional[str]
    shared: bool
    was_private: bool
    was_open: bool
    #: the viewer's passphrase grant (when the session asks for one)
    passed: Optional[str] = None

    def rests_on(self, revocation: Revocation) -> bool:
        """Whether ``revocation`` may have taken this grant's ground away."""
        return revocation.kind == LINK or any(
            revocation.covers(kind, subject)
            for kind, subject in ((SESSION, self.review_session_id), (USER, self.maker_id),
                                  (INVITEE, self.invitee_id))
            if subject
        )  # fmt: skip


class _Stream:
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


class LiveHub:
    """This process's live streams by review session, fed by the event broker."""

    def __init__(self) -> None:
        self._streams: KeyedSets[_Stream] = KeyedSets()

    def add(self, review_session_id: str, stream: _Stream) -> None:
        self._streams.add(review_session_id, stream)

    def remove(self, review_session_id: str, stream: _Stream) -> None:
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

    def _send(self, session_id: str, item: LiveEvent) -> None:
        for stream in self._streams.members(session_id):
            if not stream.revoked:
                stream.put(item)

    def streams(self) -> List[_Stream]:
        """Every open stream of this process."""
        return self._streams.every()


_hubs: Dict[int, LiveHub] = {}
_hubs_lock = threading.Lock()


def hub_for(broker: EventBroker) -> LiveHub:
    """The hub listening on ``broker`` (made and registered on first use)."""
    with _hubs_lock:
        hub = _hubs.get(id(broker))
        if hub is None:
            hub = _hubs[id(broker)] = LiveHub()
            broker.listeners.append(hub.on_event)
        return hub


def _frame(item: LiveEvent) -> str:
    name, payload = item
    return f"event: {name}\ndata: {json.dumps(payload, separators=(',', ':'))}\n\n"


def _viewer(request: Request, link: Link) -> str:
    """Whose ``/live`` streams count together: an invitee's, a personal link's maker's, else
    (a shared room link: anyone) the source address's."""
    if link.invitee is not None:
        return "invitee:" + link.invitee.id
    if link.personal:
        return "user:" + link.maker_id
    return "source:" + (request.client.host if request.client else "unknown")


class LiveRoutes:
    """``GET /review/<rs id>/live`` for one server."""

    def __init__(self, base: ReviewRoutes) -> None:
        self.base = base
        broker = base.server.events
        self.hub = hub_for(broker) if broker is not None else None
        self.presenter = table_for(base.server.store)
        self.watchers = watcher_table(base.server.store)
        self.revocations = base.server.revocations
        self.revocations.subscribe(self._on_revocation)
        self.open = open_caps.OpenCount(open_caps.most_streams())

    def _on_revocation(self, revocation: Revocation) -> None:
        """Re-check the open streams resting on what was revoked; end those that fell."""
        for stream in self.hub.streams() if self.hub is not None else []:
            if stream.grant is None or stream.revoked:
                continue
            if revocation.kind == EVERYTHING or stream.grant.rests_on(revocation):
                stream.checked = revocation.seq
                if not self.holds(stream.grant, stream):
                    stream.end()

    def holds(self, grant: LinkGrant, stream: Optional[_Stream] = None) -> bool:
        """Whether ``grant``'s link still opens its session as it did (database); a ``stream``
        resting on it then ends when the link now does (a moved end_date wakes it)."""
        server = self.base.server
        try:
            link = open_link(server.store, server.ctx.execute, self.base.signer, grant.token,
                             grant.review_session_id, passed=grant.passed)  # fmt: skip
            facts = ReviewData(server.ctx.execute, link.maker_id).session_facts(
                grant.review_session_id
            )
        except Exception as error:  # refused (ReviewAccessError) or not checkable: it fell
            log.info("a live stream's link no longer holds: %s", error)
            return False
        if stream is not None and link.expires and link.expires != stream.expires:
            stream.expires = link.expires
            stream.put(WAKE)
        if facts is None:
            return False  # the session was deleted
        if link.shared and facts.private and not grant.was_private:
            return False  # made private: its room link no longer follows it
        return facts.is_open or not grant.was_open  # closed since

    def _person(
        self, review_session_id: str, data: ReviewData, link: Link
    ) -> Tuple[Person, LinkGrant]:
        server = self.base.server
        facts, who = asker_of(server.store, server.ctx.execute, data, review_session_id, link,
                              missing=ReviewAccessError)  # fmt: skip
        invitee = link.invitee.id if link.invitee is not None else None
        grant = LinkGrant(link.token, review_session_id, link.maker_id, invitee, link.shared,
                          facts.private, facts.is_open, link.passed)  # fmt: skip
        return who, grant

    async def live(self, request: Request) -> Response:
        generation = self.revocations.generation  # a revocation from now on: checked again
        review_session_id, data, link = await self.base.access(request)
        who, grant = await run_in_threadpool(self._person, review_session_id, data, link)
        if self.hub is None:
            raise NotFound("This server runs without its event hub; reload to see new feedback.")
        stream = _Stream(asyncio.get_running_loop(), grant)
        stream.checked = generation
        viewer = _viewer(request, link)
        stream.expires = link.expires or stream.expires
        events = self._events(review_session_id, stream, who)
        if not self.open.enter(viewer, events):  # streams per viewer (open_caps)
            raise open_caps.too_many_streams(self.open.most)
        self.hub.add(review_session_id, stream)
        return StreamingResponse(
            events,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def _events(
        self, review_session_id: str, stream: _Stream, who: Person
    ) -> AsyncIterator[str]:
        assert self.hub is not None
        watcher = None
        try:
            yield "retry: 3000\n: connected\n\n"
            # read after joining the hub: a change meanwhile comes again, with a higher seq
            row = await run_in_threadpool(self.presenter.read, review_session_id)
            yield _frame(("presenter", public_state(row)))
            watcher = await run_in_threadpool(self.watchers.join, review_session_id, who)
            announce(self.base.server.events, review_session_id)  # this stream hears it too
            while time.time() < stream.expires and not stream.revoked:
                timeout = max(0.1, min(KEEPALIVE_SECONDS, stream.expires - time.time()))
                try:
                    item = await asyncio.wait_for(stream.queue.get(), timeout)
                except asyncio.TimeoutError:
                    if not await self._still_holds(stream):
                        break
                    await run_in_threadpool(self.watchers.touch, watcher)
                    yield ": keep-alive\n\n"
                    continue
                if item is None or not await self._still_holds(stream):
                    break
                if item is WAKE:  # its end moved: look at the clock again
                    continue
                if item[0] == "watchers":
                    people = await run_in_threadpool(self.watchers.watchers, review_session_id)
                    item = ("watchers", {"watchers": people})
                yield _frame(item)
        finally:
            self.hub.remove(review_session_id, stream)
            if watcher is not None:
                self._leave(review_session_id, watcher)

    async def _still_holds(self, stream: _Stream) -> bool:
        """Before each event: re-check the grant when a revocation arrived since it was."""
        generation = self.revocations.generation
        if stream.revoked or stream.grant is None or stream.checked == generation:
            return not stream.revoked
        if not await run_in_threadpool(self.holds, stream.grant, stream):
            stream.end()
            return False
        stream.checked = generation
        return True

    def _leave(self, review_session_id: str, watcher: str) -> None:
        """Drop the stream's row and say so, off the event loop (the stream is closing: the
        generator cannot wait for it)."""

        def leave() -> None:
            try:
                self.watchers.leave(watcher)
            finally:
                announce(self.base.server.events, review_session_id)

        try:
            asyncio.get_running_loop().run_in_executor(None, leave)
        except RuntimeError:  # no loop any more (the server stops): now, then
            leave()

    def routes(self) -> List[BaseRoute]:
        return [Route("/review/{review_session_id}/live", self.live, methods=["GET"])]
