"""Debian's firefox-esr driven over WebDriver BiDi (puppeteer-core under Node, ``driver.mjs``):
one headless Firefox per :class:`Firefox`, spoken to in JSON lines over the driver's stdin and
stdout. Page code is sent as JavaScript expressions (awaited when they are promises).

Never a downloaded browser: the system's ``/usr/bin/firefox-esr`` and tests/js's puppeteer-core
(``make js-deps``); without either the test is skipped (and ``make test`` fails on a skip).

One Firefox per test process: :func:`firefox_or_skip` hands out the one a fixture gave back
before, with a new page in a browser context of its own (no cookies, storage or cache of the
pages before, as a new browser), rather than launching another (a launch and close cost about 3
CPU-s; the suite launched 9). A browser that failed to answer is closed, never handed out.
One left unused for :data:`IDLE_CLOSE` seconds is closed: a worker's one used to wait out the
rest of the run (six minutes or more) after its last Firefox test.
"""

from __future__ import annotations

import atexit
import itertools
import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import threading
from pathlib import Path
from typing import IO, Any, Dict, Iterator, List, Optional, Sequence, Tuple

import pytest

FIREFOX = "/usr/bin/firefox-esr"
DRIVER = Path(__file__).with_name("driver.mjs")
PUPPETEER = Path(__file__).parents[2] / "js" / "node_modules" / "puppeteer-core"

#: Bounds that turn a hang into a failure (no test asserts how long anything took).
REPLY_TIMEOUT = 180.0
CLOSE_TIMEOUT = 30.0
#: seconds the test process's Firefox may wait unused before it is closed. A launch and close
#: cost 3.7 CPU-s; a minute of waiting after the browser's first minute 0.2-0.4 (on a blank
#: page, its timers and IPC), so a wait is cheaper than a relaunch up to about ten minutes. At
#: 60 s every gap between a worker's Firefox modules in a whole run (79 to 191 s) launched it
#: again: 5 minutes keeps it through them, and bounds what the last one waits after its tests.
IDLE_CLOSE = 300.0

logger = logging.getLogger(__name__)


class FirefoxError(AssertionError):
    """The driver reported a failed command (its JavaScript error), or stopped answering."""


class Firefox:
    """One headless firefox-esr with one page, through a ``node driver.mjs`` process."""

    def __init__(self, log_path: Path) -> None:
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            ["node", str(DRIVER)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
            env={**os.environ, "FT_DCC_FIREFOX": FIREFOX, "PUPPETEER_SKIP_DOWNLOAD": "1"},
            start_new_session=True,  # Firefox's processes are in the driver's group
        )  # fmt: skip
        self.replies: queue.Queue[Optional[Dict[str, Any]]] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        self.next_id = 0
        #: whether a command failed or went unanswered: the browser is not handed out again
        self.failed = False
        #: the number of its last give-back (see _keep)
        self.turn = -1
        #: whether the browser's network events are on (:meth:`responses` reads them)
        self.watching = False
        self.version = self._reply(0)

    def _read(self, stdout: IO[bytes]) -> None:
        for line in stdout:
            self.replies.put(json.loads(line))
        self.replies.put(None)

    def _reply(self, wanted: int) -> Any:
        try:
            message = self.replies.get(timeout=REPLY_TIMEOUT)
        except queue.Empty:
            raise FirefoxError(f"the Firefox driver did not answer; see {self.log.name}") from None
        if message is None:
            raise FirefoxError(f"the Firefox driver exited; see {self.log.name}")
        if message["id"] != wanted or not message["ok"]:
            raise FirefoxError(f"Firefox: {message.get('error', message)}")
        return message.get("value")

    def call(self, op: str, **arguments: Any) -> Any:
        self.next_id += 1
        assert self.process.stdin is not None
        line = json.dumps({"id": self.next_id, "op": op, **arguments}) + "\n"
        try:
            self.process.stdin.write(line.encode())
            self.process.stdin.flush()
            return self._reply(self.next_id)
        except BaseException:
            self.failed = True
            raise

    def watch(self, on: bool) -> None:
        """The browser's network events on (what :meth:`responses` reads) or off: off, Firefox
        spends about 2.5 ms less of its parent's CPU on each request, 30 ms on a navigation."""
        self.call("watch", on=on)
        self.watching = on

    def fresh(self) -> None:
        """A new page in a browser context of its own; the pages before are closed."""
        self.call("fresh")

    def goto(self, url: str) -> Optional[int]:
        """Open ``url`` and wait for its load event; the reply's HTTP status."""
        return self.call("goto", url=url)

    def evaluate(self, expression: str) -> Any:
        return self.call("evaluate", expression=expression)

    def wait(
        self, expression: str, timeout_ms: int = 120_000, describe: Optional[str] = None
    ) -> Any:
        """The first truthy value of ``expression``, polled in the page; when it gives up, the
        error says ``describe``'s value (what the page was doing)."""
        return self.call("wait", expression=expression, timeout=timeout_ms, describe=describe)

    def screenshot(
        self,
        path: Path,
        selector: Optional[str] = None,
        region: Optional[Tuple[float, float, float, float]] = None,
    ) -> Path:
        """The page (or the element ``selector`` names, or the ``region`` of its box: left,
        top, right, bottom as fractions) as a PNG at ``path``."""
        self.call("screenshot", path=str(path), selector=selector, region=region)
        return path

    def press(self, key: str) -> None:
        """A real key press (a trusted event) on the focused element."""
        self.call("press", key=key)

    def click(self, selector: str) -> None:
        self.call("click", selector=selector)

    def drag(self, selector: str, points: Sequence[Tuple[float, float]]) -> None:
        """Drag the mouse through ``points`` (fractions of the element's box)."""
        self.call("drag", selector=selector, points=[list(p) for p in points])

    def responses(self) -> List[Dict[str, Any]]:
        """Every reply the page received so far while watched (``{url, status, type, body}``;
        the body of HTML and JSON replies only), from puppeteer's response events; the
        browser must be watching (``firefox_or_skip(..., watch=True)``)."""
        if not self.watching:
            raise FirefoxError("the replies are not watched: ask firefox_or_skip(..., watch=True)")
        return list(self.call("responses"))

    def close(self) -> None:
        """Close the browser; kill the driver's process group if it does not go."""
        try:
            if self.process.poll() is None:
                self.call("close")
            self.process.wait(timeout=CLOSE_TIMEOUT)
        except (FirefoxError, subprocess.TimeoutExpired, BrokenPipeError):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        finally:
            self.log.close()


def firefox_or_skip(log_path: Path, watch: bool = False) -> Iterator[Firefox]:
    """A :class:`Firefox` for a fixture to yield (skipped without Firefox, Node or the driver's
    package): the test process's one, on a fresh page, when no other fixture holds it; else
    a new one (its driver's log at ``log_path``); ``watch``: with its network events on (for
    :meth:`Firefox.responses`). Given back after: the page is replaced by a blank one (nothing
    plays meanwhile), network events off, or the browser closed if it failed."""
    if not os.access(FIREFOX, os.X_OK):
        pytest.skip(f"{FIREFOX} is not installed; install Debian's firefox-esr package")
    if shutil.which("node") is None or not PUPPETEER.is_dir():
        pytest.skip("puppeteer-core is not installed in tests/js; run `make js-deps`")
    browser = _take() or Firefox(log_path)
    try:
        if watch:
            browser.watch(True)
        yield browser
    finally:
        _give_back(browser)


#: the test process's Firefox while no fixture holds it (at most one), guarded by _LOCK: the
#: timer that closes it after IDLE_CLOSE seconds runs in a thread of its own
_IDLE: List[Firefox] = []
_LOCK = threading.Lock()
#: each give-back's number: a timer closes the browser only if it is still that give-back's
_TURNS = itertools.count()
#: the timers not yet finished: at exit, those not due yet are cancelled and a close under way
#: finished
_TIMERS: List[threading.Timer] = []


def _take() -> Optional[Firefox]:
    with _LOCK:
        return _IDLE.pop() if _IDLE else None


def _give_back(browser: Firefox) -> None:
    if not browser.failed and browser.process.poll() is None:
        try:
            if browser.watching:
                browser.watch(False)
            browser.fresh()
        except (FirefoxError, OSError):
            pass
        else:
            if _keep(browser):
                return
    browser.close()


def _keep(browser: Firefox) -> bool:
    """Whether ``browser`` is now the idle one (none was), closed by a timer if still unused
    after :data:`IDLE_CLOSE` seconds."""
    with _LOCK:
        if _IDLE:
            return False
        _IDLE.append(browser)
        browser.turn = next(_TURNS)
        timer = threading.Timer(IDLE_CLOSE, _close_if_unused, args=(browser, browser.turn))
        timer.daemon = True
        _TIMERS[:] = [t for t in _TIMERS if t.is_alive()] + [timer]  # the finished ones dropped
        timer.start()
    return True


def _close_if_unused(browser: Firefox, turn: int) -> None:
    with _LOCK:
        if browser.turn != turn or browser not in _IDLE:
            return  # handed out again since
        _IDLE.remove(browser)
    logger.info("closing the Firefox left unused for %s s", IDLE_CLOSE)
    browser.close()


@atexit.register
def _close_idle() -> None:
    for timer in _TIMERS:
        timer.cancel()
        timer.join()
    while True:
        browser = _take()
        if browser is None:
            return
        browser.close()
