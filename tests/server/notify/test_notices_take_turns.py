"""The notifier writes in its turn: while a big batch holds the writer (an import's chunk), the
notices of committed notes wait in the process's queue of writers (``model.writers``) instead of
sleeping on SQLite's lock, which a writer writing chunk after chunk takes again before the
sleeper wakes (after 30 s: "database is locked", the notices lost; seen while bench_year
seeded). When the batch ends they are written, and every note is delivered once.

In this process, on SQLite: the statements are heard (never timed)."""

from __future__ import annotations

import threading
import uuid
from typing import Any, List

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa
from support.waiting import wait_until

from .served import ADMIN, version_to_note

NOTES = 5


def test_notices_wait_their_turn_while_a_batch_writes_and_each_arrives_once(served: Any) -> None:
    from ft_dcc.server.model.storage import write_transaction
    from ft_dcc.server.model.writers import turns_of

    server, client = served
    notifier, engine = server.notifier, server.store.engine
    notifier.hooks.add("http://127.0.0.1:9/hook", ["note.created"], "a long enough secret",
                       False, ADMIN)  # fmt: skip
    version = version_to_note(client)
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
