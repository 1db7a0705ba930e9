"""The writer thread of the counts a process holds back (:mod:`ft_dcc.server.audit.held`), on a
clock of the test's: a minute over is written without a next act, and stopping writes every
count still held, its minute not over."""

from __future__ import annotations

import threading
from typing import List

from support.waiting import wait_until

from ft_dcc.server.audit.cap import AuditCap, Counted
from ft_dcc.server.audit.held import HeldWriter


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Written:
    def __init__(self) -> None:
        self.entries: List[Counted] = []
        self.threads: List[str] = []

    def __call__(self, due: List[Counted]) -> None:
        self.threads.append(threading.current_thread().name)
        self.entries.extend(due)


def held_cap(clock: Clock) -> AuditCap:
    cap = AuditCap(rows=1, window=60, clock=clock)
    for _ in range(4):
        cap.admit("s", "invitee:1", "media.played")
    return cap


def test_a_minute_over_is_written_by_the_thread() -> None:
    clock, written = Clock(), Written()
    cap = held_cap(clock)
    writer = HeldWriter(cap, written)
    try:
        clock.now += 61
        cap.holding.set()  # the thread sleeps until the minute's end by the real clock: wake it

        wait_until(lambda: written.entries, "the minute's count written")
        assert [(e.who, e.detail["counted"]) for e in written.entries] == [
            ("invitee:1", {"media.played": 3})
        ]
        assert written.threads == ["ft-dcc-audit-counts"]
        assert cap.next_end() is None  # nothing held: the thread waits for a count
    finally:
        writer.stop()
    assert len(written.entries) == 1


def test_stopping_writes_the_counts_of_a_minute_not_over() -> None:
    clock, written = Clock(), Written()
    cap = held_cap(clock)
    cap.admit("t", "room", "link.opened")
    cap.admit("t", "room", "link.opened")
    writer = HeldWriter(cap, written)

    writer.stop()

    assert sorted((e.review_session_id, e.detail["counted"]) for e in written.entries) == [
        ("s", {"media.played": 3}),
        ("t", {"link.opened": 1}),
    ]
    assert cap.flush_all() == []


def test_a_failed_write_is_logged_and_the_thread_goes_on() -> None:
    clock, written = Clock(), Written()
    cap = held_cap(clock)
    calls: List[int] = []

    def flaky(due: List[Counted]) -> None:
        calls.append(len(due))
        if len(calls) == 1:
            raise OSError("database gone")
        written(due)

    writer = HeldWriter(cap, flaky)
    try:
        clock.now += 61
        cap.holding.set()
        wait_until(lambda: calls, "the first write tried")
        for _ in range(3):
            cap.admit("s", "invitee:1", "media.played")
        clock.now += 61
        cap.holding.set()
        wait_until(lambda: written.entries, "the next minute's count written")
    finally:
        writer.stop()
    assert [e.detail["counted"] for e in written.entries] == [{"media.played": 2}]
