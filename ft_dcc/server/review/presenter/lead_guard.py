"""A presenter's lead rests on its holder's grant, and ends with it.

The lead (:mod:`ft_dcc.server.review.presenter.presenter`) names a person: ``u:<user id>`` (someone
who manages the session, through their personal link) or ``i:<invitee id>`` (an invitee it was
handed to). It holds only while that person could still take it:

- the session exists and is open (a closed session is not presented);
- a User is active and may still manage the session;
- an invitee still belongs to the session, and a room identity (``created_from_shared_url``)
  only while the session is open to its room link (not private);
- an invitee's links were not revoked (``review revoke``: the session's ``links_revoked_at``
  or the invitee's own mark) since the lead last changed: the lead handed or taken under those
  links ends with them, at once, not when its page's grace runs out.

:class:`LeadGuard` re-checks the lead **on every use** (each presenter request reads it through
:meth:`LeadGuard.check`) and **on every revocation** (``grants.bus``: a session made private,
closed or deleted, its lead; an invitee removed or a User deactivated, the leads they hold; a
link revoked, a project closed, anything after missed notifications, every lead): a lead that
no longer holds ends at once -- the row says no one leads, and every open page's live stream
hears it (the presenter event) -- in every server process, since each one's guard hears the
revocation and only the first change is written.

A lead also rests on its **page**: the leading page beats (``op: beat``, every
``BEAT_SECONDS`` in presenter.js, besides its state changes), and a lead held by a page not
heard for the grace period (``FT_DCC_PRESENTER_GRACE`` in the server's environment, seconds,
default :data:`GRACE_SECONDS`) ends like a revoked one: on the next use, and without one by the
guard's sweep (a thread that checks every led session every :func:`sweep_interval`), so the room
says "no one is presenting" once the presenter's page has gone. A lead handed to someone whose
page has not claimed it yet (no page) waits for them.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Callable, List, Optional

import sqlalchemy as sa

from ft_dcc.server.grants.bus import EVERYTHING, INVITEE, LINK, PROJECT, SESSION, USER, Revocation
from ft_dcc.server.model.database import one_statement
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.review.access.client_gate import read_rules
from ft_dcc.server.review.access.identity import SYSTEM, load_invitee
from ft_dcc.server.review.presenter.presenter_state import PresenterRow, PublicState, public_state
from ft_dcc.server.review.presenter.presenter_table import PresenterTable
from ft_dcc.server.review.reads.data import ReviewData
from ft_dcc.server.rules import permissions
from ft_dcc.server.rules.review import manages
from ft_dcc.server.runtime.embedded import EmbeddedServer

log = logging.getLogger(__name__)

#: the revocations whose subject is a person who may lead (a User, an invitee): only the leads
#: that person holds are checked (whether a lead holds depends on its holder alone, and on its
#: session: :meth:`LeadGuard.holds`), by the lead key's prefix
_HOLDERS = {USER: "u:", INVITEE: "i:"}
#: the revocations after which every led session is checked (their subject names no session)
_ANY_SESSION = (LINK, PROJECT, EVERYTHING)
Publish = Callable[[str, PublicState], None]
#: how long a leading page may go unheard before its lead ends (seconds; the page beats every
#: 10 s, so three beats may be lost)
GRACE_SECONDS = 45.0
GRACE_ENV = "FT_DCC_PRESENTER_GRACE"


def grace_seconds() -> float:
    """The grace period of this server (:data:`GRACE_ENV`, else :data:`GRACE_SECONDS`)."""
    text = os.environ.get(GRACE_ENV, "").strip()
    try:
        value = float(text) if text else GRACE_SECONDS
    except ValueError:
        log.warning("%s=%r is not a number of seconds; using %s", GRACE_ENV, text, GRACE_SECONDS)
        return GRACE_SECONDS
    return max(0.0, value)


def sweep_interval(grace: float) -> float:
    """How often the sweep checks the led sessions: a third of the grace, 0.5 to 15 s."""
    return min(15.0, max(0.5, grace / 3))


class _Unchanged(Exception):
    """The lead changed meanwhile (another process ended it, or someone took it): keep it."""


class LeadGuard:
    """Ends the leads whose grants are gone (see the module docstring), for one server."""

    def __init__(self, server: EmbeddedServer, table: PresenterTable, publish: Publish) -> None:
        self.server = server
        self.table = table
        self.publish = publish
        self.grace = grace_seconds()
        self.unsubscribe = server.revocations.subscribe(self.revoked)
        self.stopped = threading.Event()
        self.sweeper = threading.Thread(target=self._sweep, name="lead-sweep", daemon=True)
        self.sweeper.start()
        server.on_close(self.stop)

    # -- when -------------------------------------------------------------------------------------
    def revoked(self, revocation: Revocation) -> None:
        """A revocation arrived (on the bus's thread): check the leads it may end."""
        if revocation.kind == SESSION:
            sessions = [revocation.subject]
        elif revocation.kind in _HOLDERS:
            sessions = self._led(_HOLDERS[revocation.kind] + revocation.subject)
        elif revocation.kind in _ANY_SESSION:
            sessions = self._led()
        else:
            return
        for review_session_id in sessions:
            self.check(review_session_id)

    def check(self, review_session_id: str) -> Optional[PresenterRow]:
        """The session's presenter row, its lead ended first when it no longer holds."""
        row = self.table.read(review_session_id)
        key = row.get("lead_key") if row else None
        if row is None or not key:
            return row
        since = float(row.get("updated") or 0.0)
        if not self.lapsed(row) and self.holds(review_session_id, key, since):
            return row
        try:
            ended = self.table.change(review_session_id, _end_if(key, int(row.get("seq") or 0)))
        except _Unchanged:
            return self.table.read(review_session_id)
        log.info("review session %s: the lead of %s ended (its page or its grant is gone)",
                 review_session_id, key)  # fmt: skip
        self.publish(review_session_id, public_state(ended))
        return ended

    def _sweep(self) -> None:
        """Check every led session every :func:`sweep_interval` (a lapsed page's lead ends)."""
        while not self.stopped.wait(sweep_interval(self.grace)):
            try:
                for review_session_id in self._led():
                    self.check(review_session_id)
            except Exception:  # a database hiccup: the next sweep tries again
                log.exception("the presenter lead sweep failed; retrying")

    def stop(self) -> None:
        """End the sweep and stop hearing revocations (the server stops)."""
        self.stopped.set()
        self.unsubscribe()
        self.sweeper.join(5)

    # -- whether ----------------------------------------------------------------------------------
    def lapsed(self, row: PresenterRow) -> bool:
        """Whether the row's leading page has not been heard for the grace period."""
        if not row.get("page"):
            return False
        return time.time() - float(row.get("updated") or 0.0) >= self.grace

    def holds(self, review_session_id: str, key: str, since: float = 0.0) -> bool:
        """Whether the person ``key`` could still lead the session (its lead last changed at
        ``since``, Unix seconds)."""
        store, execute = self.server.store, self.server.ctx.execute
        facts = ReviewData(execute, SYSTEM).session_facts(review_session_id)
        if facts is None or not facts.is_open or facts.project_closed:
            return False
        kind, _, ident = key.partition(":")
        if kind == "u":
            return permissions.is_active_user(store, ident) and manages(store, ident, facts.id)
        if kind == "i":
            invitee = load_invitee(execute, ident)
            return (
                invitee is not None
                and invitee.review_session_id == review_session_id
                and not (invitee.from_room and facts.private)
                and not _revoked_since(store, review_session_id, invitee.id, since)
            )
        return False

    def _led(self, key: Optional[str] = None) -> List[str]:
        """The sessions someone leads now (``key``: only those that person leads)."""
        table = self.table.table
        led = table.c.lead_key.isnot(None) if key is None else table.c.lead_key == key
        query = sa.select(table.c.review_session_id).where(led)
        with one_statement(self.table.engine) as connection:
            return [row[0] for row in connection.execute(query)]


def _revoked_since(
    store: StoreParts, review_session_id: str, invitee_id: str, since: float
) -> bool:
    """Whether the session's or the invitee's links were revoked after the lead last changed
    (``review revoke``): the links the lead was taken or handed under no longer hold."""
    rules = read_rules(store, review_session_id, invitee_id)
    return rules is not None and rules.revoked_at > since


def _end_if(key: str, seq: int) -> Callable[[Optional[PresenterRow]], PresenterRow]:
    """The change that ends ``key``'s lead, unless the row moved on since ``seq``."""

    def change(row: Optional[PresenterRow]) -> PresenterRow:
        if row is None or row.get("lead_key") != key or int(row.get("seq") or 0) != seq:
            raise _Unchanged()
        return PresenterRow(lead_key=None, lead_name=None, page=None, secret_hash=None)

    return change
