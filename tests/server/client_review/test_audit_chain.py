"""The audit trail is tamper-evident: an entry edited in the database (sqlite3, behind the
server's back) breaks the chain at that entry, a removed one at the entry after it, and both
``ft_dcc.audit`` with ``verify`` and ``ft-dcc review audit --verify`` say where; the CLI's CSV
and JSONL parse back to the entries; appends from many threads at once make one valid chain
(SQLite and PostgreSQL); nothing secret is ever stored, a token in a URL included."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import sqlalchemy as sa
from support import genuine_sessions
from support.cli import run_ft_dcc
from support.trust import add_api_user, call
from web.feedback_fixtures import Page, link, make_dailies


@pytest.fixture(scope="module")
def world(embedded_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The shared SQLite server, a User (not an administrator) owning review sessions, and the
    environment ``ft-dcc`` needs to act as that User."""
    tmp = tmp_path_factory.mktemp("audit-chain")
    user = f"owen{uuid.uuid4().hex[:6]}"
    user_id, key = add_api_user(embedded_server, user)
    with genuine_sessions(embedded_server, tmp / "cache") as make:
        env = dict(embedded_server.env, FTRACK_API_USER=user, FTRACK_API_KEY=key,
                   FTRACK_API_SCHEMA_CACHE_PATH=str(tmp / "schemas"))  # fmt: skip
        yield {"server": embedded_server, "session": make(api_user=user, api_key=key),
               "env": env, "user": user, "key": key, "user_id": user_id}  # fmt: skip


def opened_trail(world: Dict[str, Any], opens: int = 4) -> Tuple[Any, Page]:
    """A new session whose invitee's page was opened ``opens`` times (after the session's own
    entries: created, two invitees added); the session and the link."""
    dailies = make_dailies(world["session"])
    ann = link(world["session"], dailies.ann)
    for _ in range(opens):
        assert ann.get().status_code == 200
    return dailies.review_session, ann


def audit(world: Dict[str, Any], session_id: str, **more: Any) -> Dict[str, Any]:
    operation = dict(action="ft_dcc.audit", review_session_id=session_id, **more)
    response = call(world["server"], [operation], user=world["user"], key=world["key"])
    assert response.status_code == 200, response.text
    return dict(response.json()[0])


def cli(world: Dict[str, Any], *args: str) -> subprocess.CompletedProcess:
    return run_ft_dcc(["review", "audit", *args], env=dict(os.environ, **world["env"]), timeout=120)


@contextlib.contextmanager
def database(world: Dict[str, Any]) -> Iterator[sqlite3.Connection]:
    """The server's SQLite file, opened behind its back (as a person with the file would)."""
    path = Path(world["server"].data_dir) / "ft_dcc.sqlite"
    with contextlib.closing(sqlite3.connect(str(path), timeout=30)) as connection, connection:
        yield connection


def test_an_edited_entry_is_found_at_that_entry(world: Dict[str, Any]) -> None:
    review_session, _ann = opened_trail(world)
    entries = audit(world, review_session["id"], verify=True)["entries"]
    assert audit(world, review_session["id"], verify=True)["verify"]["ok"] is True
    target = entries[4]  # the second page load
    with database(world) as connection:
        connection.execute("update ft_dcc_audit set source = '10.6.6.6' where seq = ?",
                           (target["seq"],))  # fmt: skip
    checked = audit(world, review_session["id"], verify=True)["verify"]
    assert checked["ok"] is False and checked["broken_seq"] == target["seq"], checked
    assert "edited" in checked["reason"]
    # the CLI says it too, and exits 1
    done = cli(world, review_session["name"], "--project", review_session["project"]["name"],
               "--verify")  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"chain BROKEN at entry {target['seq']}" in done.stderr
    # whoever edits it and writes a matching hash breaks the next entry's link instead
    fields = dict(target, source="10.6.6.6")
    fields.pop("hash")
    forged = hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":"),
                                       ensure_ascii=False).encode()).hexdigest()  # fmt: skip
    with database(world) as connection:
        connection.execute("update ft_dcc_audit set hash = ? where seq = ?",
                           (forged, target["seq"]))  # fmt: skip
    checked = audit(world, review_session["id"], verify=True)["verify"]
    assert checked["ok"] is False and checked["broken_seq"] == entries[5]["seq"], checked


def test_a_removed_entry_is_found_at_the_entry_after_it(world: Dict[str, Any]) -> None:
    review_session, _ann = opened_trail(world)
    entries = audit(world, review_session["id"])["entries"]
    with database(world) as connection:
        connection.execute("delete from ft_dcc_audit where seq = ?", (entries[4]["seq"],))
    checked = audit(world, review_session["id"], verify=True)["verify"]
    assert checked["ok"] is False and checked["broken_seq"] == entries[5]["seq"], checked
    assert "removed" in checked["reason"]


def test_the_cli_prints_csv_and_jsonl_that_parse_back(world: Dict[str, Any]) -> None:
    review_session, _ann = opened_trail(world, opens=2)
    entries = audit(world, review_session["id"])["entries"]
    where = [review_session["name"], "--project", review_session["project"]["name"]]
    as_csv = cli(world, *where, "--format", "csv", "--verify")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(int(r["seq"]), r["act"], r["who"], r["hash"]) for r in rows] == [
        (e["seq"], e["act"], e["who"], e["hash"]) for e in entries
    ]
    assert [json.loads(r["detail"]) for r in rows] == [e["detail"] for e in entries]
    server = world["env"]["FTRACK_SERVER"].rstrip("/")
    assert f"read from the ftrack server at {server}" in as_csv.stderr
    assert f"chain verified: {len(entries)} entries" in as_csv.stderr
    as_jsonl = cli(world, *where, "--format", "jsonl")
    assert as_jsonl.returncode == 0, as_jsonl.stderr
    assert [json.loads(line) for line in as_jsonl.stdout.splitlines()] == entries
    later = cli(world, *where, "--format", "jsonl", "--since", entries[-1]["time"])
    assert [json.loads(line)["seq"] for line in later.stdout.splitlines()] == [entries[-1]["seq"]]


def test_the_cli_refuses_another_user(world: Dict[str, Any]) -> None:
    review_session, _ann = opened_trail(world, opens=1)
    name = f"mel{uuid.uuid4().hex[:6]}"
    _user_id, key = add_api_user(world["server"], name)
    other = dict(world, env=dict(world["env"], FTRACK_API_USER=name, FTRACK_API_KEY=key))
    done = cli(other, review_session["name"], "--project", review_session["project"]["name"])
    assert done.returncode == 1 and not done.stdout
    assert "administrator, the review session's creator or a Supervisor" in done.stderr


# -- the trail's own rules, on a Store (no server) ------------------------------------------------
def raw_rows(store: Any) -> List[Dict[str, Any]]:
    with store.engine.connect() as connection:
        rows = connection.execute(sa.text("select * from ft_dcc_audit order by seq"))
        return [dict(row) for row in rows.mappings()]


def test_appends_from_many_threads_make_one_chain(store: Any) -> None:
    from ft_dcc.server import audit

    audit.audit_table(store)  # as the server does at start-up
    failed: List[BaseException] = []

    def append(worker: int) -> None:
        try:
            for n in range(10):
                audit.record(store, "media.played", who=f"invitee:w{worker}",
                             review_session_id="rs", source="::1", detail={"n": n})  # fmt: skip
        except BaseException as exc:  # the test says which
            failed.append(exc)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failed, failed
    checked = audit.verify(audit.entries(store, "rs"))
    assert checked["ok"] is True and checked["checked"] == 40, checked
    assert [row["seq"] for row in raw_rows(store)] == list(range(1, 41))


def test_nothing_secret_is_stored(store: Any) -> None:
    from ft_dcc.server import audit

    token = "eyJ" + uuid.uuid4().hex
    audit.record(store, "link.opened", who="room", review_session_id="rs",
                 source=f"10.0.0.1/?token={token}",
                 detail={"url": f"http://studio:8080/review/rs?token={token}&t=1",
                         "Passphrase": "hunter2", "nested": [{"api_key": "k-123"}],
                         "keys": ["passphrase"]})  # fmt: skip
    stored = json.dumps(raw_rows(store))
    assert token not in stored and "hunter2" not in stored and "k-123" not in stored
    entry = next(iter(audit.entries(store, "rs")))
    assert entry["detail"]["url"] == "http://studio:8080/review/rs?token=[removed]&t=1"
    assert entry["detail"]["keys"] == ["passphrase"]  # names stay: values go
    with pytest.raises(ValueError, match="unknown audit act"):
        audit.record(store, "link.stolen", who="room", review_session_id="rs", source="x")


def test_a_change_the_server_makes_itself_is_recorded_as_the_servers(store: Any) -> None:
    """A committed batch with no user behind it (the server's own writes: a room identity's
    collaborator, a lead ended) is the server's entry, not a failed ``user:`` one (the trail
    logged "audit 'who' 'user:' must be ..." and lost the entry)."""
    from ft_dcc.server import audit

    audit.audit_table(store)
    change = {"entity_type": "ReviewSession", "entity_id": "rs-server", "action": "update",
              "keys": ["end_date"], "values": {"end_date": None}}  # fmt: skip
    audit.record_changes(store, [change], "")
    (entry,) = list(audit.entries(store, "rs-server"))
    assert entry["who"] == "server" and entry["act"] == "session.changed", entry
