"""The revocation bus: a revocation reaches every subscriber of every process on the database.

Two buses on one PostgreSQL database stand for two server processes (each has its own
listener); on SQLite the one process's bus dispatches in place.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, List

import pytest


def _engine(url: str) -> Any:
    import sqlalchemy as sa

    from ft_dcc.server.model.database import is_postgres, make_postgres_engine, parse_database_url

    parsed = parse_database_url(url)
    return make_postgres_engine(parsed) if is_postgres(parsed) else sa.create_engine(parsed)


def _recorder() -> Any:
    seen: List[Any] = []
    lock = threading.Lock()

    def record(revocation: Any) -> None:
        with lock:
            seen.append(revocation)

    return seen, record


def test_a_revocation_reaches_the_subscribers_of_every_process(
    backend: str, new_database_url: Callable[[str], str]
) -> None:
    from ft_dcc.server.grants import bus as grants

    engine = _engine(new_database_url(backend))
    buses = [grants.make_bus(engine) for _ in range(2 if backend == "postgresql" else 1)]
    try:
        assert all(bus.spans_processes == (backend == "postgresql") for bus in buses)
        records = [_recorder() for _ in buses]
        for bus, (_, record) in zip(buses, records):
            bus.subscribe(record)
        before = [bus.generation for bus in buses]

        buses[0].revoke(grants.USER, "user-1")

        for (seen, _), bus, start in zip(records, buses, before):
            # revoke returned: every listening process has dispatched it (it waits for them)
            assert [(r.kind, r.subject) for r in seen] == [(grants.USER, "user-1")]
            assert seen[0].covers(grants.USER, "user-1")
            assert not seen[0].covers(grants.USER, "user-2")
            assert bus.generation == start + 1
    finally:
        for bus in buses:
            bus.close()
        engine.dispose()


def test_unsubscribed_callbacks_hear_nothing_and_bad_kinds_are_refused() -> None:
    from ft_dcc.server.grants import bus as grants

    bus = grants.LocalBus()
    seen, record = _recorder()
    unsubscribe = bus.subscribe(record)
    bus.revoke(grants.SESSION, "rs-1")
    unsubscribe()
    bus.revoke(grants.INVITEE, "inv-1")
    assert [(r.kind, r.subject) for r in seen] == [(grants.SESSION, "rs-1")]
    for kind, subject in (("nonsense", "x"), (grants.USER, ""), (grants.USER, "a b")):
        with pytest.raises(ValueError):
            bus.revoke(kind, subject)
    assert bus.generation == 2


def test_a_process_that_lost_its_listener_drops_everything(
    new_database_url: Callable[[str], str],
) -> None:
    """PostgreSQL: when the listening connection drops, notifications may have been missed, so
    the bus tells its subscribers that everything is revoked, then listens again."""
    import sqlalchemy as sa
    from support.waiting import wait_until

    from ft_dcc.server.grants import bus as grants

    engine = _engine(new_database_url("postgresql"))
    bus = grants.make_bus(engine)
    try:
        seen, record = _recorder()
        bus.subscribe(record)
        with engine.begin() as connection:
            connection.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                f"datname = current_database() AND query = 'LISTEN {grants.CHANNEL}'"
            ))  # fmt: skip
        wait_until(lambda: any(r.kind == grants.EVERYTHING for r in seen),
                   "the bus to revoke everything after losing its listener")  # fmt: skip
        assert seen[0].covers(grants.USER, "anyone")
        wait_until(lambda: getattr(bus, "listening", False), "the bus to listen again")
    finally:
        bus.close()
        engine.dispose()


def _wakeups(thread: threading.Thread) -> int:
    """How many times ``thread`` has gone to sleep and been woken (the kernel's count)."""
    status = Path(f"/proc/self/task/{thread.native_id}/status").read_text(encoding="ascii")
    line = next(x for x in status.splitlines() if x.startswith("voluntary_ctxt_switches:"))
    return int(line.split()[1])


def test_an_idle_listener_sleeps_until_a_notification_or_close(
    new_database_url: Callable[[str], str],
) -> None:
    """PostgreSQL: the listener sleeps on its socket; it does not wake on a timer (psycopg's
    ``notifies(timeout=…)`` woke every 0.1 s, most of an idle 4-worker server's CPU). A
    notification wakes it, and so does ``close``, which leaves no thread behind; a second
    ``close`` closes nothing (not the files that took the listener's descriptor numbers)."""
    from ft_dcc.server.grants import bus as grants

    engine = _engine(new_database_url("postgresql"))
    threads = set(threading.enumerate())
    bus = grants.make_bus(engine)
    try:
        (listener,) = [t for t in threading.enumerate() if t not in threads]
        before = _wakeups(listener)
        time.sleep(1.0)  # the stimulus: a second with nothing to hear (a timer wakes 10 times)
        assert _wakeups(listener) - before <= 1
        seen, record = _recorder()
        bus.subscribe(record)
        grants.announce(engine, grants.LINK, "link-1")  # as from another process
        from support.waiting import wait_until

        wait_until(lambda: [(r.kind, r.subject) for r in seen] == [(grants.LINK, "link-1")],
                   "the revocation to reach the idle listener")  # fmt: skip
    finally:
        bus.close()
        engine.dispose()
    assert not listener.is_alive()
    read_end, write_end = os.pipe()  # likely on the descriptor numbers the listener freed
    try:
        bus.close()  # again: closes nothing of anyone else's
        os.write(write_end, b"still open")
        assert os.read(read_end, 64) == b"still open"
    finally:
        os.close(read_end)
        os.close(write_end)


class _CountedWaits:
    """``threading.Event`` as the watcher uses it, counting its ``wait`` calls (its polls)."""

    def __init__(self, event: threading.Event) -> None:
        self.event, self.waits = event, 0

    def wait(self, timeout: float) -> bool:
        self.waits += 1
        return self.event.wait(timeout)

    def set(self) -> None:
        self.event.set()


def test_an_idle_sqlite_server_reads_its_revocation_log_only_after_a_commit(
    new_database_url: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: the watcher of the log a command beside the server writes asks the database
    whether anything was committed since its last look (``PRAGMA data_version``) and reads the
    log only then. It read the log on every poll, four times a second, forever: an idle
    server spent 2.5 % of a core on it (``perf stat -t``), the test suite's dozens of idle
    servers far more. A row a command writes still reaches the subscribers."""
    from support.waiting import wait_until

    from ft_dcc.server.grants import bus as grants

    monkeypatch.setattr(grants, "LOG_POLL", 0.01)
    reads: List[int] = []
    rows_after = grants._rows_after
    monkeypatch.setattr(grants, "_rows_after",
                        lambda *args: reads.append(1) or rows_after(*args))  # fmt: skip
    engine = _engine(new_database_url("sqlite"))
    bus = grants.make_bus(engine)
    try:
        polls = bus._stop = _CountedWaits(bus._stop)  # type: ignore[attr-defined]
        seen, record = _recorder()
        bus.subscribe(record)
        wait_until(lambda: polls.waits >= 30, "the watcher to poll 30 times")
        assert len(reads) <= 1, f"an idle watcher read its log {len(reads)} times"

        grants.announce(engine, grants.LINK, "link-1")  # as ``ft-dcc user password`` does

        wait_until(lambda: [(r.kind, r.subject) for r in seen] == [(grants.LINK, "link-1")],
                   "the command's revocation to reach the subscriber")  # fmt: skip
        assert not seen[0].here
    finally:
        bus.close()
        engine.dispose()


def test_a_revocation_is_one_statement_and_each_confirmation_one(
    new_database_url: Callable[[str], str],
) -> None:
    """Its ``NOTIFY`` and the count of the processes that must confirm it go in one statement
    (they were two, in a transaction of their own), and each other process confirms in one."""
    import sqlalchemy as sa

    from ft_dcc.server.grants import bus as grants

    engine = _engine(new_database_url("postgresql"))
    buses = [grants.make_bus(engine) for _ in range(2)]
    try:
        sent: List[str] = []
        sa.event.listen(engine, "before_cursor_execute", lambda *a: sent.append(str(a[2])))

        buses[0].revoke(grants.USER, "user-1")  # returns once the other bus confirmed

        assert len(sent) == 2, sent
        assert "pg_stat_activity" in sent[0] and "pg_notify" in sent[0]
        assert "pg_notify" in sent[1]
    finally:
        for bus in buses:
            bus.close()
        engine.dispose()
