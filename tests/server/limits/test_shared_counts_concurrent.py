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


def _keys_against_the_lock_order() -> List[str]:
    """Two keys whose digests sort the other way round (the upsert locks rows in digest
    order; a reservation holds its places in the order they were wanted)."""
    from ft_dcc.server.limits.limiter import digest

    source, target = "source:127.0.0.1", "target:ann"
    return [source, target] if digest(source) > digest(target) else [target, source]


def test_concurrent_reservations_given_back_all_pass(pg_cluster: Any) -> None:
    """Right credentials checked at once from one address for one name (a farm's publishes):
    each takes its two places and gives them back, none waits on another forever.

    Seen failing first: the places were given back in the order they were wanted while the
    upsert takes them in its digest order, so two requests each held the row the other wanted
    (``DeadlockDetected``: a publish got a 500, in a racing-publishes test on PostgreSQL)."""
    engine = make_engine(pg_cluster.create_database("places", template=pg_cluster.template))
    counts = DatabaseCounts(engine, sa.MetaData(), window=3600)
    wanted = [(key, 10**6) for key in _keys_against_the_lock_order()]

    def check(_i: int) -> int:
        held = counts.reserve(wanted)
        assert isinstance(held, list), held
        counts.release(held)
        return len(held)

    answers = _together(check)
    assert [n for row in answers for n in row] == [2] * THREADS * ROUNDS
    with engine.connect() as connection:
        left = connection.execute(sa.select(counts.table.c.count)).scalars().all()
    assert left == [0, 0], "every place taken was given back"
    engine.dispose()


def test_ended_windows_are_trimmed_but_not_a_row_another_request_holds(
    pg_cluster: Any, monkeypatch: Any
) -> None:
    """The trim (one reservation in ``TRIM_EVERY``) deletes ended windows in a transaction of
    its own and skips a row another request holds locked, rather than waiting on it."""
    from ft_dcc.server.limits import limiter

    engine = make_engine(pg_cluster.create_database("trim", template=pg_cluster.template))
    counts = DatabaseCounts(engine, sa.MetaData(), window=60)
    table = counts.table
    with engine.begin() as connection:
        connection.execute(sa.insert(table), [
            {"key": key, "started": 0.0, "count": 1} for key in ("ended-free", "ended-held")
        ])  # fmt: skip
    monkeypatch.setattr(limiter.random, "randrange", lambda _n: 0)  # this reservation trims
    with engine.connect() as holder, holder.begin():
        holder.execute(sa.select(table).where(table.c.key == "ended-held").with_for_update())
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            reserving = pool.submit(counts.reserve, [("fresh", 10)])
            try:  # a trim that waited on the held row would wait for this block's end
                assert isinstance(reserving.result(timeout=120), list)
            finally:
                holder.rollback()  # lets a waiting trim go on (the pool's exit waits for it)
    with engine.connect() as connection:
        keys = set(connection.execute(sa.select(table.c.key)).scalars())
    assert keys == {"ended-held", limiter.digest("fresh")}, "the free ended row went, no wait"
    engine.dispose()
