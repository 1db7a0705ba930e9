"""The webhook deliveries' records over the server's own SQLite tables, in this process: the
retry schedule (30 s, then doubling, at most an hour; the first retry within a minute), and old
finished deliveries pruned with their attempts while those still waiting stay."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Dict, List

import sqlalchemy as sa

from ft_dcc.server.model.storage import make_engine
from ft_dcc.server.notify.deliveries import (
    DEFAULT_FIRST_RETRY,
    KEEP_SECONDS,
    MOST_DELAY,
    Deliveries,
    retry_delay,
)
from ft_dcc.server.notify.facts import Event
from ft_dcc.server.notify.hooks import Webhook


def test_the_retry_schedule_starts_within_a_minute_and_doubles() -> None:
    delays = [retry_delay(n, DEFAULT_FIRST_RETRY) for n in range(1, 10)]
    assert delays[:5] == [30.0, 60.0, 120.0, 240.0, 480.0]
    assert delays[0] < 60 and max(delays) == MOST_DELAY


def test_finished_deliveries_are_pruned_with_their_attempts(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.sqlite'}")
    answers: List[int] = [200, 500]
    posted: List[Dict[str, str]] = []

    def post(url: str, body: bytes, headers: Dict[str, str]) -> int:
        posted.append(headers)
        return answers.pop(0)

    deliveries = Deliveries(engine, sa.MetaData(), first_retry=3600.0, post=post)
    hook = Webhook("h1", "http://127.0.0.1:9/x", ("note.created",), "a-secret-x", False, "", 0.0)
    events = [Event(f"n{i}", "note.created", time.time(), "u", note_id=f"note{i}") for i in (1, 2)]
    with engine.begin() as connection:
        deliveries.add(connection, [(hook, e) for e in events])
    assert deliveries.deliver_due(threading.Event(), {hook.id: hook}) == 2
    states = {d["note_id"]: (d["state"], [a["status"] for a in d["attempts"]])
              for d in deliveries.listed()}  # fmt: skip
    assert sorted(states.values()) == [("delivered", [200]), ("queued", [500])]
    assert all(h["X-Ft-Dcc-Signature"].startswith("sha256=") for h in posted)

    assert deliveries.prune() == 0  # nothing old yet
    assert deliveries.prune(now=time.time() + KEEP_SECONDS + 60) == 1  # the delivered one
    left = deliveries.listed()
    assert [(d["state"], len(d["attempts"])) for d in left] == [("queued", 1)]
    with engine.connect() as connection:
        assert (
            connection.exec_driver_sql("select count(*) from ft_dcc_webhook_attempt").scalar() == 1
        )
    engine.dispose()
