"""The notifier writes in its turn: while a big batch holds the writer (an import's chunk), the
notices of committed notes wait in the process's queue of writers (``model.writers``) instead of
sleeping on SQLite's lock, which a writer writing chunk after chunk takes again before the
sleeper wakes (after 30 s: "database is locked", the notices lost; seen while bench_year
seeded). When the batch ends they are written, and every note is delivered once.

In this process, on SQLite: the statements are heard (never timed)."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa
from support.waiting import wait_until

KEY = "k" * 32
ADMIN = "admin"
HEADERS = {"ftrack-user": ADMIN, "ftrack-api-key": KEY}
NOTES = 5


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Any]:
    """The server's own app in this process (its notifier running), and its client."""
    from starlette.testclient import TestClient

    from ft_dcc.server.app import create_app
    from ft_dcc.server.runtime.config import ServerConfig

    app = create_app(ServerConfig(data_dir=tmp_path / "data"),
                     {"FTRACK_API_USER": ADMIN, "FTRACK_API_KEY": KEY})  # fmt: skip
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield app.state.server, client


def _api(client: Any, operations: List[Dict[str, Any]]) -> Any:
    reply = client.post("/api", json=operations, headers=HEADERS)
    assert reply.status_code == 200, reply.text[:1000]
    return reply.json()


def _version(client: Any) -> str:
    """A new version (of a new shot's asset) to write notes on."""
    schema, kind = _api(
        client,
        [
            {"action": "query", "expression": "select id from ProjectSchema"},
            {"action": "query", "expression": "select id from AssetType"},
        ],
    )
    project, shot, asset, version = (str(uuid.uuid4()) for _ in range(4))
    _api(client, [
        {"action": "create", "entity_type": "Project", "entity_data": {
            "id": project, "name": "p" + project[:6], "full_name": "Turns",
            "project_schema_id": schema["data"][0]["id"]}},
        {"action": "create", "entity_type": "Shot", "entity_data": {
            "id": shot, "name": "sh010", "parent_id": project}},
        {"action": "create", "entity_type": "Asset", "entity_data": {
            "id": asset, "name": "comp", "context_id": shot, "type_id": kind["data"][0]["id"]}},
        {"action": "create", "entity_type": "AssetVersion", "entity_data": {
            "id": version, "asset_id": asset}},
    ])  # fmt: skip
    return version


def test_notices_wait_their_turn_while_a_batch_writes_and_each_arrives_once(served: Any) -> None:
    from ft_dcc.server.model.storage import write_transaction
    from ft_dcc.server.model.writers import turns_of

    server, client = served
    notifier, engine = server.notifier, server.store.engine
    notifier.hooks.add("http://127.0.0.1:9/hook", ["note.created"], "a long enough secret",
                       False, ADMIN)  # fmt: skip
    version = _version(client)
    notes = [str(uuid.uuid4()) for _ in range(NOTES)]
    written = server.store.run(
        [
            {
                "action": "create",
                "entity_type": "Note",
                "entity_data": {
                    "id": note,
                    "content": f"note {n}",
                    "parent_id": version,
                    "parent_type": "AssetVersion",
                },
            }
            for n, note in enumerate(notes)
        ],
        server.seed.user_id,
    )  # fmt: skip  (its notices: below)

    held, release = threading.Event(), threading.Event()

    def big_batch() -> None:  # holds the writer as an import's chunk does
        with write_transaction(engine):
            held.set()
            release.wait(120)

    begun: List[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread().name == "committed notes" and statement.startswith("BEGIN"):
            begun.append(statement)

    batch = threading.Thread(target=big_batch, name="big batch")
    notices = threading.Thread(target=notifier.record, args=(written.changes, server.seed.user_id),
                               name="committed notes")  # fmt: skip
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        batch.start()
        assert held.wait(60)
        notices.start()
        wait_until(lambda: begun or turns_of(engine).waiting(),
                   "the notices waiting for the writer")  # fmt: skip
        assert begun == [], "the notices went for SQLite's lock while a batch held it"
    finally:
        release.set()
        batch.join(60)
        notices.join(60)
        sa.event.remove(engine, "before_cursor_execute", note)

    notifier.wake()

    def delivered() -> List[str]:
        return sorted(str(d["note_id"]) for d in notifier.deliveries.listed())

    wait_until(lambda: delivered() == sorted(notes), lambda: f"deliveries {delivered()}")
    assert notifier.notices.waiting() == 0
