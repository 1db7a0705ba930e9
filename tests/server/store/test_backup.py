"""``ft-dcc server backup`` and ``ft-dcc server restore``: a studio's server, whole, and back.

A real server (SQLite in its data dir, or PostgreSQL) gets a publish (a movie in its file store, a
review session), a second user with an API key and a task linked to a scope (a row of a link
table the API never shows). The backup is taken over the CLI while the server runs; a version
published after it must not come back. Restored into a new data dir and database, every table's
rows, every file's bytes and every key are the same as at the moment of the backup, and a server
started on them lets the second user in with the copied key and hands out the same movie bytes.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
import re
import stat
import threading
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from support import (
    TEST_KEY,
    TEST_USER,
    download_component,
    free_port,
    make_movie,
    make_task,
    open_session,
)
from support.cli import run_ft_dcc
from support.trust import root_conftest, start_server
from support.waiting import wait_until

pytest.importorskip("sqlalchemy")

from ft_dcc.server.runtime.data_lock import LOCK_NAME

OTHER_USER, OTHER_KEY = "second.artist", "second-key-7d1e0b"
#: tables of one running server's moment (event relay, hub tickets), not a studio's data
TRANSIENT = {"ft_dcc_event_relay", "ft_dcc_event_ticket"}
DATETIME_TEXT = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?")


def _publish(server: Any, tmp_path: Path, asset: str) -> Tuple[str, str]:
    """A version with a movie in a review session; (version id, movie component id)."""
    from ft_dcc.publish.common.manifest import ComponentSpec, IntegrateManifest
    from ft_dcc.publish.context.tasks import resolve_task
    from ft_dcc.publish.integrate.commit import integrate_manifest

    session = open_session(server, tmp_path / f"publisher-{asset}")
    task = resolve_task(session, None, make_task(session))
    movie = make_movie(tmp_path / f"{asset}.mp4", frames=3)
    manifest = IntegrateManifest(
        task_id=task["id"], asset_name=asset, comment=f"{asset} for the backup",
        components=[ComponentSpec(name="ftrackreview-mp4", file=str(movie), file_type=".mp4")],
        review_session_name=f"Dailies {asset}",
    )  # fmt: skip
    published = integrate_manifest(session, manifest, announce=False)
    scope = session.create("Scope", {"name": f"scope-{asset}"})
    session.get("Task", task["id"])["scopes"].append(scope)
    session.commit()
    session.close()
    return published.asset_version_id, published.component_ids["ftrackreview-mp4"]


def _invite(server: Any, tmp_path: Path) -> None:
    """An invitee of the review session, invited: rows of the server's own invitation table."""
    session = open_session(server, tmp_path / "inviter")
    review = session.query('ReviewSession where name is "Dailies moved"').one()
    invitee = session.create("ReviewSessionInvitee", {
        "review_session": review, "name": "Client", "email": "client@example.com"})
    session.commit()
    session.call([{"action": "send_review_session_invite",
                   "review_session_invitee_id": invitee["id"]}])  # fmt: skip
    session.close()


def _value(value: object) -> object:
    """One column value as both backends give it back alike."""
    if isinstance(value, str) and DATETIME_TEXT.fullmatch(value):  # SQLite keeps text
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value


def table_rows(url: str) -> Dict[str, List[str]]:
    """Every row of every table (but the transient ones), comparable across backends."""
    import sqlalchemy as sa

    from ft_dcc.server.model.database import parse_database_url

    engine = sa.create_engine(parse_database_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            found = {}
            for name in sa.inspect(connection).get_table_names():
                if name in TRANSIENT:
                    continue
                rows = connection.execute(sa.text(f'SELECT * FROM "{name}"')).mappings()
                found[name] = sorted(
                    repr(sorted((k, _value(v)) for k, v in row.items())) for row in rows
                )
            return found
    finally:
        engine.dispose()


def _without_info(rows: Dict[str, List[str]]) -> Dict[str, List[str]]:
    """All but ``ft_dcc_info``, which each database stamps itself (storage version)."""
    return {name: found for name, found in rows.items() if name != "ft_dcc_info"}


def file_digests(data_dir: Path) -> Dict[str, str]:
    """Every file of a data dir but the database and uploads in progress: path -> SHA-256 and
    mode."""
    found = {}
    for path in data_dir.rglob("*"):
        relative = path.relative_to(data_dir).as_posix()
        if not path.is_file() or relative.startswith(("ft_dcc.sqlite", "files/.incoming")):
            continue
        if path.name == LOCK_NAME:  # the running server's lock (data_lock), not its data
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        found[relative] = f"{digest} mode {stat.S_IMODE(path.stat().st_mode):o}"
    return found


def _database_args(url: str, tmp_path: Path) -> List[str]:
    """The database for a CLI run, from a file (as a studio keeps its password)."""
    secret = tmp_path / f"database-{hashlib.md5(url.encode()).hexdigest()[:8]}.url"
    secret.write_text(url + "\n", encoding="utf-8")
    secret.chmod(0o600)
    return ["--database-file", str(secret)]


@pytest.fixture
def source(backend: str, new_database_url: Any, tmp_path: Path) -> Any:
    """A running server of this test, on ``backend`` (SQLite: the data dir's own database)."""
    url = new_database_url(backend) if backend == "postgresql" else None
    server = start_server(tmp_path / "source", ["--database", url] if url else [])
    server.database_url = url or f"sqlite:///{server.data_dir / 'ft_dcc.sqlite'}"
    yield server
    server.stop()


@pytest.mark.slow
def test_backup_of_a_running_server_restores_every_row_file_and_key(
    source: Any, backend: str, new_database_url: Any, pg_empty_database: Any, tmp_path: Path
) -> None:
    version_id, movie_id = _publish(source, tmp_path, "before")
    add = ["user", "add", OTHER_USER, "--api-key", OTHER_KEY, "--data", str(source.data_dir)]
    assert run_ft_dcc([*add, *_database_args(source.database_url, tmp_path)]).returncode == 0
    movie = download_component(source, movie_id, tmp_path / "before.mp4").read_bytes()
    rows, files = table_rows(source.database_url), file_digests(source.data_dir)

    folder = tmp_path / "backup"
    done = run_ft_dcc(["server", "backup", folder, "--data", source.data_dir,
                       *_database_args(source.database_url, tmp_path)])  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"the {backend} database" in done.stdout and "keep it private" in done.stdout
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    _publish(source, tmp_path, "after")  # the server goes on: not part of the backup
    source.stop()

    target = pg_empty_database() if backend == "postgresql" else None
    restored = tmp_path / "restored"
    restore = ["server", "restore", folder, "--data", restored]
    done = run_ft_dcc([*restore, *(_database_args(target, tmp_path) if target else [])])
    assert done.returncode == 0, done.stderr
    assert "checked against the backup's manifest" in done.stdout
    target = target or f"sqlite:///{restored / 'ft_dcc.sqlite'}"
    assert table_rows(target) == rows
    assert file_digests(restored) == files
    assert {"url-signing.key", "review-page.key"} <= set(files)
    assert files["url-signing.key"].endswith("mode 600")  # and so still private
    if backend == "postgresql":  # a database with tables: refused, then replaced with --force
        again = [*restore[:-1], tmp_path / "again", *_database_args(target, tmp_path)]
        done = run_ft_dcc(again)
        assert done.returncode == 1 and "already has" in done.stderr and "--force" in done.stderr
        assert run_ft_dcc([*again, "--force"]).returncode == 0
        assert table_rows(target) == rows
        sqlite = f"sqlite:///{tmp_path / 'to-sqlite.sqlite'}"  # and on to SQLite, as documented
        assert run_ft_dcc(["server", "migrate", "--from", target, "--to", sqlite]).returncode == 0
        assert _without_info(table_rows(sqlite)) == _without_info(rows)

    server = _serve(restored, target, tmp_path)
    try:
        server.api_user, server.api_key = OTHER_USER, OTHER_KEY  # the restored API key
        assert download_component(server, movie_id, tmp_path / "after.mp4").read_bytes() == movie
        session = open_session(server, tmp_path / "reader")
        assert session.get("AssetVersion", version_id)["comment"] == "before for the backup"
        assert not session.query('AssetVersion where asset.name is "after"').all()
        session.close()
    finally:
        server.stop()


def _serve(data_dir: Path, database_url: str, tmp_path: Path) -> Any:
    """A server on a restored data dir and database (another port if one is taken)."""
    for _attempt in range(5):
        port = free_port()
        server = root_conftest().EmbeddedServer(
            url=f"http://127.0.0.1:{port}", api_user=TEST_USER, api_key=TEST_KEY,
            data_dir=data_dir, request_log=tmp_path / "restored-requests.jsonl", port=port,
            extra_args=["--database", database_url],
        )  # fmt: skip
        try:
            return server.start()
        except root_conftest().PortTakenError:
            continue
    raise RuntimeError("no free port for the restored server")


@pytest.fixture
def pg_empty_database(request: pytest.FixtureRequest) -> Any:
    """``make()``: a new PostgreSQL database with no tables (dropped after the test)."""
    made: List[Tuple[Any, str]] = []

    def make() -> str:
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database("restored")
        made.append((cluster, url))
        return str(url)

    yield make
    for cluster, url in made:
        cluster.drop_database(url)


@pytest.mark.slow
def test_a_sqlite_backup_restores_into_postgresql(
    fresh_server: Any, pg_empty_database: Any, tmp_path: Path
) -> None:
    _publish(fresh_server, tmp_path, "moved")
    _invite(fresh_server, tmp_path)
    sqlite_url = f"sqlite:///{fresh_server.data_dir / 'ft_dcc.sqlite'}"
    folder = tmp_path / "backup"
    done = run_ft_dcc(["server", "backup", folder, "--data", fresh_server.data_dir])
    assert done.returncode == 0, done.stderr
    fresh_server.stop()
    rows, files = table_rows(sqlite_url), file_digests(fresh_server.data_dir)

    target = pg_empty_database()
    restored = tmp_path / "restored"
    env = dict(os.environ, FT_DCC_DATABASE=target)  # the database from the environment
    done = run_ft_dcc(["server", "restore", folder, "--data", restored], env=env)
    assert done.returncode == 0, done.stderr
    assert len(rows["ft_dcc_invitation"]) == 1
    assert _without_info(table_rows(target)) == _without_info(rows)
    assert file_digests(restored) == files


def test_a_postgresql_dump_does_not_restore_into_sqlite(tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    (folder / "data").mkdir(parents=True)
    manifest = {"format": 1, "database": {"kind": "postgresql", "rows": {}}, "files": {}}
    (folder / "ft_dcc-backup.json").write_text(json.dumps(manifest), encoding="utf-8")
    done = run_ft_dcc(["server", "restore", folder, "--data", tmp_path / "restored"])
    assert done.returncode == 1
    assert "restores into PostgreSQL only" in done.stderr and "migrate" in done.stderr
    assert not (tmp_path / "restored").exists()


def test_backup_refuses_a_used_folder_and_restore_a_used_data_dir(
    fresh_server: Any, tmp_path: Path
) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine", encoding="utf-8")
    done = run_ft_dcc(["server", "backup", used, "--data", fresh_server.data_dir])
    assert done.returncode == 1 and "already exists; nothing was written" in done.stderr
    assert sorted(p.name for p in used.iterdir()) == ["keep.txt"]

    folder = tmp_path / "backup"
    assert run_ft_dcc(["server", "backup", folder, "--data", fresh_server.data_dir]).returncode == 0
    unforced = ["server", "restore", folder, "--data", fresh_server.data_dir]
    forced = [*unforced, "--force"]
    for args in (unforced, forced):  # the running server's lock refuses both
        done = run_ft_dcc(args)
        assert done.returncode == 1 and "in use by a running ft-dcc server" in done.stderr
        assert "stop every server on it first" in done.stderr

    fresh_server.stop()
    done = run_ft_dcc(unforced)
    assert done.returncode == 1 and "is not empty; nothing was restored" in done.stderr
    assert "--force" in done.stderr
    before = file_digests(fresh_server.data_dir)
    done = run_ft_dcc(forced)
    assert done.returncode == 0, done.stderr
    aside = Path(done.stdout.split("previous contents are in ")[1].split()[0])
    assert aside.parent == fresh_server.data_dir.parent and file_digests(aside) == before
    assert (fresh_server.data_dir / "ft_dcc.sqlite").is_file()


def test_restore_refuses_a_folder_that_is_no_backup(tmp_path: Path) -> None:
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "database.sqlite").write_bytes(b"")
    done = run_ft_dcc(["server", "restore", tmp_path / "half", "--data", tmp_path / "new"])
    assert done.returncode == 1
    assert "holds no complete ft_dcc backup" in done.stderr and "interrupted" in done.stderr


@pytest.mark.slow
def test_backups_taken_while_versions_are_published_hold_every_file_they_name(
    fresh_server: Any, tmp_path: Path
) -> None:
    """The database is copied first, the files after it: whatever moment a backup catches, each
    component its database keeps in the server's location has its file in the backup."""
    from ft_dcc.protocol import SERVER_LOCATION_ID

    stop, published = threading.Event(), []

    def publish() -> None:
        while not stop.is_set():
            published.append(_publish(fresh_server, tmp_path, f"busy{len(published)}"))

    worker = threading.Thread(target=publish)
    worker.start()
    folders = []
    try:
        for attempt in range(3):
            wait_until(lambda n=attempt: len(published) > n or not worker.is_alive(),
                       "a version published", timeout=120)  # fmt: skip
            folders.append(tmp_path / f"backup-{attempt}")
            done = run_ft_dcc(["server", "backup", folders[-1], "--data", fresh_server.data_dir])
            assert done.returncode == 0, done.stderr
    finally:
        stop.set()
        worker.join(timeout=300)
    assert len(published) >= 3

    import sqlite3

    for folder in folders:
        database = sqlite3.connect(folder / "database.sqlite")
        with database:
            held = [row[0] for row in database.execute(
                "SELECT component_id FROM ft_component_location WHERE location_id = ?",
                (SERVER_LOCATION_ID,),
            )]  # fmt: skip
        database.close()
        assert held, folder
        for component_id in held:
            assert (folder / "data" / "files" / component_id).is_file(), (folder, component_id)


def test_backup_says_what_is_wrong_with_what_it_was_given(tmp_path: Path) -> None:
    done = run_ft_dcc(["server", "backup", tmp_path / "b1", "--data", tmp_path / "absent"])
    assert done.returncode == 1 and "there is no data dir at" in done.stderr
    data = tmp_path / "data"
    data.mkdir()
    (data / "ft_dcc.sqlite").write_bytes(b"not a database, but a note " * 100)
    done = run_ft_dcc(["server", "backup", tmp_path / "b2", "--data", data])
    assert done.returncode == 1 and "cannot copy the database" in done.stderr
    assert "Traceback" not in done.stderr


def _another_account(tmp_path: Path) -> Dict[str, str]:
    """The environment of another account on this machine: its own app-data folder, so none of
    the running servers' records (``running-servers/``) are its."""
    home = tmp_path / "other-account"
    home.mkdir(exist_ok=True)
    return dict(os.environ, HOME=str(home), XDG_DATA_HOME=str(home / "share"))


def test_restore_refuses_while_a_server_uses_the_data_dir_or_database(
    source: Any, backend: str, tmp_path: Path
) -> None:
    """A restore run under another account (whose records name no running server) still refuses
    a data dir or database a running server uses: the server holds a lock on them (a lock file
    in the data dir; a PostgreSQL advisory lock) for as long as it runs. The server keeps its
    data and goes on serving; once it stops, the restore goes through. Seen failing first: the
    live data dir was moved aside (SQLite) and the live database's tables replaced
    (PostgreSQL) while the server ran."""
    _publish(source, tmp_path, "live")
    database = _database_args(source.database_url, tmp_path)
    folder = tmp_path / "backup"
    done = run_ft_dcc(["server", "backup", folder, "--data", source.data_dir, *database])
    assert done.returncode == 0, done.stderr
    rows, files = table_rows(source.database_url), file_digests(source.data_dir)
    other = _another_account(tmp_path)

    same = ["server", "restore", folder, "--data", source.data_dir, *database, "--force"]
    done = run_ft_dcc(same, env=other)
    assert done.returncode == 1, done.stdout
    assert "in use by a running ft-dcc server" in done.stderr
    assert "stop every server on it" in done.stderr
    if backend == "postgresql":  # the same database from a new data dir: refused too
        done = run_ft_dcc([*same[:4], tmp_path / "new-data", *database, "--force"], env=other)
        assert done.returncode == 1, done.stdout
        assert "in use by a running ft-dcc server" in done.stderr
        assert not (tmp_path / "new-data").exists()
    assert table_rows(source.database_url) == rows
    assert file_digests(source.data_dir) == files
    assert not list(source.data_dir.parent.glob("*.before-restore-*"))
    _publish(source, tmp_path, "still-serving")  # the server goes on, on its own data

    source.stop()
    done = run_ft_dcc(same, env=other)
    assert done.returncode == 0, done.stderr
    assert table_rows(source.database_url) == rows


def test_a_backup_makes_its_own_folder_and_follows_no_symlink(
    fresh_server: Any, tmp_path: Path
) -> None:
    """A backup goes only into a folder it makes itself (0700, its own): a folder another local
    user made (empty, or holding a symlink named like the database) and a symlink to a folder are
    refused with nothing written through them; a restore refuses a backup folder holding a
    symlink (it would read another file as the database). Seen failing first: the backup went
    into the other user's empty folder and through the symlinked folder, and the restore read
    the symlinked database."""
    import pwd

    nobody = pwd.getpwnam("nobody")
    theirs = tmp_path / "theirs"
    theirs.mkdir(mode=0o777)
    os.chown(theirs, nobody.pw_uid, nobody.pw_gid)
    backup = ["server", "backup", "--data", fresh_server.data_dir]
    done = run_ft_dcc([*backup[:2], theirs, *backup[2:]])
    assert done.returncode == 1 and "already exists; nothing was written" in done.stderr
    assert "makes it" in done.stderr and not list(theirs.iterdir())

    victim = tmp_path / "victim.sqlite"
    victim.write_bytes(b"someone else's file")
    (theirs / "database.sqlite").symlink_to(victim)
    done = run_ft_dcc([*backup[:2], theirs, *backup[2:]])
    assert done.returncode == 1 and victim.read_bytes() == b"someone else's file"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "link").symlink_to(elsewhere)
    done = run_ft_dcc([*backup[:2], tmp_path / "link", *backup[2:]])
    assert done.returncode == 1 and not list(elsewhere.iterdir())

    folder = tmp_path / "new" / "backup"
    done = run_ft_dcc([*backup[:2], folder, *backup[2:]])
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and folder.stat().st_uid == os.getuid()

    database = folder / "database.sqlite"
    other = tmp_path / "other.sqlite"
    database.rename(other)
    database.symlink_to(other)
    done = run_ft_dcc(["server", "restore", folder, "--data", tmp_path / "restored"])
    assert done.returncode == 1 and "symlink" in done.stderr, done.stderr
    assert not (tmp_path / "restored").exists()
