"""The rate limit's window, with the clock injected (no sleeping): a locked source or target is
refused until its window has passed, then tries again from zero; the counters stay bounded."""

from __future__ import annotations

from typing import List

import pytest

from ft_dcc.server import attempts
from ft_dcc.server.attempts import AuthGuard, TooManyAttempts


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_locked_source_is_refused_until_its_window_passes() -> None:
    clock = Clock()
    guard = AuthGuard(per_source=3, per_target=100, window=60.0, clock=clock)
    for _ in range(3):
        guard.check(attempts.KEY, "10.0.0.1", "alice")
        guard.failed(attempts.KEY, "10.0.0.1", "alice")

    clock.now += 59.0
    with pytest.raises(TooManyAttempts) as refused:
        guard.check(attempts.KEY, "10.0.0.1", "alice")
    assert refused.value.status == 429 and refused.value.retry_after == 1

    clock.now += 1.0
    guard.check(attempts.KEY, "10.0.0.1", "alice")  # the window passed: allowed again


def test_a_locked_target_is_refused_to_new_sources_not_to_one_that_signed_in() -> None:
    clock = Clock()
    guard = AuthGuard(per_source=100, per_target=4, window=60.0, clock=clock)
    guard.succeeded(attempts.PASSPHRASE, "10.0.0.9", "link-1")
    for index in range(4):
        guard.failed(attempts.PASSPHRASE, f"10.0.1.{index}", "link-1")

    with pytest.raises(TooManyAttempts):
        guard.check(attempts.PASSPHRASE, "10.0.2.1", "link-1")
    guard.check(attempts.PASSPHRASE, "10.0.0.9", "link-1")
    guard.check(attempts.PASSPHRASE, "10.0.2.1", "link-2")  # another target


def test_outside_a_request_the_hooks_do_nothing() -> None:
    attempts.failed(attempts.KEY, "alice")
    attempts.check(attempts.KEY, "alice")


def test_the_counters_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attempts, "MOST_COUNTERS", 100)
    guard = AuthGuard(per_source=5, per_target=5, window=60.0, clock=Clock())
    sources: List[str] = [f"10.1.{i // 256}.{i % 256}" for i in range(1000)]
    for source in sources:
        guard.failed(attempts.SIGNATURE, source, source)
    assert len(guard.failures._windows) <= 100
