"""The limiter reserves before it judges, atomically, in memory (SQLite's one process) and in
the database (PostgreSQL's processes): of 64 attempts at once at most the limit get a place;
a right credential gives its places back; a refused attempt takes none; a full count refuses
until its window ends (memory, with the clock injected: no sleeping); the counters stay bounded.

Seen failing first (in the HTTP tests of ``server/signin/test_signin_attacks.py``): the old
guard checked the count before judging and counted a failure after, so every guess of a burst
was judged."""

from __future__ import annotations

from typing import Any, Callable

import pytest
import sqlalchemy as sa
from support.together import at_once

from ft_dcc.server.limits import limiter
from ft_dcc.server.limits.limiter import (
    DatabaseCounts,
    Limiter,
    MemoryCounts,
    Reservation,
    TooManyAttempts,
)
from ft_dcc.server.model.storage import make_engine

AT_ONCE = 64


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def counts(backend: str, new_database_url: Callable[[str], str]) -> Any:
    """Counts of an hour's window: in memory (SQLite's server), or in a new PostgreSQL
    database."""
    if backend == "sqlite":
        yield MemoryCounts(3600.0)
        return
    engine = make_engine(new_database_url(backend))
    yield DatabaseCounts(engine, sa.MetaData(), 3600.0)
    engine.dispose()


def test_of_64_attempts_at_once_only_the_limit_get_a_place(counts: Any) -> None:
    guard = Limiter(per_source=1000, per_target=10, counts=counts)

    answers = at_once(AT_ONCE, lambda i: guard.reserve(limiter.PASSWORD, f"10.0.0.{i}", "alice"),
                      caught=(TooManyAttempts,))  # fmt: skip

    placed = [answer for answer in answers if isinstance(answer, Reservation)]
    refused = [answer for answer in answers if isinstance(answer, TooManyAttempts)]
    assert (len(placed), len(refused)) == (10, AT_ONCE - 10)
    assert all(exc.status == 429 and exc.retry_after >= 1 for exc in refused)


def test_a_right_credential_gives_its_places_back(counts: Any) -> None:
    guard = Limiter(per_source=3, per_target=3, counts=counts)
    for _ in range(10):
        guard.reserve(limiter.KEY, "10.0.0.1", "alice").passed()
    for _ in range(3):
        guard.reserve(limiter.KEY, "10.0.0.1", "alice").settle(False)  # wrong: kept

    with pytest.raises(TooManyAttempts):
        guard.reserve(limiter.KEY, "10.0.0.1", "alice")


def test_a_refused_attempt_takes_no_place(counts: Any) -> None:
    guard = Limiter(per_source=5, per_target=2, counts=counts)
    for source in ("10.0.0.1", "10.0.0.2"):
        guard.reserve(limiter.LINK, source, "session-1")
    for _ in range(10):  # the target is full: the source is not charged for these
        with pytest.raises(TooManyAttempts):
            guard.reserve(limiter.LINK, "10.0.0.3", "session-1")

    for target in range(5):
        guard.reserve(limiter.LINK, "10.0.0.3", f"session-{target + 2}")
    with pytest.raises(TooManyAttempts):
        guard.reserve(limiter.LINK, "10.0.0.3", "session-9")


def test_a_name_that_signed_in_from_an_address_is_limited_there_too(counts: Any) -> None:
    guard = Limiter(per_source=100, per_target=3, counts=counts)
    guard.reserve(limiter.PASSWORD, "10.0.0.9", "alice").passed()
    for _ in range(3):
        guard.reserve(limiter.PASSWORD, "10.0.0.9", "alice")

    with pytest.raises(TooManyAttempts):
        guard.reserve(limiter.PASSWORD, "10.0.0.9", "alice")


def test_a_full_count_refuses_until_its_window_ends() -> None:
    clock = Clock()
    guard = Limiter(per_source=3, per_target=100, counts=MemoryCounts(60.0, clock))
    held = [guard.reserve(limiter.KEY, "10.0.0.1", f"user-{n}") for n in range(3)]

    clock.now += 59.0
    with pytest.raises(TooManyAttempts) as refused:
        guard.reserve(limiter.KEY, "10.0.0.1", "alice")
    assert refused.value.retry_after == 1
    clock.now += 1.0
    guard.reserve(limiter.KEY, "10.0.0.1", "alice")  # a new window
    for old in held:  # places of the ended window given back: the new window's stay taken
        old.passed()
    guard.reserve(limiter.KEY, "10.0.0.1", "bob")
    guard.reserve(limiter.KEY, "10.0.0.1", "carol")
    with pytest.raises(TooManyAttempts):
        guard.reserve(limiter.KEY, "10.0.0.1", "dave")


def test_outside_a_request_nothing_is_held() -> None:
    limiter.reserve(limiter.KEY, "alice").settle(False)
    limiter.reserve(limiter.KEY, "alice").passed()


def test_the_counters_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limiter, "MOST_COUNTERS", 100)
    counts = MemoryCounts(60.0, Clock())
    guard = Limiter(per_source=5, per_target=5, counts=counts)
    for index in range(1000):
        guard.reserve(limiter.SIGNATURE, f"10.1.{index // 256}.{index % 256}", str(index))
    assert len(counts._windows) <= 100
