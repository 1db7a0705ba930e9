"""The counters shared by the server processes on PostgreSQL take concurrent additions to one
key without an error: a link opened by 12 viewers at once, each on a worker of its own, counted
the same (kind, link, source) pair 12 times together.

Seen failing first: the upsert ran in the ``REPEATABLE READ`` transaction every non-batch
transaction began with, so two additions to one row raised ``could not serialize access due to
concurrent update`` and the viewer's media request got a 500 (a CI-like run of
test_watermark_workers.py, the traceback in its server log)."""

from __future__ import annotations

import concurrent.futures
import threading
from typing import Any, List

import sqlalchemy as sa

from ft_dcc.server.limits.limiter import DatabaseCounts
from ft_dcc.server.limits.open_caps import SharedOpenCounts
from ft_dcc.server.model.storage import make_engine

THREADS = 12
ROUNDS = 10


def _together(work: Any) -> List[Any]:
    """``work(i)`` in THREADS threads that start at the same moment; their answers."""
    start = threading.Barrier(THREADS)

    def run(i: int) -> Any:
        start.wait(timeout=120)
        return [work(i) for _ in range(ROUNDS)]

    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def test_concurrent_failures_on_one_key_all_count(pg_cluster: Any) -> None:
    engine = make_engine(pg_cluster.create_database("counts", template=pg_cluster.template))
    counts = DatabaseCounts(engine, sa.MetaData(), window=3600)
    answers = _together(lambda _i: counts.add("link:one:127.0.0.1"))
    assert sorted(n for row in answers for n in row) == list(range(1, THREADS * ROUNDS + 1))
    engine.dispose()


def test_concurrent_opens_of_one_holder_all_count(pg_cluster: Any) -> None:
    engine = make_engine(pg_cluster.create_database("opens", template=pg_cluster.template))
    opens = SharedOpenCounts(engine, sa.MetaData())
    answers = _together(lambda _i: opens.enter("socket", "ann", "process-1", THREADS * ROUNDS))
    assert all(all(row) for row in answers)
    assert opens.total("socket", "ann") == THREADS * ROUNDS
    engine.dispose()
