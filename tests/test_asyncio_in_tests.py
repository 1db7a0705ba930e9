"""A test never calls ``asyncio.run`` (or ``run_until_complete``) itself: in a test process that
has opened the browser (``support.browser``, one per process), Playwright's event loop counts
as running in the main thread, so such a test would fail only after a page test ran in the same
worker. ``support.asyncio_thread.run_async`` runs the coroutine in a thread of its own."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ALLOWED = {TESTS / "support" / "asyncio_thread.py"}
CALL = re.compile(r"\basyncio\.run\(|\.run_until_complete\(|\banyio\.run\(")


def test_no_test_runs_an_event_loop_in_the_main_thread() -> None:
    found = [
        f"{path.relative_to(TESTS)}:{number}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        if path not in ALLOWED and path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if CALL.search(line)
    ]
    assert found == [], "use support.asyncio_thread.run_async instead:\n" + "\n".join(found)
