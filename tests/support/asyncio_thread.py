"""Run a coroutine to its end in a thread of its own (see :mod:`support.browser`: in a test
process that has opened the browser, this thread's event loop counts as running, and
``asyncio.run`` here would refuse)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Awaitable, Callable, Dict, TypeVar

T = TypeVar("T")


def run_async(make: Callable[[], Awaitable[T]], timeout: float = 120) -> T:
    """``asyncio.run(make())`` in a new thread; its result, or its exception raised here."""
    outcome: Dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(make())  # type: ignore[arg-type]
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="run_async", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"the coroutine did not finish within {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]
