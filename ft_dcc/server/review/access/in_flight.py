"""A client link's grant, checked again, and the replies in flight that end with it.

Every review route checks its link when a request arrives
(:func:`ft_dcc.server.review.access.links.open_link`); what goes on after that -- a ``/live``
stream (:mod:`ft_dcc.server.review.presenter.live`), a whole file being sent (a download of a
review movie, a version's original) -- rests on that check. When a
revocation arrives (``grants.bus``: an invitee removed or their links revoked, the session made
private, closed, deleted or its rules changed, a User deactivated; in any server process) each
of them is checked again (:func:`grant_holds`) and ended when its link no longer opens the
session as it did: a file being sent stops at its next part (:class:`GuardedFile`, the client
sees a reply shorter than its ``Content-Length``), before the revoking write returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Optional

import anyio
from starlette.responses import FileResponse
from starlette.types import Message, Receive, Scope, Send

from ft_dcc.server.grants.bus import EVERYTHING, INVITEE, LINK, PROJECT, SESSION, USER, Revocation
from ft_dcc.server.review.access.access import ReviewAccessError, ReviewSigner, refuse_expired
from ft_dcc.server.review.access.link import Link
from ft_dcc.server.review.access.links import open_link
from ft_dcc.server.review.reads.data import ReviewData
from ft_dcc.server.runtime.embedded import EmbeddedServer

log = logging.getLogger(__name__)

PRIVATE = (
    "The owner made this review session private: its room link no longer opens it; ask them for "
    "your own invitation link."
)


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
    #: the session's project (closing or deleting it ends the grant)
    project_id: Optional[str] = None

    def rests_on(self, revocation: Revocation) -> bool:
        """Whether ``revocation`` may have taken this grant's ground away."""
        return revocation.kind == LINK or any(
            revocation.covers(kind, subject)
            for kind, subject in ((SESSION, self.review_session_id), (USER, self.maker_id),
                                  (INVITEE, self.invitee_id), (PROJECT, self.project_id))
            if subject
        )  # fmt: skip


def check_grant(server: EmbeddedServer, signer: ReviewSigner, grant: LinkGrant) -> Link:
    """``grant``'s link opened again (the database as it is now); :class:`ReviewAccessError`
    saying why when it no longer opens its session as it did: refused, the session deleted, a
    room link's session made private, or closed since."""
    link = open_link(server.store, server.ctx.execute, signer, grant.token,
                     grant.review_session_id, passed=grant.passed)  # fmt: skip
    refuse_expired({"e": link.expires})  # held past its link's time (its door let it in before)
    facts = ReviewData(server.ctx.execute, link.maker_id).session_facts(grant.review_session_id)
    if facts is None:
        raise ReviewAccessError("This review session was deleted; ask its owner for another.")
    if link.shared and facts.private and not grant.was_private:
        raise ReviewAccessError(PRIVATE)
    if not facts.is_open and grant.was_open:
        raise ReviewAccessError("This review session was closed; ask its owner to reopen it.")
    return link


def grant_holds(server: EmbeddedServer, signer: ReviewSigner, grant: LinkGrant) -> Optional[Link]:
    """:func:`check_grant`'s link, or ``None`` when the grant fell (or cannot be checked)."""
    try:
        return check_grant(server, signer, grant)
    except Exception as error:  # refused (ReviewAccessError) or not checkable: it fell
        log.info("a review link's grant no longer holds: %s", error)
        return None


class Flight:
    """One reply in flight on ``grant``: ended (thread-safe) when the grant falls."""

    def __init__(self, grant: LinkGrant) -> None:
        self.grant = grant
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()
        self.ended = False

    def end(self) -> None:
        self.ended = True
        with contextlib.suppress(RuntimeError):  # the loop is closed: the server stops
            self.loop.call_soon_threadsafe(self.event.set)


class Flights:
    """This process's replies in flight, each re-checked when a revocation it rests on arrives."""

    def __init__(self, server: EmbeddedServer, signer: ReviewSigner) -> None:
        self.server, self.signer = server, signer
        self._open: weakref.WeakSet[Flight] = weakref.WeakSet()
        self._lock = threading.Lock()
        server.revocations.subscribe(self._on_revocation)

    def _on_revocation(self, revocation: Revocation) -> None:
        with self._lock:
            flights = list(self._open)
        for flight in flights:
            resting = revocation.kind == EVERYTHING or flight.grant.rests_on(revocation)
            if resting and not flight.ended and not grant_holds(self.server, self.signer,
                                                                  flight.grant):  # fmt: skip
                flight.end()

    def take_off(self, grant: LinkGrant) -> Flight:
        """A reply on ``grant`` about to be sent (in the request's event loop), heard from now
        on: the caller then checks the grant once more (a revocation since the request's own
        check) and :meth:`land` s it when the reply is done or refused."""
        flight = Flight(grant)
        with self._lock:
            self._open.add(flight)
        return flight

    def land(self, flight: Flight) -> None:
        with self._lock:
            self._open.discard(flight)


class GuardedFile(FileResponse):
    """A file reply (whole or a Range of it, as :class:`FileResponse`) that stops sending when
    its flight ends (its grant fell): the connection is closed short of the reply's length."""

    def __init__(self, *args: Any, flights: Flights, flight: Flight, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flights, self.flight = flights, flight

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        flight = self.flight

        async def guarded(message: Message) -> None:
            if flight.ended and message.get("type") == "http.response.body":
                return  # nothing more: the reply is being cut
            await send(message)

        try:
            async with anyio.create_task_group() as group:

                async def reply() -> None:
                    await FileResponse.__call__(self, scope, receive, guarded)
                    group.cancel_scope.cancel()

                group.start_soon(reply)
                await flight.event.wait()
                log.info("a file sent through a review link stopped: its grant was revoked")
                group.cancel_scope.cancel()
        except BaseException as failed:  # one error of the reply: as FileResponse raises it
            inner = getattr(failed, "exceptions", None)  # an exception group's
            if isinstance(inner, tuple) and len(inner) == 1:
                raise inner[0] from None
            raise
        finally:
            self.flights.land(flight)
