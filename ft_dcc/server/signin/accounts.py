"""Passwords: checking one (slowly, rate-limited) and setting one (which ends the User's
sign-ins everywhere).

A password is hashed with scrypt (``rules.passphrase.hash_passphrase``: N=2**14, r=8, p=1, a
16-byte salt; ~50 ms and 16 MB a check) and checked in constant time; a user name with no User,
an inactive User or no password costs the same hash, so the answer's timing does not say which
names exist.
"""

from __future__ import annotations

import threading
from typing import Optional, Tuple

import sqlalchemy as sa

from ft_dcc.server.grants.bus import LINK as LINK_REVOKED
from ft_dcc.server.grants.bus import USER, announce
from ft_dcc.server.limits.limiter import PASSWORD
from ft_dcc.server.rules.passphrase import MOST_CHARACTERS, hash_passphrase, verify
from ft_dcc.server.rules.permissions import user_table
from ft_dcc.server.signin.state import SignInParts

#: the shortest password accepted
FEWEST_CHARACTERS = 8
#: scrypt checks at once in one process (each takes 16 MB: a flood of sign-ins waits here
#: instead of taking the memory of the thread pool's every thread)
MOST_HASHING = 4
_HASHING = threading.BoundedSemaphore(MOST_HASHING)
#: a hash checked when there is nothing to check, so every wrong answer costs the same
_DECOY = hash_passphrase("ft_dcc: no such password")


class PasswordRejected(ValueError):
    """A new password that is not accepted; the message says why."""


def check_new_password(password: str) -> str:
    """``password`` when it may be set, else :class:`PasswordRejected` saying what to choose."""
    if len(password) < FEWEST_CHARACTERS:
        raise PasswordRejected(f"a password has at least {FEWEST_CHARACTERS} characters")
    if len(password) > MOST_CHARACTERS:
        raise PasswordRejected(f"a password has at most {MOST_CHARACTERS} characters")
    if password != password.strip() or "\n" in password:
        raise PasswordRejected("a password neither starts nor ends with a space or line break")
    return password


def active_user(parts: SignInParts, username: str) -> Optional[Tuple[str, str]]:
    """(User id, user name) of the active User named ``username``, else ``None``."""
    users = user_table(parts.store)
    query = sa.select(users.c.id, users.c.username).where(
        users.c.username == username, users.c.is_active.isnot(False)
    )
    with parts.store.engine.connect() as connection:
        row = connection.execute(query).first()
    return (str(row[0]), str(row[1])) if row is not None else None


def check_password(parts: SignInParts, source: str, username: str, password: str) -> Optional[str]:
    """The User id when ``password`` is ``username``'s, else ``None``; raises
    ``limiter.TooManyAttempts`` (429) while the name or the source is locked out, without
    looking at the password (a place is reserved before it is looked at: :mod:`.limiter`)."""
    held = parts.limiter.reserve(PASSWORD, source, username)
    user = active_user(parts, username) if username else None
    stored = parts.passwords.stored(user[0]) if user is not None else None
    with _HASHING:
        right = verify(password, stored or _DECOY) and stored is not None
    if not right or user is None:
        return None
    held.passed()
    return user[0]


def end_signins(parts: SignInParts, user_id: str) -> int:
    """End every sign-in and one-time link of ``user_id`` in every server process (its pages'
    next requests are refused and their review streams closed); how many sign-ins there were."""
    ended = parts.signins.end_all(user_id)
    parts.links.end_all(user_id)
    if parts.revocations is not None:
        parts.revocations.revoke(USER, user_id)
    else:  # a command (ft-dcc user password): tell the running servers
        announce(parts.store.engine, USER, user_id)
    return ended


def end_one(parts: SignInParts, session_id: str) -> None:
    """End one sign-in (signing out): the grants resting on it fall everywhere."""
    parts.signins.end(session_id)
    if parts.revocations is not None:
        parts.revocations.revoke(LINK_REVOKED, session_id)


def set_password(parts: SignInParts, user_id: str, password: str) -> int:
    """Store ``password`` (checked, hashed) as ``user_id``'s and end their sign-ins; how many
    ended."""
    parts.passwords.set(user_id, hash_passphrase(check_new_password(password)))
    return end_signins(parts, user_id)
