"""What the ``ft-dcc server`` and ``ft-dcc user`` commands share: the server's configuration
read from their options and the environment, their common options, and how a command says it
failed. Only the standard library is imported at first; the server extra inside the functions.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ft_dcc.commands_base import Group, arg

if TYPE_CHECKING:
    from ft_dcc.server.runtime.config import ServerConfig

MISSING_EXTRA = "the embedded server needs the server extra: pip install 'ft-dcc[server]'"


def error(problem: object) -> int:
    """Say ``problem`` on one line of stderr; the exit status of a command that failed."""
    print(f"ft-dcc: error: {problem}", file=sys.stderr)
    return 1


def config_of(args: argparse.Namespace) -> ServerConfig:
    try:
        from ft_dcc.server.http.cors import cors_origins
        from ft_dcc.server.runtime.config import (
            ServerConfig,
            default_data_dir,
            forwarded_allow_ips,
        )
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise SystemExit(f"ft-dcc: error: {MISSING_EXTRA} ({exc})") from exc
    try:
        proxies = forwarded_allow_ips(getattr(args, "forwarded_allow_ips", None))
    except ValueError as exc:
        raise SystemExit(f"ft-dcc: error: {exc}") from None
    return ServerConfig(
        data_dir=args.data or default_data_dir(),
        host=getattr(args, "host", "127.0.0.1"),
        port=getattr(args, "port", 8765),
        database_url=database_of(args),
        request_log=getattr(args, "request_log", None),
        workers=getattr(args, "workers", 1),
        cors_origins=cors_origins(getattr(args, "cors_origin", None), os.environ),
        forwarded_allow_ips=proxies,
        **_mail(args),
    )


def _mail(args: argparse.Namespace) -> dict:
    """The mail settings: ``--smtp-url`` or ``$FT_DCC_SMTP_URL``, the password off the command
    line (``mail.smtp_url``), ``--mail-from``; the first retry's delay from
    ``$FT_DCC_MAIL_RETRY_SECONDS``."""
    from ft_dcc.exceptions import ConfigurationError
    from ft_dcc.server.mail.smtp_url import choose_smtp, plain_login_warning

    try:
        smtp = choose_smtp(getattr(args, "smtp_url", None),
                           getattr(args, "smtp_password_file", None),
                           getattr(args, "mail_from", None), os.environ)  # fmt: skip
    except ConfigurationError as exc:
        raise SystemExit(f"ft-dcc: error: {exc}") from None
    warning = plain_login_warning(smtp) if smtp is not None else None
    if warning:
        print(f"ft-dcc: warning: {warning}", file=sys.stderr)
    found: dict = {"smtp": smtp}
    found.update(_digest_and_url(args))
    retry = _env_seconds("FT_DCC_MAIL_RETRY_SECONDS", 0.1)
    if retry is not None:
        found["mail_retry_seconds"] = retry
    return found


def _env_seconds(name: str, least: float) -> Optional[float]:
    """The number of seconds in ``$name`` (at least ``least``), ``None`` when it is not set."""
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        return max(least, float(text))
    except ValueError:
        raise SystemExit(f"ft-dcc: error: {name} is a number of seconds, not "
                         f"{text[:40]!r}") from None  # fmt: skip


def _digest_and_url(args: argparse.Namespace) -> dict:
    """``--mail-digest-seconds`` / ``$FT_DCC_MAIL_DIGEST_SECONDS`` (default 300),
    ``$FT_DCC_WEBHOOK_RETRY_SECONDS`` (a failed webhook delivery's first retry, default 30) and
    ``--public-url`` / ``$FT_DCC_PUBLIC_URL`` (the address the mails' links name)."""
    found: dict = {}
    given = getattr(args, "mail_digest_seconds", None)
    text = str(given if given is not None else os.environ.get("FT_DCC_MAIL_DIGEST_SECONDS", ""))
    if text.strip():
        try:
            seconds = float(text)
        except ValueError:
            seconds = -1.0
        if not 0 <= seconds <= 7 * 24 * 3600:
            raise SystemExit("ft-dcc: error: the mail digest window (--mail-digest-seconds, "
                             "FT_DCC_MAIL_DIGEST_SECONDS) is a number of seconds from 0 to 604800, "
                             f"not {text.strip()[:40]!r}")  # fmt: skip
        found["mail_digest_seconds"] = seconds
    retry = _env_seconds("FT_DCC_WEBHOOK_RETRY_SECONDS", 0.05)
    if retry is not None:
        found["webhook_retry_seconds"] = retry
    url = (getattr(args, "public_url", None) or os.environ.get("FT_DCC_PUBLIC_URL", "")).strip()
    if url:
        if not url.startswith(("http://", "https://")) or any(c.isspace() for c in url):
            raise SystemExit("ft-dcc: error: --public-url (FT_DCC_PUBLIC_URL) is the address "
                             "people open the server at, e.g. https://dailies.studio.example, not "
                             f"{url[:80]!r}")  # fmt: skip
        found["public_url"] = url.rstrip("/")
    return found


def database_of(args: argparse.Namespace) -> Optional[str]:
    """The database URL: ``--database``, ``--database-file`` or ``$FT_DCC_DATABASE``
    (``secrets_source``); warnings (a password on the command line) go to stderr."""
    from ft_dcc.exceptions import ConfigurationError
    from ft_dcc.server.operations.secrets_source import choose_database

    given, file = getattr(args, "database", None), getattr(args, "database_file", None)
    try:
        choice = choose_database(given, file, os.environ)
    except ConfigurationError as exc:
        raise SystemExit(f"ft-dcc: error: {exc}") from None
    for warning in choice.warnings:
        print(f"ft-dcc: warning: {warning}", file=sys.stderr)
    return choice.url


DATA = arg("--data", type=Path, help="data dir (default: the user data dir)")
PASSWORD_SOURCE = Group((
    arg("--password-file", type=Path, metavar="FILE", help="the sign-in password: this file's "
        "first line (keep it mode 0600)"),
    arg("--password-stdin", action="store_true", help="the sign-in password: standard input's "
        "first line"),
), exclusive=True)
DATABASE = Group((
    arg("--database", help="SQLAlchemy database URL (default: $FT_DCC_DATABASE, else SQLite in "
        "the data dir); a password in it is visible to every user in ps: prefer "
        "--database-file or FT_DCC_DATABASE"),
    arg("--database-file", type=Path, metavar="PATH", help="read the database URL from this "
        "file (its first line, or a FT_DCC_DATABASE=URL line; keep it mode 0600)"),
), exclusive=True)
