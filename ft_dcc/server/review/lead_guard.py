"""A presenter's lead rests on its holder's grant, and ends with it.

The lead (:mod:`ft_dcc.server.review.presenter`) names a person: ``u:<user id>`` (the session's
owner or an administrator, through their personal link) or ``i:<invitee id>`` (an invitee it was
handed to). It holds only while that person could still take it:

- the session exists and is open (a closed session is not presented);
- a User is active and may still manage the session;
- an invitee still belongs to the session, and a room identity (``created_from_shared_url``)
  only while the session is open to its room link (not private).

:class:`LeadGuard` re-checks the lead **on every use** (each presenter request reads it through
:meth:`LeadGuard.check`) and **on every revocation** (``grants.bus``: a session made private,
closed or deleted; an invitee removed; a User deactivated; anything, after missed
notifications): a lead that no longer holds ends at once -- the row says no one leads, and every
open page's live stream hears it (the presenter event) -- in every server process, since each
one's guard hears the revocation and only the first change is written.
"""

from __future__ import annotations

import logging
from typing import Callable, List, Optional

import sqlalchemy as sa

from ft_dcc.server.grants.bus import EVERYTHING, INVITEE, LINK, SESSION, USER, Revocation
from ft_dcc.server.review.data import ReviewData
from ft_dcc.server.review.identity import SYSTEM, load_invitee
from ft_dcc.server.review.presenter import PresenterRow, PresenterTable, PublicState, public_state
from ft_dcc.server.rules import permissions
from ft_dcc.server.rules.review import may_manage
from ft_dcc.server.runtime.embedded import EmbeddedServer

log = logging.getLogger(__name__)

#: the revocations after which every led session is checked (their subject names no session)
_ANY_SESSION = (INVITEE, USER, LINK, EVERYTHING)
Publish = Callable[[str, PublicState], None]


class _Unchanged(Exception):
    """The lead changed meanwhile (another process ended it, or someone took it): keep it."""


class LeadGuard:
    """Ends the leads whose grants are gone (see the module docstring), for one server."""

    def __init__(self, server: EmbeddedServer, table: PresenterTable, publish: Publish) -> None:
        self.server = server
        self.table = table
        self.publish = publish
        self.unsubscribe = server.revocations.subscribe(self.revoked)

    # -- when -------------------------------------------------------------------------------------
    def revoked(self, revocation: Revocation) -> None:
        """A revocation arrived (on the bus's thread): check the leads it may end."""
        if revocation.kind == SESSION:
            sessions = [revocation.subject]
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
        if row is None or not key or self.holds(review_session_id, key):
            return row
        try:
            ended = self.table.change(review_session_id, _end_if(key, int(row.get("seq") or 0)))
        except _Unchanged:
            return self.table.read(review_session_id)
        log.info("review session %s: the lead of %s ended (its grant is gone)",
                 review_session_id, key)  # fmt: skip
        self.publish(review_session_id, public_state(ended))
        return ended

    # -- whether ----------------------------------------------------------------------------------
    def holds(self, review_session_id: str, key: str) -> bool:
        """Whether the person ``key`` could still lead the session."""
        store, execute = self.server.store, self.server.ctx.execute
        facts = ReviewData(execute, SYSTEM).session_facts(review_session_id)
        if facts is None or not facts.is_open:
            return False
        kind, _, ident = key.partition(":")
        if kind == "u":
            return permissions.is_active_user(store, ident) and may_manage(
                store, ident, facts.created_by_id
            )
        if kind == "i":
            invitee = load_invitee(execute, ident)
            return (
                invitee is not None
                and invitee.review_session_id == review_session_id
                and not (invitee.from_room and facts.private)
            )
        return False

    def _led(self) -> List[str]:
        """The sessions someone leads now."""
        table = self.table.table
        query = sa.select(table.c.review_session_id).where(table.c.lead_key.isnot(None))
        with self.table.engine.connect() as connection:
            return [row[0] for row in connection.execute(query)]


def _end_if(key: str, seq: int) -> Callable[[Optional[PresenterRow]], PresenterRow]:
    """The change that ends ``key``'s lead, unless the row moved on since ``seq``."""

    def change(row: Optional[PresenterRow]) -> PresenterRow:
        if row is None or row.get("lead_key") != key or int(row.get("seq") or 0) != seq:
            raise _Unchanged()
        return PresenterRow(lead_key=None, lead_name=None, page=None, secret_hash=None)

    return change
