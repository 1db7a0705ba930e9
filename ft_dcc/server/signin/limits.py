"""The limit on wrong passwords: per user name and per source address.

Wrong passwords are counted by an :class:`~ft_dcc.server.attempts.AuthGuard` of their own (the
guard the API keys, review links and passphrases share allows a target 100 failures a window,
too many for a password): once a user name has had ``FT_DCC_SIGNIN_FAILURES_PER_USER`` wrong
passwords (default 10), or a source ``FT_DCC_AUTH_FAILURES_PER_SOURCE`` wrong sign-ins (default
300), within ``FT_DCC_AUTH_WINDOW`` seconds (default 60), every sign-in of that name (or from that
source) is answered 429, the right password too, until the window ends. The source is the
address the server proved (``audit.source.peer_address``: ``X-Forwarded-For`` only from the
proxies of ``--forwarded-allow-ips``). A source that signed in to a name in the window keeps
reaching it. On PostgreSQL the counts are shared by every server process (table
``ft_dcc_signin_failure``, keys stored as digests).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ft_dcc.server.attempts import DEFAULT_PER_SOURCE, DEFAULT_WINDOW, AuthGuard
from ft_dcc.server.env_number import positive_number
from ft_dcc.server.http.ratelimit import PER_SOURCE_ENV, WINDOW_ENV
from ft_dcc.server.shared_limits import SharedFailureCounts

PER_USER_ENV = "FT_DCC_SIGNIN_FAILURES_PER_USER"
DEFAULT_PER_USER = 10
#: what a wrong password is counted as (the target is the user name typed)
PASSWORD = "password"
#: what a wrong one-time link token is counted as (the target is this one word)
LINK = "signin link"


class SignInFailureCounts(SharedFailureCounts):
    """Wrong sign-ins per key, shared by every server process on one PostgreSQL database."""

    NAME = "ft_dcc_signin_failure"


def password_guard(engine: Engine, metadata: sa.MetaData) -> AuthGuard:
    """The guard of wrong passwords with the limits of the environment (module docstring)."""
    window = positive_number(WINDOW_ENV, DEFAULT_WINDOW)
    shared = None
    if engine.dialect.name == "postgresql":
        shared = SignInFailureCounts(engine, metadata, window)
    return AuthGuard(
        per_source=int(positive_number(PER_SOURCE_ENV, float(DEFAULT_PER_SOURCE))),
        per_target=int(positive_number(PER_USER_ENV, float(DEFAULT_PER_USER))),
        window=window,
        shared=shared,
    )
