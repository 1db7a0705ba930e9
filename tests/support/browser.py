"""Real headless Chromium driven by Playwright (loaded from the root conftest): ``chromium``, one
browser per test process, and ``page``, a fresh page in a context of its own for each test (no
cookies, storage or cache shared between tests).

The browser is Debian's ``chromium-headless-shell``: the same Chromium build as the ``chromium``
package (same version, same Blink and media stack, H.264 included) without the full browser's
UI layer, which costs less CPU for the same pages (the page tests are the suite's largest share).
``$FT_DCC_TEST_CHROMIUM`` names another Chromium to run them in (``/usr/bin/chromium``).

One browser per process rather than per module: a launch costs more CPU than most page tests
(the suite launched about 50). Playwright's synchronous API keeps an event loop marked running
in this thread from then on, so a test that needs asyncio runs it in a thread of its own
(:func:`support.asyncio_thread.run_async`; ``tests/test_asyncio_in_tests.py`` holds every test
to that).
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator

import pytest

#: How long a page's waits and actions may take before they fail: a bound that turns a hang into
#: a failure, never a speed assert (a page test at load 20 gave up after a fixed 60 s). Every
#: context made from ``chromium`` starts with it; a test may give one wait more, never less.
WAIT_MS = 180_000

#: How often a page's ``wait_for_function`` checks its condition when the test names no
#: ``polling``. Playwright's own default ("raf", at every animation frame) makes a page that
#: waits draw 60 frames a second: an idle page waiting 8 s cost 0.38-0.41 CPU-s of Chromium,
#: 0.07-0.08 checked every 50 ms (the suite's pages wait for minutes in all, longest on the
#: busiest machine). A condition a test waits for holds until the test acts again, so a
#: check every 50 ms sees it as surely.
POLL_MS = 50

CHROMIUM = os.environ.get("FT_DCC_TEST_CHROMIUM", "/usr/bin/chromium-headless-shell")
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
        pytest.skip(f"{CHROMIUM} is not installed; install Debian's chromium-headless-shell")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        patient_contexts(browser)
        timer_polling(sync_api.Page)
        try:
            yield browser
        finally:
            browser.close()


def patient_contexts(browser: Any) -> None:
    """Every context ``browser`` makes from now on waits :data:`WAIT_MS` by default."""
    new_context = browser.new_context

    def patient(**options: Any) -> Any:
        context = new_context(**options)
        context.set_default_timeout(WAIT_MS)
        return context

    browser.new_context = patient


def timer_polling(page_class: Any) -> None:
    """``page_class``'s ``wait_for_function`` checks every :data:`POLL_MS` unless told how."""
    original = page_class.wait_for_function
    if getattr(original, "timer_polling", False):
        return

    def wait_for_function(
        self: Any, expression: str, *, polling: Any = None, **options: Any
    ) -> Any:
        return original(
            self, expression, polling=POLL_MS if polling is None else polling, **options
        )

    wait_for_function.timer_polling = True  # type: ignore[attr-defined]
    page_class.wait_for_function = wait_for_function


#: The window of the page tests under ``tests/web`` (``web/conftest.py``'s ``page`` and the
#: contexts its modules open): a small desktop above review.css's 1000 px breakpoint, the size
#: the Firefox tests use. Chromium composites and screenshots every pixel of it in software:
#: the review player, frame-truth and drawing modules at 1400x900 cost 4.5 CPU-s of Chromium's
#: GPU process, 2.7-3.0 at 1024x700; a screenshot 45 ms, 30 (and a PNG of 62 kB, 46).
WEB_VIEWPORT = {"width": 1024, "height": 700}


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser page (own context: no cookies or cache shared between tests)."""
    yield from fresh_page(chromium, {"width": 1400, "height": 900})


def fresh_page(chromium: Any, viewport: Dict[str, int]) -> Iterator[Any]:
    """A page of ``viewport`` in a context of its own, closed after (a fixture's body)."""
    context = chromium.new_context(viewport=viewport)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()
