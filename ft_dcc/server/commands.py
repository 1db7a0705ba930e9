"""``ft-dcc server`` and ``ft-dcc user add``: run the embedded server, manage its API users.

Only the standard library is imported here; the server extra is loaded inside the handlers.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Tuple, Union

from ft_dcc.commands_base import Command, Group, arg

#: ``--role`` choices (stdlib only here: ft_dcc.server.rules.role_grants maps them to ftrack's
#: role names)
ROLE_CHOICES = ("administrator", "project-manager", "supervisor", "user")

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from ft_dcc.server.runtime.config import ServerConfig
    from ft_dcc.server.store.store import Store

MISSING_EXTRA = "the embedded server needs the server extra: pip install 'ft-dcc[server]'"


def _error(problem: object) -> int:
    """Say ``problem`` on one line of stderr; the exit status of a command that failed."""
    print(f"ft-dcc: error: {problem}", file=sys.stderr)
    return 1


def _config(args: argparse.Namespace) -> ServerConfig:
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
        database_url=_database(args),
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


def _database(args: argparse.Namespace) -> Optional[str]:
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


def run_server(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM."""
    config = _config(args)
    try:
        from ft_dcc.exceptions import DatabaseSetupError
        from ft_dcc.server.app import create_app
        from ft_dcc.server.files.disk import DataDirError
        from ft_dcc.server.runtime.data_lock import server_lock
        from ft_dcc.server.workers import check_workers
    except ImportError as exc:
        return _error(f"{MISSING_EXTRA} ({exc})")
    from ft_dcc.exceptions import DataInUseError

    try:
        check_workers(config)
        app = create_app(config)  # says what is wrong with the database, if anything
        with server_lock(config.data_dir, config.database_url):
            return _serve_locked(config, app)
    except (DatabaseSetupError, DataDirError, DataInUseError) as exc:
        return _error(exc)


def _serve_locked(config: ServerConfig, app: Starlette) -> int:
    """Serve ``app`` (the data dir and database locked against a restore) until stopped."""
    from ft_dcc.server.workers import serve

    seed = app.state.server.seed
    database = app.state.server.store.describe()
    print(f"ft-dcc server: serving {config.url} (data: {config.data_dir}, database: {database}, "
          f"workers: {config.workers})", flush=True)  # fmt: skip
    print("ft-dcc server: mail: " + (config.smtp.describe() if config.smtp else "none (no "
          "--smtp-url: the desk says invitation links are sent by hand)"), flush=True)  # fmt: skip
    if config.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"ft-dcc server: listening on {config.host}: reachable from other machines; "
            "use HTTPS in front of it (API keys travel in headers and download URLs)",
            flush=True,
        )
    if seed.generated_key and sys.stdout.isatty():
        print(
            f"ft-dcc server: created API user '{seed.username}' with key {seed.generated_key}\n"
            f"  (shown once; saved to {seed.credentials_file}: source it to use this server)",
            flush=True,
        )
    elif seed.generated_key:  # output going to a log file: the key stays in the 0600 file only
        print(
            f"ft-dcc server: created API user '{seed.username}'; its key is in "
            f"{seed.credentials_file} (mode 0600): source it to use this server",
            flush=True,
        )
    else:
        print(f"ft-dcc server: API user '{seed.username}'", flush=True)

    from ft_dcc.server.runtime.running import remove_record, write_record

    def record() -> None:  # for 'ft-dcc user add'; only once the port is ours
        write_record(config.url, config.data_dir, config.database_url)

    try:
        served = serve(config, app, on_bound=record)
    finally:
        remove_record(config.url)
    if not served:
        print(
            f"ft-dcc: error: could not serve on {config.url} (is the port in use?)", file=sys.stderr
        )
        return 1
    print("ft-dcc server: stopped", flush=True)
    return 0


def run_status(args: argparse.Namespace) -> int:
    """``ft-dcc server status``: each server's version and readiness; 0 when all are ready."""
    from ft_dcc.server.runtime.status import check, targets

    statuses = [check(url) for url in targets(args.url, os.environ)]
    for status in statuses:
        print("\n".join(status.lines()), flush=True)
    return 0 if all(status.ok for status in statuses) else 1


def run_migrate(args: argparse.Namespace) -> int:
    """``ft-dcc server migrate``: copy, verify, print the counts."""
    try:
        from ft_dcc.exceptions import DatabaseSetupError
        from ft_dcc.server.operations.migrate import migrate
        from ft_dcc.server.operations.secrets_source import command_line_warning
    except ImportError as exc:
        return _error(f"{MISSING_EXTRA} ({exc})")
    for url, option in ((args.source, "--from"), (args.target, "--to")):
        warning = command_line_warning(url, option)
        if warning:
            print(f"ft-dcc: warning: {warning}", file=sys.stderr)
    try:
        report = migrate(args.source, args.target)
    except DatabaseSetupError as exc:
        return _error(exc)
    filled = {name: rows for name, rows in report.rows.items() if rows}
    print(f"ft-dcc server migrate: copied {report.total} rows in {len(filled)} tables "
          "(row counts verified)", flush=True)  # fmt: skip
    for name, rows in sorted(filled.items()):
        print(f"  {name}: {rows}")
    print("Start the server with the same --data and the new --database; uploaded files stay "
          "in the data dir.", flush=True)  # fmt: skip
    return 0


def _user_target(args: argparse.Namespace) -> Tuple[Optional[ServerConfig], str]:
    """The server ``user add`` writes to, and how to name it: ``--data``/``--database`` when
    given, else the embedded server ``FTRACK_SERVER`` names (from its record, see
    ``runtime.running``), else the default data dir. ``(None, why)`` when ``FTRACK_SERVER``
    names a server whose data dir cannot be found."""
    config = _config(args)
    url = os.environ.get("FTRACK_SERVER", "").strip()
    if args.data or config.database_url or not url:
        return config, _credentials_url(config)
    from ft_dcc.server.runtime.running import find_record, records_dir

    record = find_record(url)
    if record is not None:
        from dataclasses import replace

        return replace(config, data_dir=record.data_dir, database_url=record.database_url), url
    if _credentials_url(config) and _same_address(_credentials_url(config), url):
        return config, url
    return None, (
        f"FTRACK_SERVER is {url}, but no embedded server on this machine records serving it "
        f"(records: {records_dir()}), so its data dir is unknown and no user was added. Give "
        "the data dir that server was started with: ft-dcc user add NAME --data DIR; or unset "
        f"FTRACK_SERVER to add the user to the default data dir {config.data_dir}. On a real "
        "ftrack server, add users in its web app."
    )


def _credentials_url(config: ServerConfig) -> str:
    """The server URL the data dir's ``credentials.env`` names ("" when none)."""
    try:
        text = config.credentials_file.read_text(encoding="utf-8")
    except OSError:
        return ""
    found = re.search(r"^export FTRACK_SERVER=(\S+)$", text, re.M)
    return found.group(1) if found else ""


def _same_address(first: str, second: str) -> bool:
    from ft_dcc.server.runtime.running import address_key

    return address_key(first) is not None and address_key(first) == address_key(second)


def _user_store(args: argparse.Namespace) -> Union[int, Tuple[Store, ServerConfig, str]]:
    """The store ``ft-dcc user`` writes to, its config and how to name its server; or the exit
    status of the error it said."""
    config, server_url = _user_target(args)
    if config is None:
        return _error(server_url)
    try:
        from ft_dcc.exceptions import DatabaseSetupError
        from ft_dcc.server.store.store import Store
    except ImportError as exc:
        return _error(f"{MISSING_EXTRA} ({exc})")
    config.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        return Store(config.resolved_database_url), config, server_url
    except DatabaseSetupError as exc:
        return _error(exc)


def add_user(args: argparse.Namespace) -> int:
    """Add a user (or replace its key); prints the key when it was generated, and where."""
    opened = _user_store(args)
    if isinstance(opened, int):
        return opened
    store, config, server_url = opened
    from ft_dcc.server.http.auth import KeyRing
    from ft_dcc.server.runtime.seed import SeedError
    from ft_dcc.server.runtime.seed import add_user as add_store_user

    keys = KeyRing(store.engine, store.metadata)
    try:
        if getattr(args, "role", None):
            _check_role(store, args)  # a role that cannot be given adds no user
        user_id, key, role = add_store_user(store, keys, args.name, args.api_key, args.admin)
        if getattr(args, "role", None):
            role = _give_role(store, user_id, args)
    except (SeedError, ValueError) as exc:
        return _error(exc)
    finally:
        store.engine.dispose()
    if args.api_key:
        print(f"ft-dcc user: '{args.name}' ({user_id}, {role}) uses the given API key")
    else:
        print(f"ft-dcc user: '{args.name}' ({user_id}, {role}) API key: {key}  (shown once)")
    server = f"the embedded server at {server_url}" if server_url else "the embedded server"
    print(f"  written to {server}: data dir {config.data_dir}, database {store.describe()}")
    if getattr(args, "password_file", None) or getattr(args, "password_stdin", False):
        return _signin_command(args, "run_password")
    return 0


def _signin_command(args: argparse.Namespace, name: str) -> int:
    """Run ``ft_dcc.server.signin.commands``'s ``name`` for the server ``user add`` writes to."""
    config, server_url = _user_target(args)
    if config is None:
        return _error(server_url)
    try:
        from ft_dcc.server.signin import commands as signin_commands
    except ImportError as exc:
        return _error(f"{MISSING_EXTRA} ({exc})")
    run = getattr(signin_commands, name)
    return int(run(args, config, server_url))


def set_password(args: argparse.Namespace) -> int:
    return _signin_command(args, "run_password")


def signin_link(args: argparse.Namespace) -> int:
    return _signin_command(args, "run_signin_link")


def _role_scope(args: argparse.Namespace) -> Tuple[str, object]:
    from ft_dcc.server.rules.role_grants import Scope, role_name

    scope = Scope(all_projects=bool(args.all_projects),
                  all_open_projects=bool(args.all_open_projects),
                  projects=tuple(args.project or ()))  # fmt: skip
    return role_name(args.role), scope


def _check_role(store: Store, args: argparse.Namespace) -> None:
    """Raise ``RoleError`` (a ValueError) when ``args.role`` cannot be given as the options say."""
    from ft_dcc.server.rules.role_grants import Scope, check

    name, scope = _role_scope(args)
    assert isinstance(scope, Scope)
    with store.engine.connect() as connection:
        check(store, connection, name, scope)


def _give_role(store: Store, user_id: str, args: argparse.Namespace) -> str:
    """Give ``args.role`` over the projects the options say (``ft-dcc user add|role``)."""
    from ft_dcc.server.rules.role_grants import Scope, grant

    name, scope = _role_scope(args)
    assert isinstance(scope, Scope)
    with store.write_transaction() as connection:
        return grant(store, connection, user_id, name, scope)


def set_role(args: argparse.Namespace) -> int:
    """``ft-dcc user role NAME``: give a role (``--role``), take one back (``--take-back``), or
    say the user's roles."""
    opened = _user_store(args)
    if isinstance(opened, int):
        return opened
    store = opened[0]
    from ft_dcc.server.rules import role_grants

    try:
        with store.engine.connect() as connection:
            user_id = role_grants.user_id_named(store, connection, args.name)
        if user_id is None:
            return _error(f"no user {args.name!r} on this server: ft-dcc user add {args.name} "
                          "--role ROLE adds one")  # fmt: skip
        if args.role:
            print(f"ft-dcc user: '{args.name}' is now {_give_role(store, user_id, args)}")
        if args.take_back:
            name = role_grants.role_name(args.take_back)
            with store.write_transaction() as connection:
                had = role_grants.take_back(store, connection, user_id, name)
            print(f"ft-dcc user: '{args.name}' {'is no longer' if had else 'was not'} {name}")
        if args.role or args.take_back:  # the running servers re-check what rests on the roles
            from ft_dcc.server.grants.bus import USER, announce

            announce(store.engine, USER, user_id)
        with store.engine.connect() as connection:
            lines = role_grants.describe_roles(store, connection, user_id)
    except ValueError as exc:
        return _error(exc)
    finally:
        store.engine.dispose()
    print(f"ft-dcc user: '{args.name}' roles: {'; '.join(lines) or 'User on all projects'}")
    return 0


ROLE_HELP = ("the user's role: administrator, project-manager, supervisor (they manage every "
             "review session of the projects it covers) or user (an artist: publishes, manages "
             "the sessions they created)")  # fmt: skip
ROLE_SCOPE = Group((
    arg("--project", action="append", metavar="PROJECT", help="a project the role covers (name "
        "or id; repeatable)"),
    arg("--all-projects", action="store_true", help="the role covers every project"),
    arg("--all-open-projects", action="store_true", help="the role covers every open project "
        "(status active), as they open and close"),
), exclusive=True)  # fmt: skip


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


def run_install_service(args: argparse.Namespace) -> int:
    from ft_dcc.server.operations.operate import install_service

    return install_service(args, _database(args))


def run_backup(args: argparse.Namespace) -> int:
    from ft_dcc.server.operations.operate import backup

    config = _config(args)
    return backup(args, config.data_dir, config.database_url)


def run_restore(args: argparse.Namespace) -> int:
    from ft_dcc.server.operations.operate import restore

    config = _config(args)
    return restore(args, config.data_dir, config.database_url)


INSTALL_SERVICE = Command("install-service", "write a systemd unit that runs this server",
                          run_install_service, (
    arg("--user", action="store_true", help="a user service (systemctl --user) instead of a "
        "system one"),
    arg("--data", type=Path, help="data dir (default: /var/lib/ft_dcc/server; with --user, "
        "your user data dir)"),
    arg("--host", default="127.0.0.1", help="address to bind (default: loopback)"),
    arg("--port", type=int, default=8765, help="port (default: 8765)"),
    arg("--workers", type=int, default=1, help="server processes (more than one needs "
        "PostgreSQL)"),
    DATABASE,
    arg("--service-user", default="ftdcc", help="the system service's user (default: ftdcc)"),
    arg("--name", default="ft-dcc-server", help="the unit's name (default: ft-dcc-server)"),
    Group((
        arg("--output", type=Path, metavar="DIR", help="write both files into DIR instead of "
            "systemd's folders"),
        arg("--dry-run", action="store_true", help="print them (the password masked), write "
            "nothing"),
    ), exclusive=True),
), "Write a systemd unit running ft-dcc server with this data dir, port, workers and database, "
   "and its environment file (mode 0600) holding the database URL, so the password is on no "
   "command line. System: /etc/systemd/system and /etc/ft_dcc (run as root); --user: "
   "~/.config/systemd/user and ~/.config/ft_dcc.")
BACKUP = Command("backup", "copy the database, files and keys into a folder, while it runs",
                 run_backup, (
    arg("folder", type=Path, metavar="DIR", help="a new folder (the backup makes it)"),
    DATA,
    DATABASE,
), "Take a consistent copy of the server's database (SQLite's online backup, or pg_dump) and "
   "of its data dir's files and keys into DIR, while the server runs.")
RESTORE = Command("restore", "bring a backup back into a data dir and database", run_restore, (
    arg("folder", type=Path, metavar="DIR", help="the folder ft-dcc server backup wrote"),
    DATA,
    DATABASE,
    arg("--force", action="store_true", help="restore over a non-empty data dir (moved aside, "
        "not deleted) or a PostgreSQL database with tables (replaced)"),
), "Restore a backup into a new or empty data dir and database (a SQLite backup may go into "
   "PostgreSQL), checked against the backup's row counts and file sizes. Refused while a "
   "server uses them: stop it first.")
STATUS = Command("status", "say whether the server is up and ready, and its version",
                 run_status, (
    arg("--url", help="the server to ask (default: FTRACK_SERVER, else every server this "
        "machine's user runs, else http://127.0.0.1:8765)"),
), "Ask the server's /health (it answers; its version) and /ready (its database and file "
   "store are usable). Exit status 0 when every server asked is ready, else 1.")  # fmt: skip
MIGRATE = Command("migrate", "copy the server's data to another database (e.g. SQLite to "
                  "PostgreSQL)", run_migrate, (
    arg("--from", dest="source", required=True, help="source database URL"),
    arg("--to", dest="target", required=True, help="destination database URL"),
), "Copy every entity, API key and file reference from one database to a new, empty one, in "
   "one transaction, and verify the row counts. Files stay in the data dir.")  # fmt: skip
SERVER = Command("server", "run the embedded ftrack-compatible server", run_server, (
    DATA,
    arg("--host", default="127.0.0.1", help="address to bind (default: loopback)"),
    arg("--port", type=int, default=8765, help="port (default: 8765)"),
    DATABASE,
    arg("--workers", type=int, default=1, help="server processes on the port (default: 1; more "
        "than one needs PostgreSQL)"),
    arg("--request-log", type=Path, help="write one JSON line per HTTP request here"),
    arg("--cors-origin", action="append", metavar="ORIGIN", help="a browser origin that may call "
        "the server, e.g. https://review.example.com (repeatable; also FT_DCC_CORS_ORIGINS, "
        "comma separated; default: none)"),
    arg("--forwarded-allow-ips", action="append", metavar="ADDRESSES", help="the proxies whose "
        "X-Forwarded-For the server believes: IP addresses or networks, comma separated, or * "
        "(repeatable; default: none, a request comes from the address that connected)"),
    arg("--smtp-url", metavar="URL", help="the studio's SMTP server, for invitations: "
        "smtp://HOST:25, smtp+starttls://USER@HOST:587 or smtps://USER@HOST:465 (also "
        "FT_DCC_SMTP_URL; never a password here: FT_DCC_SMTP_PASSWORD or --smtp-password-file)"),
    arg("--smtp-password-file", type=Path, metavar="FILE", help="the SMTP login's password: "
        "this file's first line (mode 0600)"),
    arg("--mail-from", metavar="ADDRESS", help='the mails\' sender, e.g. "Pixel Farm '
        '<dailies@pixelfarm.example>": its name is the studio\'s name the mails say (also '
        "FT_DCC_MAIL_FROM)"),
    arg("--mail-digest-seconds", metavar="SECONDS", help="how long a person's mail digest of "
        "notes and verdicts gathers before it is sent (default 300; also "
        "FT_DCC_MAIL_DIGEST_SECONDS)"),
    arg("--public-url", metavar="URL", help="the address people open this server at, for the "
        "links in mails, e.g. https://dailies.studio.example (also FT_DCC_PUBLIC_URL; default: "
        "the server's own address)"),
), "Run the embedded ftrack-compatible server (JSON API, uploads, events).",
   actions=(MIGRATE, INSTALL_SERVICE, BACKUP, RESTORE, STATUS), metavar="COMMAND")  # fmt: skip
USER = Command("user", "manage API users of the embedded server", actions=(
    Command("add", "add a user (or set its API key)", add_user, (
        arg("name", help="user name (the ftrack-user header)"),
        arg("--api-key", help="the key to use (default: a new random key, printed)"),
        arg("--admin", action="store_true", help="make the user an Administrator (the first "
            "user of a server always is one)"),
        PASSWORD_SOURCE,
        arg("--role", choices=ROLE_CHOICES, help=ROLE_HELP),
        ROLE_SCOPE,
        DATA,
        DATABASE,
    )),
    Command("role", "give a user a role, take one back, or list their roles", set_role, (
        arg("name", help="user name"),
        arg("--role", choices=ROLE_CHOICES, help=ROLE_HELP + "; replaces their earlier grant "
            "of that role"),
        ROLE_SCOPE,
        arg("--take-back", choices=ROLE_CHOICES, metavar="ROLE", help="take this role back"),
        DATA,
        DATABASE,
    ), "Roles are ftrack's own SecurityRole, UserSecurityRole and UserSecurityRoleProject rows: "
       "a Supervisor or Project Manager manages every review session of the projects the role "
       "covers (present, approve, add, remove and order versions, invite, client rules, "
       "revoke, close and reopen, export, audit), whoever created it. See SECURITY.md."),
    Command("password", "set a user's password for the sign-in page (ends their sign-ins)",
            set_password, (
        arg("name", help="user name"),
        PASSWORD_SOURCE,
        DATA,
        DATABASE,
    ), "Set the password NAME signs in with at the server's page (/). It is read from a file, "
       "standard input, or asked twice on a terminal; never given as an argument."),
    Command("signin-link", "print a one-time sign-in link for a user", signin_link, (
        arg("name", help="user name"),
        arg("--minutes", type=int, default=60, help="how long the link works (default: 60)"),
        DATA,
        DATABASE,
    ), "Print a link that signs NAME in once at the server's page, within --minutes; a "
       "person without a password yet (or who forgot it) signs in with it."),
), metavar="COMMAND")  # fmt: skip
#: ``ft-dcc server`` (and ``server migrate``) and ``ft-dcc user add|role``
COMMANDS = (SERVER, USER)
