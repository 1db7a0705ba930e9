"""``ft-dcc user password NAME`` and ``ft-dcc user signin-link NAME`` (and ``ft-dcc user add``'s
``--password-file`` / ``--password-stdin``): run against the server's database, like ``user add``.

A password is never taken as an argument (every user of the machine sees arguments in ``ps``):
it comes from a file's first line, standard input's first line, or a prompt on a terminal.
Setting one ends the User's sign-ins in every server process (``grants.bus.announce``: at once
on PostgreSQL; on SQLite each request reads the sign-in table, so the next request is refused).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import Optional

from ft_dcc.exceptions import DatabaseSetupError
from ft_dcc.server.runtime.config import ServerConfig
from ft_dcc.server.signin.accounts import PasswordRejected, active_user, set_password
from ft_dcc.server.signin.state import SignInParts, make_parts
from ft_dcc.server.store.store import Store

#: how long a printed sign-in link works unless asked otherwise, and at most (minutes)
LINK_MINUTES = 60
MOST_LINK_MINUTES = 7 * 24 * 60


class CommandFailed(Exception):
    """What to say on stderr (exit status 1)."""


def _error(problem: object) -> int:
    print(f"ft-dcc: error: {problem}", file=sys.stderr)
    return 1


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0].rstrip("\r")


def read_password(args: argparse.Namespace) -> str:
    """The password of ``--password-file`` or ``--password-stdin``, else asked twice on a
    terminal (``CommandFailed`` when there is none to ask on)."""
    file: Optional[Path] = getattr(args, "password_file", None)
    if file is not None:
        try:
            return _first_line(Path(file).read_text(encoding="utf-8"))
        except (OSError, UnicodeError) as exc:
            raise CommandFailed(f"could not read the password file {file}: {exc}") from None
    if getattr(args, "password_stdin", False):
        return _first_line(sys.stdin.readline())
    if not sys.stdin.isatty():
        raise CommandFailed("give the password with --password-file FILE or --password-stdin "
                            "(it is never taken as an argument)")  # fmt: skip
    first = getpass.getpass("New password: ")
    if getpass.getpass("Again: ") != first:
        raise CommandFailed("the two passwords differ; nothing was changed")
    return first


def _parts(config: ServerConfig) -> SignInParts:
    try:
        return make_parts(Store(config.resolved_database_url))
    except DatabaseSetupError as exc:
        raise CommandFailed(exc) from None


def _user_id(parts: SignInParts, name: str) -> str:
    user = active_user(parts, name)
    if user is None:
        raise CommandFailed(f"there is no active user '{name}'; add it first: ft-dcc user add "
                            f"{name} --password-stdin")  # fmt: skip
    return user[0]


def run_password(args: argparse.Namespace, config: ServerConfig, server_url: str) -> int:
    """Set ``args.name``'s password; their sign-ins end (and the command says so when there
    were any)."""
    try:
        password = read_password(args)
        parts = _parts(config)
        try:
            ended = set_password(parts, _user_id(parts, args.name), password)
        finally:
            parts.store.engine.dispose()
    except PasswordRejected as exc:
        return _error(f"{exc}; nothing was changed")
    except CommandFailed as exc:
        return _error(exc)
    page = f"{(server_url or config.url).rstrip('/')}/"
    if ended:
        print(f"ft-dcc user: '{args.name}' has a new password; their sign-ins ended "
              f"(the sign-in page: {page})")  # fmt: skip
    else:  # nobody was signed in as them (a user just added): nothing ended
        print(f"ft-dcc user: '{args.name}' has a password and can sign in with it at {page}")
    return 0


def run_signin_link(args: argparse.Namespace, config: ServerConfig, server_url: str) -> int:
    """Print a one-time sign-in link for ``args.name``."""
    minutes = max(1, min(int(args.minutes), MOST_LINK_MINUTES))
    try:
        parts = _parts(config)
        try:
            token = parts.links.make(_user_id(parts, args.name), dt.timedelta(minutes=minutes))
        finally:
            parts.store.engine.dispose()
    except CommandFailed as exc:
        return _error(exc)
    base = (server_url or config.url).rstrip("/")
    print(f"{base}/signin/link?token={token}")
    print(f"  signs '{args.name}' in once, within {minutes} minutes; give it to them only",
          file=sys.stderr)  # fmt: skip
    return 0
