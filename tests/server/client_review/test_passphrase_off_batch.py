"""A ReviewSession's passphrase is hashed (scrypt, ~0.6 s under load) before its batch takes the
server's write lock: another person's write is not held while the passphrase is hashed.

The KDF is held on an event (no clock): while it is held, a second write must be answered; then
the passphrase written is the one the stored hash verifies."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
from starlette.testclient import TestClient

from ft_dcc.server.app import create_app
from ft_dcc.server.rules import passphrase
from ft_dcc.server.runtime.config import ServerConfig

SECRET = "held passphrase 7"
KEY = "k" * 32
HEADERS = {"ftrack-user": "admin", "ftrack-api-key": KEY}
#: generous bound of the condition waits below (never a wait for time to pass)
WAIT = 60


def _post(client: TestClient, operations: List[Dict[str, Any]]) -> Any:
    reply = client.post("/api", json=operations, headers=HEADERS)
    assert reply.status_code == 200, reply.text
    return reply.json()


def _create(client: TestClient, entity_type: str, data: Dict[str, Any]) -> str:
    """Create an entity as the admin: its id."""
    ident = str(uuid.uuid4())
    _post(client, [{"action": "create", "entity_type": entity_type,
                    "entity_data": dict(data, id=ident)}])  # fmt: skip
    return ident


def test_another_write_is_answered_while_a_passphrase_is_hashed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, released, other_done = threading.Event(), threading.Event(), threading.Event()
    real = passphrase._derive

    def held(text: str, *args: Any) -> bytes:
        if text == SECRET and not released.is_set():  # the write under test: held
            entered.set()
            released.wait(WAIT)
        return real(text, *args)

    monkeypatch.setattr(passphrase, "_derive", held)
    app = create_app(
        ServerConfig(data_dir=tmp_path / "data"),
        {"FTRACK_API_USER": "admin", "FTRACK_API_KEY": KEY},
    )
    replies: List[Any] = []
    with TestClient(app) as client:
        schema = _post(client, [{"action": "query", "expression": "select id from ProjectSchema"}])
        schema_id = schema[0]["data"][0]["id"]
        name = f"kdf{uuid.uuid4().hex[:6]}"

        def project(suffix: str) -> str:
            return _create(client, "Project", {"name": name + suffix, "full_name": name + suffix,
                                               "project_schema_id": schema_id})  # fmt: skip

        review = _create(client, "ReviewSession", {"name": "Dailies", "project_id": project("")})
        update = [{"action": "update", "entity_type": "ReviewSession", "entity_key": [review],
                   "entity_data": {"passphrase": SECRET, "passphrase_enabled": True}}]  # fmt: skip
        writer = threading.Thread(target=lambda: replies.append(_post(client, update)))
        writer.start()
        assert entered.wait(WAIT), "the passphrase was never hashed"

        def other_write() -> None:
            project("b")
            other_done.set()

        other = threading.Thread(target=other_write)
        other.start()
        answered_meanwhile = other_done.wait(WAIT)
        released.set()
        writer.join(WAIT)
        other.join(WAIT)
        assert replies, "the passphrase write was not answered"
        read = f"select passphrase from ReviewSession where id is {review}"
        row = app.state.server.store.query(read)
    assert answered_meanwhile, "another write waited for the passphrase's hash (the write lock)"
    assert row[0]["passphrase"] == "********"
    stored = _stored(app, review)
    assert passphrase.verify(SECRET, stored), stored[:10]
    assert not passphrase.verify(SECRET + "x", stored)


def _stored(app: Any, review: str) -> str:
    """The stored hash (read from the database, beside the masking queries)."""
    import sqlalchemy as sa

    store = app.state.server.store
    table = store.tables["ReviewSession"]
    with store.engine.connect() as connection:
        value = connection.execute(sa.select(table.c.passphrase).where(table.c.id == review))
        return str(value.scalar_one())
