"""Waiting for a condition, never for a time: poll until it holds or a generous bound passes.

The bound only turns a hang into a failure; no test asserts how long anything took.
"""

from __future__ import annotations

import time
from typing import Callable, TypeVar, Union

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    what: Union[str, Callable[[], str]],
    timeout: float = 60.0,
    interval: float = 0.05,
) -> T:
    """Return ``condition()``'s first truthy value; fail naming ``what`` after ``timeout`` s
    (``what`` may be a callable, asked only then, to describe the state it gave up in)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            said = what() if callable(what) else f"gave up waiting for {what}"
            raise AssertionError(f"{said} (after {timeout:.0f} s)")
        time.sleep(interval)
