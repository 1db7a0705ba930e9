"""``ft-dcc server`` and its actions: serve, ``status``, ``migrate``, ``install-service``,
``backup`` and ``restore``. Only the standard library is imported here; the server extra is
loaded inside the handlers."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ft_dcc.commands_base import Command, Group, arg
from ft_dcc.server.commands.options import (
    DATA,
    DATABASE,
    MISSING_EXTRA,
    config_of,
    database_of,
    error,
)

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from ft_dcc.server.runtime.config import ServerConfig


def run_server(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM."""
    config = config_of(args)
    try:
        from ft_dcc.exceptions import DatabaseSetupError
        from ft_dcc.server.app import create_app
        from ft_dcc.server.commands.workers import check_workers
        from ft_dcc.server.files.disk import DataDirError
        from ft_dcc.server.runtime.data_lock import server_lock
    except ImportError as exc:
        return error(f"{MISSING_EXTRA} ({exc})")
    from ft_dcc.exceptions import DataInUseError

    try:
        check_workers(config)
        app = create_app(config)  # says what is wrong with the database, if anything
        with server_lock(config.data_dir, config.database_url):
            return _serve_locked(config, app)
    except (DatabaseSetupError, DataDirError, DataInUseError) as exc:
        return error(exc)


def _serve_locked(config: ServerConfig, app: Starlette) -> int:
    """Serve ``app`` (the data dir and database locked against a restore) until stopped."""
    from ft_dcc.server.commands.workers import serve

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
        return error(f"{MISSING_EXTRA} ({exc})")
    for url, option in ((args.source, "--from"), (args.target, "--to")):
        warning = command_line_warning(url, option)
        if warning:
            print(f"ft-dcc: warning: {warning}", file=sys.stderr)
    try:
        report = migrate(args.source, args.target)
    except DatabaseSetupError as exc:
        return error(exc)
    filled = {name: rows for name, rows in report.rows.items() if rows}
    print(f"ft-dcc server migrate: copied {report.total} rows in {len(filled)} tables "
          "(row counts verified)", flush=True)  # fmt: skip
    for name, rows in sorted(filled.items()):
        print(f"  {name}: {rows}")
    print("Start the server with the same --data and the new --database; uploaded files stay "
          "in the data dir.", flush=True)  # fmt: skip
    return 0


def run_install_service(args: argparse.Namespace) -> int:
    from ft_dcc.server.operations.operate import install_service

    return install_service(args, database_of(args))


def run_backup(args: argparse.Namespace) -> int:
    from ft_dcc.server.operations.operate import backup

    config = config_of(args)
    return backup(args, config.data_dir, config.database_url)


def run_restore(args: argparse.Namespace) -> int:
    from ft_dcc.server.operations.operate import restore

    config = config_of(args)
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
#: what ``ft-dcc`` offers from here (``ft_dcc.cli.COMMAND_MODULES``)
COMMANDS = (SERVER,)
