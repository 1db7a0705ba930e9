"""Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright (loaded from the root
conftest): ``chromium``, one browser per test process, and ``page``, a fresh page in a context
of its own for each test (no cookies, storage or cache shared between tests).

One browser per process rather than per module: a launch costs more CPU than most page tests
(the suite launched about 50). Playwright's synchronous API keeps an event loop marked running
in this thread from then on, so a test that needs asyncio runs it in a thread of its own
(:func:`support.asyncio_thread.run_async`; ``tests/test_asyncio_in_tests.py`` holds every test
to that).
"""

from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A Chromium browser (never downloaded: the system one, or the test is skipped)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is not installed; install Debian's chromium package")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser page (own context: no cookies or cache shared between tests)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    try:
        yield opened
    finally:
        context.close()
