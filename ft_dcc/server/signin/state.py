"""The sign-in's parts of one server process: its tables, its rate limit and the revocation bus
(made once per ``EmbeddedServer``, on first use, by :func:`parts_for`)."""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from dataclasses import dataclass
from functools import partial
from typing import Optional

from ft_dcc.server.grants.bus import EVERYTHING, USER, Revocation, RevocationBus
from ft_dcc.server.limits.limiter import Limiter, password_limiter
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.rules.permissions import user_table
from ft_dcc.server.runtime.embedded import EmbeddedServer
from ft_dcc.server.signin.tables import OneTimeLinks, Passwords, Resets, SignIns

#: how long a sign-in lasts (then the person signs in again)
SIGNIN_LIFETIME = dt.timedelta(hours=12)


@dataclass
class SignInParts:
    """What the sign-in routes and :func:`~ft_dcc.server.signin.person.current_person` use."""

    store: StoreParts
    passwords: Passwords
    signins: SignIns
    links: OneTimeLinks
    resets: Resets
    #: wrong passwords and one-time links (``limiter.password_limiter``)
    limiter: Limiter
    #: ``None`` in a command (``ft-dcc user password``), which announces on the database
    revocations: Optional[RevocationBus]


def make_parts(store: StoreParts, revocations: Optional[RevocationBus] = None) -> SignInParts:
    """The sign-in's tables (created if missing) and rate limit on ``store``'s database."""
    engine, metadata = store.engine, store.metadata
    return SignInParts(
        store=store,
        passwords=Passwords(engine, metadata),
        signins=SignIns(engine, metadata, user_table(store)),
        links=OneTimeLinks(engine, metadata, user_table(store)),
        resets=Resets(engine, metadata),
        limiter=password_limiter(engine, metadata),
        revocations=revocations,
    )


_parts: weakref.WeakKeyDictionary[EmbeddedServer, SignInParts] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def parts_for(server: EmbeddedServer) -> SignInParts:
    """``server``'s sign-in parts (made on first use; from then on a User deactivated or
    deleted, in any server process, loses their sign-ins: see :func:`_on_revocation`)."""
    with _lock:
        found = _parts.get(server)
        if found is None:
            found = _parts[server] = make_parts(server.store, server.revocations)
            server.revocations.subscribe(partial(_on_revocation, found))
        return found


def _on_revocation(parts: SignInParts, revocation: Revocation) -> None:
    """A User changed (or notifications may have been missed): the sign-ins of inactive Users
    are deleted, so making a User active again revives none (a sign-in also counts only while
    its User is active, read with it: this is not what refuses their requests), and every
    one-time link of a User deactivated, made active again, renamed or given a new password
    (where the change is made: a revocation heard from elsewhere ends only the links of
    inactive Users, so a link printed after it is not ended by its late arrival)."""
    if revocation.kind == USER:
        parts.signins.end_inactive(revocation.subject)
        if revocation.here:
            parts.links.end_all(revocation.subject)
        else:  # heard from a command or another worker, which ended the links where it was
            parts.links.end_inactive()  # made: ending all here would end the ones made since
    elif revocation.kind == EVERYTHING:
        parts.signins.end_inactive()
        parts.links.end_inactive()
