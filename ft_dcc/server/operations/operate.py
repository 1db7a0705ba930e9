"""What ``ft-dcc server install-service``, ``backup`` and ``restore`` print and answer: the
handlers behind their declarations in :mod:`ft_dcc.server.commands.serve` (which resolves the
database URL, :mod:`ft_dcc.server.operations.secrets_source`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ft_dcc.exceptions import FtDccError

if TYPE_CHECKING:
    from ft_dcc.server.operations.service import ServiceSpec


def _error(problem: object) -> int:
    print(f"ft-dcc: error: {problem}", file=sys.stderr)
    return 1


def _size(count: int) -> str:
    return f"{count / 1024**2:.1f} MB" if count >= 1024**2 else f"{count / 1024:.1f} kB"


# -- install-service --------------------------------------------------------------------------
def install_service(args: argparse.Namespace, database_url: Optional[str]) -> int:
    """Write (or, ``--dry-run``, print) the unit and its environment file."""
    from ft_dcc.server.operations import service

    spec = _spec(args, database_url)
    files = service.default_files(spec.name, spec.user_mode, args.output)
    try:
        service.check_spec(spec)
        service.check_files(files)
        if args.dry_run:
            print(f"# {files.unit}\n{service.unit_text(spec, files)}")
            print(f"# {files.environment} (mode 0600)\n{service.environment_text(spec, True)}")
            return 0
        service.install(spec, files)
    except FtDccError as exc:
        return _error(exc)
    except PermissionError as exc:
        return _error(f"cannot write {exc.filename}: run it as root (sudo) for a system "
                      "service, or add --user for a service of your own")  # fmt: skip
    hidden = None if spec.user_mode else service.private_folder(Path(spec.command[0]))
    if hidden is not None:
        print(f"ft-dcc: warning: {hidden} is private to its owner: the service's user "
              f"{spec.service_user} cannot start {spec.command[0]}; install ft-dcc where it "
              "can (e.g. a venv in /opt/ft_dcc) and run install-service from there",
              file=sys.stderr)  # fmt: skip
    print(f"ft-dcc server install-service: wrote {files.unit}")
    print(f"  and {files.environment} (mode 0600: the database URL, for the service only)")
    print("Then:")
    for step in service.next_steps(spec, files):
        print(f"  {step}")
    return 0


def _spec(args: argparse.Namespace, database_url: Optional[str]) -> ServiceSpec:
    from ft_dcc.server.operations import service
    from ft_dcc.server.runtime.config import default_data_dir

    user_mode = bool(args.user)
    data_dir = args.data or (default_data_dir() if user_mode else service.SYSTEM_DATA_DIR)
    return service.ServiceSpec(
        name=args.name,
        user_mode=user_mode,
        data_dir=Path(data_dir).expanduser().absolute(),
        host=args.host,
        port=args.port,
        workers=args.workers,
        database_url=database_url,
        service_user=None if user_mode else args.service_user,
        command=service.ft_dcc_command(),
    )


# -- backup and restore -----------------------------------------------------------------------
def backup(args: argparse.Namespace, data_dir: Path, database_url: Optional[str]) -> int:
    from ft_dcc.server.operations.backup import backup as take

    try:
        report = take(data_dir, database_url, args.folder)
    except FtDccError as exc:
        return _error(exc)
    except OSError as exc:  # a file the server's user owns, read by another user
        return _error(f"cannot copy {exc.filename}: {exc.strerror} (run it as the server's user, "
                      "or as root)")  # fmt: skip
    tables = sum(1 for rows in report.rows.values() if rows)
    print(f"ft-dcc server backup: {report.folder}: the {report.kind} database ({report.total_rows} "
          f"rows in {tables} tables, one consistent moment) and {len(report.files)} files "
          f"({_size(report.total_bytes)}) of {data_dir}")  # fmt: skip
    print("  It holds the API keys, the URL-signing keys and credentials.env: keep it private "
          "(the folder is mode 0700).")  # fmt: skip
    again = " --database-file PATH" if report.kind == "postgresql" else ""
    print(f"  Restore: ft-dcc server restore {report.folder} --data DIR{again}")
    return 0


def restore(args: argparse.Namespace, data_dir: Path, database_url: Optional[str]) -> int:
    from ft_dcc.server.model.database import describe
    from ft_dcc.server.operations.backup import restore as put_back

    try:
        report = put_back(args.folder, data_dir, database_url, force=args.force)
    except FtDccError as exc:
        return _error(exc)
    except OSError as exc:
        return _error(f"cannot restore {exc.filename}: {exc.strerror} (run it as the server's "
                      "user, or as root)")  # fmt: skip
    if report.moved_aside is not None:
        print(f"ft-dcc server restore: the data dir's previous contents are in "
              f"{report.moved_aside}")  # fmt: skip
    where = describe(database_url) if database_url else f"SQLite in {data_dir}"
    print(f"ft-dcc server restore: {report.total_rows} rows into {where} and "
          f"{len(report.files)} files ({_size(report.total_bytes)}) into {data_dir}, "
          "checked against the backup's manifest")  # fmt: skip
    print(f"  Start it: ft-dcc server --data {data_dir}"
          + (" --database-file PATH" if database_url else ""))  # fmt: skip
    return 0
