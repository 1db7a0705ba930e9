"""How many parts an upload sends at once: measured, never assumed (a fake clock; no timing).

The client starts with one part in flight and adds one more while that raises the measured
throughput (by at least 10 %); once it does not, it goes back to the best level and stays. A
server that takes parallel streams (S3) gets all workers; one that does not (a single process)
keeps one stream, as fast as ``curl -T``.
"""

from __future__ import annotations

from typing import Callable, List

from ft_dcc.session.upload import Ramp

MiB = 1024 * 1024


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _simulate(speed: Callable[[int], float], parts: int, maximum: int = 4) -> List[int]:
    """Send ``parts`` parts of 8 MiB through a ramp; ``speed(n)`` is the server's total MiB/s
    with ``n`` parts in flight (each gets a share, so they finish together). Returns the
    level each part was sent at."""
    clock = Clock()
    ramp = Ramp(maximum, clock)
    levels: List[int] = []
    while len(levels) < parts:
        level = ramp.allowed
        clock.now += 8 * level / speed(level)
        for _ in range(level):
            levels.append(level)
            ramp.part_done(8 * MiB)
    return levels[:parts]


def test_a_server_that_scales_gets_every_worker() -> None:
    levels = _simulate(lambda n: 100.0 * n, parts=40)
    assert levels[0] == 1
    assert levels[-1] == 4
    assert levels == sorted(levels)


def test_a_server_that_does_not_scale_keeps_one_stream() -> None:
    levels = _simulate(lambda n: 200.0, parts=40)
    assert levels[0] == 1
    assert max(levels) == 2  # tried once
    assert levels[-1] == 1  # and went back


def test_a_server_that_saturates_at_two_keeps_two() -> None:
    levels = _simulate(lambda n: 100.0 * min(n, 2), parts=60)
    assert levels[-1] == 2


def test_one_worker_is_one_stream() -> None:
    assert _simulate(lambda n: 100.0 * n, parts=10, maximum=1) == [1] * 10
