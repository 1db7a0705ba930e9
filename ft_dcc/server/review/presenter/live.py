"""Live feedback for the review page: ``GET /review/<rs id>/live?token=`` (server-sent events).

Nothing polls: the stream is fed by the server's ``ftrack.update`` events (``ActionContext``
emits one after every committed write batch, whoever made it, the page or any ``/api`` client),
which the event broker delivers in every server process (``ft_dcc.server.events.fanout`` relays them
over PostgreSQL between workers). :class:`~ft_dcc.server.review.presenter.live_hub.LiveHub`, one per
process, listens on the broker (``EventBroker.listeners``) and hands each change of a session
to that session's streams:

- ``event: note``, ``data: {"object_id", "note_id"}`` — a Note (a drawing too) or a
  NoteComponent added on one of the session's objects;
- ``event: status``, ``data: {"object_id", "invitee_id"}`` — a ReviewSessionObjectStatus added,
  changed or removed;
- ``event: object``, ``data: {"object_id"}`` — a ReviewSessionObject added;
- ``event: presenter``, ``data: {"seq", "lead", "state"}`` — who presents and where
  (:mod:`ft_dcc.server.review.presenter.presenter`); the current one is sent first on every connect;
- ``event: refused``, ``data: {"message"}`` — the stream's link no longer opens the session
  (revoked, the session closed, deleted or made private, a new passphrase): the last event of
  the stream, sent the moment the revocation arrives, so an open page says so by itself (the
  page stops reconnecting and shows ``message``);
- ``event: watchers``, ``data: {"watchers": [{"key", "name", "pages"}]}`` — who has the
  session's page open now (:mod:`ft_dcc.server.review.presenter.watchers`: each stream is its link's
  person), sent on connect and whenever a page joins or leaves. A stream of the room link (or
  of an identity chosen there) sees the others by name only: every key but its own, in the
  watchers and the presenter's lead, is a digest naming no id
  (:class:`~ft_dcc.server.review.presenter.presenter_people.RoomView`); no name is
  ever an e-mail address (:mod:`ft_dcc.server.review.presenter.presenter_people`).

The stream opens with ``retry: 3000`` and ``: connected``, sends ``: keep-alive`` every
:data:`KEEPALIVE_SECONDS`, and ends when the link expires (EventSource then reconnects and gets
a 403 on an expired link). The link is checked as for the page
(:mod:`ft_dcc.server.review.access.links`) when the stream opens, and again
(:meth:`LiveRoutes.holds`) whenever a revocation it rests on arrives (``grants.bus``: its invitee
removed, its maker deactivated, its session changed, in any server process) and before each event
after one: a stream whose link no longer opens the session, a room link's stream of a session made
private since, or a stream of a session closed or deleted since, receives nothing more and is ended.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import AsyncIterator, List, Optional, Tuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from ft_dcc.protocol.query_text import quote
from ft_dcc.server.common.errors import NotFound
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.grants.bus import EVERYTHING, Revocation
from ft_dcc.server.limits import open_caps
from ft_dcc.server.review.access.access import ReviewAccessError
from ft_dcc.server.review.access.identity import query
from ft_dcc.server.review.access.in_flight import LinkGrant, check_grant
from ft_dcc.server.review.access.links import Link
from ft_dcc.server.review.page.page import ReviewRoutes
from ft_dcc.server.review.presenter.live_hub import (
    KEEPALIVE_SECONDS,
    WAKE,
    LiveEvent,
    Stream,
    hub_for,
)
from ft_dcc.server.review.presenter.presenter_people import RoomView, asker_of, view_of
from ft_dcc.server.review.presenter.presenter_state import Person, public_state
from ft_dcc.server.review.presenter.presenter_table import table_for
from ft_dcc.server.review.presenter.watchers import announce, watcher_table
from ft_dcc.server.review.reads.data import ReviewData

log = logging.getLogger(__name__)

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
        if self.hub is not None:
            self.hub.holders = self._holders
            self.hub.note_of = self._note_of
        self.presenter = table_for(base.server.store)
        self.watchers = watcher_table(base.server.store)
        self.revocations = base.server.revocations
        self.revocations.subscribe(self._on_revocation)
        self.open = open_caps.OpenCount(open_caps.most_streams())

    def _holders(self, version_id: str) -> List[Tuple[str, str]]:
        """The (session, object) pairs showing ``version_id``."""
        rows = query(self.base.server.ctx.execute,
                     "select id, review_session_id from ReviewSessionObject where version_id is "
                     + quote(check_component_id(version_id)))  # fmt: skip
        return [(str(r["review_session_id"]), str(r["id"])) for r in rows]

    def _note_of(self, note_id: str) -> Optional[Tuple[str, str]]:
        """The (session, object) ``note_id`` is on, when it is a review session's note."""
        try:
            ident = check_component_id(note_id)
        except FileStoreError:
            return None
        execute = self.base.server.ctx.execute
        notes = query(execute, f"select parent_id from Note where id is {quote(ident)}")
        parent = str(notes[0].get("parent_id") or "") if notes else ""
        if not parent:
            return None
        rows = query(execute, "select id, review_session_id from ReviewSessionObject where id is "
                     + quote(parent))  # fmt: skip
        return (str(rows[0]["review_session_id"]), parent) if rows else None

    def _on_revocation(self, revocation: Revocation) -> None:
        """Re-check the open streams resting on what was revoked; end those that fell."""
        for stream in self.hub.streams() if self.hub is not None else []:
            if stream.grant is None or stream.revoked:
                continue
            if revocation.kind == EVERYTHING or stream.grant.rests_on(revocation):
                stream.checked = revocation.seq
                if not self.holds(stream.grant, stream):
                    stream.end()

    def holds(self, grant: LinkGrant, stream: Optional[Stream] = None) -> bool:
        """Whether ``grant``'s link still opens its session as it did (database,
        :func:`~ft_dcc.server.review.access.in_flight.grant_holds`); a ``stream`` resting on it then
        ends when the link now does (a moved end_date wakes it)."""
        try:
            link = check_grant(self.base.server, self.base.signer, grant)
        except ReviewAccessError as refused:
            if stream is not None:
                stream.reason = refused.message
            return False
        except Exception as error:  # not checkable (the database away): it fell, say so
            log.info("a review link's grant no longer holds: %s", error)
            if stream is not None:
                stream.reason = "The review could not check your link; reload the page."
            return False
        if stream is not None and link.expires and link.expires != stream.expires:
            stream.expires = link.expires
            stream.put(WAKE)
        return True

    def _person(
        self, review_session_id: str, data: ReviewData, link: Link
    ) -> Tuple[Person, LinkGrant]:
        server = self.base.server
        facts, who = asker_of(server.store, server.ctx.execute, data, review_session_id, link,
                              missing=ReviewAccessError)  # fmt: skip
        invitee = link.invitee.id if link.invitee is not None else None
        grant = LinkGrant(link.token, review_session_id, link.maker_id, invitee, link.shared,
                          facts.private, facts.is_open, link.passed, facts.project_id)  # fmt: skip
        return who, grant

    async def live(self, request: Request) -> Response:
        generation = self.revocations.generation  # a revocation from now on: checked again
        review_session_id, data, link = await self.base.access(request)
        who, grant = await run_in_threadpool(self._person, review_session_id, data, link)
        if self.hub is None:
            raise NotFound("This server runs without its event hub; reload to see new feedback.")
        stream = Stream(asyncio.get_running_loop(), grant)
        stream.checked = generation
        viewer = _viewer(request, link)
        stream.expires = link.expires or stream.expires
        events = self._events(review_session_id, stream, view_of(who.key, data.sight), who)
        if not self.open.enter(viewer, events):  # streams per viewer (open_caps)
            raise open_caps.too_many_streams(self.open.most)
        self.hub.add(review_session_id, stream)
        return StreamingResponse(
            events,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def _events(
        self, review_session_id: str, stream: Stream, view: RoomView, who: Person
    ) -> AsyncIterator[str]:
        assert self.hub is not None
        watcher = None
        try:
            yield "retry: 3000\n: connected\n\n"
            # read after joining the hub: a change meanwhile comes again, with a higher seq
            row = await run_in_threadpool(self.presenter.read, review_session_id)
            yield _frame(view.shown(review_session_id, ("presenter", public_state(row))))
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
                yield _frame(view.shown(review_session_id, item))
            if stream.revoked and stream.reason:  # the page says why, and stops reconnecting
                yield _frame(("refused", {"message": stream.reason}))
        finally:
            self.hub.remove(review_session_id, stream)
            if watcher is not None:
                self._leave(review_session_id, watcher)

    async def _still_holds(self, stream: Stream) -> bool:
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
