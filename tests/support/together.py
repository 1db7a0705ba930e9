"""Work started in many threads at the same moment (a burst of requests, a race)."""

from __future__ import annotations

import threading
from typing import Callable, List, TypeVar

T = TypeVar("T")


def at_once(count: int, work: Callable[[int], T],
            caught: tuple = ()) -> List[object]:  # fmt: skip
    """``work(index)`` in ``count`` threads released together: their answers in order (an
    exception of a class in ``caught`` is the answer instead)."""
    start = threading.Barrier(count)
    answers: List[object] = [None] * count

    def run(index: int) -> None:
        start.wait(timeout=120)
        try:
            answers[index] = work(index)
        except caught as exc:
            answers[index] = exc

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
