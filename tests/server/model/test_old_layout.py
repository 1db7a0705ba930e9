"""A database made by the oldest layout ft_dcc upgrades in place opens in today's server with
every row, link and identity intact, and is stamped with today's storage version; a database
from a newer ft_dcc is refused before anything is written.

The fixture ``tests/data/old_layout/ft_dcc-12addce.sqlite.gz`` was written by commit 12addce's
server (the first that upgraded in place) and filled by ``make_fixture.py`` beside it: a project
down to a task with the shot's custom attributes, an asset with two versions and their
components in the server location, a note and its reply, a review session holding both
versions, and two API users with their keys.
"""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest
import requests

from ft_dcc import __version__
from ft_dcc.cli import main
from ft_dcc.server.model.database import (
    STORAGE_VERSION,
    NewerDatabaseError,
    storage_info,
)
from ft_dcc.server.store.store import Store

FIXTURE = Path(__file__).resolve().parents[2] / "data" / "old_layout" / "ft_dcc-12addce.sqlite.gz"
Rows = Dict[str, Tuple[List[str], Set[tuple]]]


def _old_database(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ft_dcc.sqlite"
    path.write_bytes(gzip.decompress(FIXTURE.read_bytes()))
    return path


def _rows(path: Path) -> Rows:
    """Every table's columns and rows, read with plain sqlite3."""
    with sqlite3.connect(path) as connection:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        found: Rows = {}
        for name in names:
            cursor = connection.execute(f'SELECT * FROM "{name}"')
            found[name] = ([c[0] for c in cursor.description], set(cursor.fetchall()))
    return found


def test_every_row_of_the_oldest_layout_is_found_after_the_upgrade(tmp_path) -> None:
    path = _old_database(tmp_path / "data")
    before = _rows(path)
    assert sum(len(rows) for _columns, rows in before.values()) > 100
    assert "ft_dcc_info" not in before  # the oldest layout recorded no version

    store = Store(f"sqlite:///{path}")
    try:
        info = storage_info(store.engine)
    finally:
        store.engine.dispose()
    assert info["storage_version"] == str(STORAGE_VERSION)
    assert info["storage_version_by"] == __version__

    after = _rows(path)
    for table, (columns, rows) in before.items():
        now_columns, now_rows = after[table]
        picks = [now_columns.index(column) for column in columns]
        kept = {tuple(row[i] for i in picks) for row in now_rows}
        assert rows <= kept, f"{table}: {sorted(map(repr, rows - kept))[:3]}"


def test_the_upgraded_server_answers_with_the_old_identities_and_links(tmp_path) -> None:
    from support import free_port
    from support.trust import root_conftest

    data = tmp_path / "data"
    _old_database(data)
    port = free_port()
    server = root_conftest().EmbeddedServer(url=f"http://127.0.0.1:{port}", api_user="admin",
                            api_key="old-fixture-key", data_dir=data,
                            request_log=tmp_path / "requests.jsonl", port=port).start()
    try:
        def ask(user: str, key: str, expression: str) -> list:
            answer = requests.post(server.url + "/api", timeout=60, json=[
                {"action": "query", "expression": expression}],
                headers={"ftrack-user": user, "ftrack-api-key": key, "ftrack-strict-api": "true"})
            assert answer.status_code == 200, answer.text
            return answer.json()[0]["data"]

        admin = ("admin", "old-fixture-key")
        (project,) = ask(*admin, 'select id from Project where name is "oldlayout"')
        objects = ask("reviewer", "reviewer-key", "select asset_version.version, asset_version."
                      "task.parent.name, review_session.name from ReviewSessionObject")
        assert sorted((o["asset_version"]["version"], o["asset_version"]["task"]["parent"]["name"],
                       o["review_session"]["name"]) for o in objects) == [
            (1, "sh010", "Dailies old layout"), (2, "sh010", "Dailies old layout")]
        notes = ask(*admin, "select content, in_reply_to.content from Note")
        assert {(n["content"], (n["in_reply_to"] or {}).get("content")) for n in notes} == {
            ("tighter on the cut", None), ("done in take 2", "tighter on the cut")}
        shot = ask("admin", "old-fixture-key",
                   f'select custom_attributes from Shot where project_id is "{project["id"]}"')
        values = {c["key"]: c["value"] for c in shot[0]["custom_attributes"]}
        assert (values["fstart"], values["fend"], values["fps"]) == (1001, 1024, 25.0)
        places = ask(*admin, "select location.name from ComponentLocation "
                     "where component.name is ftrackreview-mp4")
        assert [p["location"]["name"] for p in places] == ["ftrack.server"] * 2
    finally:
        server.stop()
    assert "upgraded the database" in server.stderr_path.read_text(errors="replace")


def test_a_database_from_a_newer_ft_dcc_is_refused_and_left_alone(tmp_path, capsys) -> None:
    path = _old_database(tmp_path / "data")
    Store(f"sqlite:///{path}").engine.dispose()
    newer = STORAGE_VERSION + 1
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE ft_dcc_info SET value = ? WHERE key = 'storage_version'",
                           (str(newer),))
        connection.execute("UPDATE ft_dcc_info SET value = '9.1.0' WHERE key = "
                           "'storage_version_by'")
    before = path.read_bytes()

    with pytest.raises(NewerDatabaseError) as refused:
        Store(f"sqlite:///{path}")
    said = str(refused.value)
    assert f"storage version {newer} (upgraded to it by ft-dcc 9.1.0)" in said
    assert f"this ft-dcc {__version__}" in said
    assert "upgrade ft-dcc on this machine to 9.1.0" in said

    code = main(["server", "--data", str(tmp_path / "data"), "--port", "1"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "upgrade ft-dcc" in err[0], err
    assert path.read_bytes() == before
