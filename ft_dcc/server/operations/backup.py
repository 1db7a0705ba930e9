"""``ft-dcc server backup DIR`` and ``ft-dcc server restore DIR``: a studio's server, whole.

A backup folder (mode 0700: it holds keys) is

- ``database.sqlite`` or ``database.pgdump``: a consistent copy of the database taken while the
  server runs (:mod:`ft_dcc.server.operations.backup_db`): every entity, link, API key and file
  record;
- ``data/``: the data dir's files: the file store (``files/``: every uploaded and encoded file
  and its sidecar), the URL-signing and review-page keys and ``credentials.env``, with their
  modes. Uploads still in progress (``files/.incoming``) are left out: their clients send them
  again. The database goes first: a file a component refers to is in place before its record
  commits, so every file the copied database names is copied after it;
- ``ft_dcc-backup.json``, the manifest, written last (a folder without it is an interrupted
  backup, and is refused by ``restore``): when, from which database, each table's row count and
  each file's size; ``restore`` checks the result against it.

A backup makes its folder itself (never one that exists, nor through a symlink) and copies no
symlink; ``restore`` refuses a backup folder holding one.

``restore`` puts a backup into a data dir and database that hold nothing (``--force``: a
non-empty data dir is moved aside, not deleted; a PostgreSQL database's tables of the dump are
replaced), and never while a server uses them, whichever account runs it: it needs the lock every
running server holds shared (:mod:`ft_dcc.server.runtime.data_lock`). A SQLite backup restores
into PostgreSQL too, through ``ft-dcc server migrate``'s copy; a PostgreSQL dump needs a
PostgreSQL database (then ``migrate`` moves it to SQLite).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet, Dict, Iterator, List, Optional, Tuple

from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from ft_dcc.exceptions import BackupError
from ft_dcc.protocol.version import __version__
from ft_dcc.server.model.database import describe
from ft_dcc.server.operations import backup_db as db
from ft_dcc.server.runtime import data_lock

MANIFEST = "ft_dcc-backup.json"
DATA = "data"
FORMAT = 1
#: Below the data dir: what a backup leaves out (uploads in progress).
SKIPPED = (Path("files") / ".incoming",)


@dataclass
class BackupReport:
    """What one backup (or restore) holds."""

    folder: Path
    kind: str
    rows: Dict[str, int]
    files: Dict[str, int] = field(default_factory=dict)
    #: a restore's data dir moved aside by ``--force`` (None: it was empty)
    moved_aside: Optional[Path] = None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def total_bytes(self) -> int:
        return sum(self.files.values())


# -- backup -----------------------------------------------------------------------------------
def backup(data_dir: Path, database_url: Optional[str], folder: Path) -> BackupReport:
    """Copy the database, then the data dir's files, into ``folder``, which it makes."""
    data_dir = data_dir.expanduser().resolve()
    url = db.parse(database_url, data_dir / "ft_dcc.sqlite")
    if not data_dir.is_dir():
        raise BackupError(f"there is no data dir at {data_dir}", "give the server's --data")
    folder = _new_folder(folder.expanduser().resolve(), data_dir)
    kind = db.kind_of(url)
    if kind == "sqlite":
        rows = db.backup_sqlite(url, folder / db.SQLITE_FILE)
    else:
        rows = db.backup_pg(url, folder / db.PG_FILE)
    for made in folder.glob("database.*"):
        os.chmod(made, 0o600)  # it holds the API keys
    skip = set(db.sqlite_files(db.sqlite_path(url))) if kind == "sqlite" else set()
    skip |= set(data_lock.lock_files(data_dir, url))  # the running server's, not its data
    files = copy_tree(data_dir, folder / DATA, skip)
    report = BackupReport(folder, kind, rows, files)
    _write_manifest(report, url, data_dir)
    return report


def _new_folder(folder: Path, data_dir: Path) -> Path:
    """Make the backup's own folder (0700): never one that exists, whoever made it (another
    local user could swap its files), nor through a symlink."""
    if folder == data_dir or data_dir in folder.parents:
        raise BackupError(
            f"the backup folder {folder} is inside the data dir {data_dir}",
            "give a folder outside it (better: on another disk)",
        )
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(folder, 0o700)  # refuses an existing name, a symlink included
    except FileExistsError:
        raise BackupError(
            f"{folder} already exists; nothing was written",
            "give a new folder for each backup: the backup makes it, private to you "
            "(e.g. backups/$(date +%F))",
        ) from None
    os.chmod(folder, 0o700)  # whatever the umask
    return folder


def _files_under(root: Path, skip: AbstractSet[Path]) -> Iterator[Path]:
    for top, folders, names in os.walk(root):
        here = Path(top)
        folders[:] = [n for n in folders if (here / n).relative_to(root) not in SKIPPED]
        for name in sorted(names):
            path = here / name
            if path not in skip and not path.is_symlink():
                yield path


def copy_tree(source: Path, target: Path, skip: AbstractSet[Path] = frozenset()) -> Dict[str, int]:
    """Copy every regular file under ``source`` (modes kept); relative path -> size."""
    copied: Dict[str, int] = {}
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, 0o700)
    for path in _files_under(source, skip):
        relative = path.relative_to(source)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, destination)
        except FileNotFoundError:  # removed meanwhile (a retired file, a finished upload)
            continue
        copied[relative.as_posix()] = destination.stat().st_size
    return copied


def _write_manifest(report: BackupReport, url: URL, data_dir: Path) -> None:
    manifest = {
        "format": FORMAT,
        "ft_dcc_version": __version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "data_dir": str(data_dir),
        "database": {"kind": report.kind, "source": describe(url), "rows": report.rows},
        "files": report.files,
    }
    partial = report.folder / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, report.folder / MANIFEST)


# -- restore ----------------------------------------------------------------------------------
def read_manifest(folder: Path) -> Dict[str, object]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(
            f"{folder} holds no complete ft_dcc backup (no {MANIFEST}: another folder, or a "
            "backup that was interrupted)",
            "give the folder ft-dcc server backup wrote",
        ) from None
    except (OSError, ValueError) as error:
        raise BackupError(f"cannot read {path} ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            f"{path} is not a backup this ft_dcc ({__version__}) reads",
            "restore it with the ft-dcc version that made it",
        )
    return manifest


def restore(
    folder: Path, data_dir: Path, database_url: Optional[str], force: bool = False
) -> BackupReport:
    """Put the backup in ``folder`` into ``data_dir`` and the database; checked against the
    manifest. Refused while any server uses them (:mod:`ft_dcc.server.runtime.data_lock`)."""
    folder = folder.expanduser().resolve()
    data_dir = data_dir.expanduser().resolve()
    _refuse_symlinks(folder)
    manifest = read_manifest(folder)
    kind, rows, files = _manifest_parts(manifest)
    url = db.parse(database_url, data_dir / "ft_dcc.sqlite")
    with data_lock.restore_lock(data_dir, database_url):
        _check_target_database(kind, url, data_dir, force)
        moved = _clear_data_dir(data_dir, force)
        try:
            restored = _restore_database(folder, kind, url, force)
            _check_rows(rows, restored, url)
            copied = copy_tree(folder / DATA, data_dir)
            _check_files(files, copied, data_dir)
        except BaseException:
            if moved is not None:  # the data dir as it was, back in its place
                shutil.rmtree(data_dir, ignore_errors=True)
                os.replace(moved, data_dir)
            raise
    return BackupReport(data_dir, db.kind_of(url), restored, copied, moved)


def _refuse_symlinks(folder: Path) -> None:
    """A backup holds no symlink (one would have the restore read some other file)."""
    for top, folders, names in os.walk(folder):
        for name in [*folders, *names]:
            path = Path(top) / name
            if path.is_symlink():
                raise BackupError(
                    f"the backup folder holds a symlink, {path}; nothing was restored",
                    "a backup holds regular files only: restore from the folder ft-dcc server "
                    "backup made, untouched",
                )


def _manifest_parts(manifest: Dict[str, object]) -> Tuple[str, Dict[str, int], Dict[str, int]]:
    database = manifest.get("database")
    files = manifest.get("files")
    if not isinstance(database, dict) or not isinstance(files, dict):
        raise BackupError("the backup's manifest is damaged (no database or files)")
    rows = database.get("rows")
    return str(database.get("kind")), dict(rows) if isinstance(rows, dict) else {}, dict(files)


def _check_target_database(kind: str, url: URL, data_dir: Path, force: bool) -> None:
    target_kind = db.kind_of(url)
    if kind == "postgresql" and target_kind == "sqlite":
        raise BackupError(
            "this backup's database is a PostgreSQL dump; it restores into PostgreSQL only",
            "restore it with --database postgresql://… (a new database: createdb), then, to "
            "move to SQLite, ft-dcc server migrate --from postgresql://… --to sqlite:///…",
        )
    if target_kind == "sqlite":
        path = db.sqlite_path(url)
        if data_dir not in path.parents and path.exists() and not force:
            raise BackupError(
                f"{path} already exists; nothing was restored",
                "give a new database path, or add --force to replace it",
            )
        return
    tables = db.pg_table_names(url)
    if tables and (kind == "sqlite" or not force):
        raise BackupError(
            f"the database {describe(url)} already has {len(tables)} tables; nothing was "
            "restored",
            "restore into a new, empty database (createdb -O USER NAME)"
            + ("" if kind == "sqlite" else ", or add --force to replace its tables' contents"),
        )


def _clear_data_dir(data_dir: Path, force: bool) -> Optional[Path]:
    """Nothing to do for a new or empty data dir; with ``force`` a used one is moved aside."""
    if not data_dir.exists() or (data_dir.is_dir() and not any(data_dir.iterdir())):
        return None
    if not force:
        raise BackupError(
            f"the data dir {data_dir} is not empty; nothing was restored",
            "restore into a new folder, or add --force to move its contents aside first",
        )
    aside = data_dir.with_name(f"{data_dir.name}.before-restore-{time.strftime('%Y%m%d-%H%M%S')}")
    os.replace(data_dir, aside)
    return aside


def _restore_database(folder: Path, kind: str, url: URL, force: bool) -> Dict[str, int]:
    target_kind = db.kind_of(url)
    if kind == "postgresql":
        return db.restore_pg(folder / db.PG_FILE, url, replace=force)
    if target_kind == "sqlite":
        return db.restore_sqlite(folder / db.SQLITE_FILE, url)
    return _migrate_sqlite_copy(folder / db.SQLITE_FILE, url)


def _migrate_sqlite_copy(copy: Path, url: URL) -> Dict[str, int]:
    """A SQLite backup into PostgreSQL: ``ft-dcc server migrate`` from a scratch copy (opening a
    database may upgrade it: the backup itself stays as it was)."""
    from ft_dcc.server.operations.migrate import migrate

    with tempfile.TemporaryDirectory(prefix="ft_dcc-restore-") as scratch:
        source = Path(scratch) / db.SQLITE_FILE
        shutil.copyfile(copy, source)
        try:
            report = migrate(f"sqlite:///{source}", url.render_as_string(hide_password=False))
        except SQLAlchemyError as error:
            raise BackupError(
                f"copying the backup into {describe(url)} failed: {str(error).splitlines()[0]}",
                "restore into a new, empty PostgreSQL database the URL's user owns",
            ) from None
    return dict(report.rows)


def _check_rows(expected: Dict[str, int], found: Dict[str, int], url: URL) -> None:
    wrong = [
        f"{name}: {rows} in the backup, {found[name]} restored"
        for name, rows in sorted(expected.items())
        if name in found and found[name] != rows
    ]
    if wrong:
        raise BackupError(
            f"the restored database {describe(url)} differs from the backup ({'; '.join(wrong)})",
            "the backup may be damaged: restore an older one, and keep this database for "
            "inspection",
        )


def _check_files(expected: Dict[str, int], copied: Dict[str, int], data_dir: Path) -> None:
    wrong: List[str] = [
        name for name, size in sorted(expected.items()) if copied.get(name) != size
    ]
    if wrong:
        raise BackupError(
            f"{len(wrong)} files of the backup are missing or of another size in {data_dir}, "
            f"e.g. {wrong[0]}",
            "the backup may be damaged: restore an older one",
        )
