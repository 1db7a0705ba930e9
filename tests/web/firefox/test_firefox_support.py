"""The test process's one Firefox (``firefox.firefox_or_skip``): a page's status read from the
navigation itself, the replies from the browser's network events only while they are watched
(a read of them unwatched is refused), handed out again while a test process uses it, closed
once left unused for ``IDLE_CLOSE`` seconds (an idle Firefox still costs CPU), and never closed
by the timer of an earlier give-back once handed out again."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from typing import Iterator, List, NamedTuple

import pytest
from support.groups import FIREFOX_GROUP

from ..frame_code import wait_until
from . import firefox as shared

#: beside the other Firefox tests: the worker's Firefox is theirs (no fixture here says so)
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group(FIREFOX_GROUP)]


#: a page's own icon: without one Firefox asks the site for ``/favicon.ico`` when it likes,
#: which could land among the replies of a later, watched navigation
NO_ICON = '<link rel="icon" href="data:,">'


class _Handler(http.server.SimpleHTTPRequestHandler):
    """The site's files, its 404 page with an icon of its own too; the paths asked for."""

    error_message_format = f"<!doctype html>{NO_ICON}<title>%(code)d</title><p>%(message)s"

    def do_GET(self) -> None:  # http.server's name
        self.server.asked.append(self.path)  # type: ignore[attr-defined]
        super().do_GET()


class Site(NamedTuple):
    address: str
    asked: List[str]  # the paths it was asked for


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A plain HTTP server on 127.0.0.1 serving one page (and 404 for anything else)."""
    (tmp_path / "page.html").write_text(f"<!doctype html>{NO_ICON}<title>A page</title><p>Here")
    handler = functools.partial(_Handler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    asked: List[str] = []
    server.asked = asked  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", asked)
    finally:
        server.shutdown()
        server.server_close()


def test_the_status_comes_from_the_navigation_and_replies_only_while_watched(
    site: Site, tmp_path: Path
) -> None:
    holder = shared.firefox_or_skip(tmp_path / "driver.log")
    browser = next(holder)
    try:
        assert browser.goto(f"{site.address}/page.html") == 200
        assert browser.goto(f"{site.address}/missing.html") == 404
        with pytest.raises(shared.FirefoxError, match="not watched"):
            browser.responses()
        browser.watch(True)
        watched = f"{site.address}/page.html?watched"
        assert browser.goto(watched) == 200
        replies = browser.responses()
        assert [(r["url"], r["status"]) for r in replies] == [(watched, 200)]
        assert browser.failed is False  # a refused read does not fail the browser
        assert "/favicon.ico" not in site.asked  # nothing of Firefox's own raced the test
    finally:
        holder.close()
    assert browser.watching is False  # given back unwatched


def test_an_unused_firefox_is_closed_and_one_handed_out_again_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared, "IDLE_CLOSE", 3600.0)  # no timer fires in the first part
    holder = shared.firefox_or_skip(tmp_path / "driver.log")
    browser = next(holder)
    holder.close()  # given back: the idle one
    first_turn = browser.turn
    again = shared.firefox_or_skip(tmp_path / "unused.log")
    assert next(again) is browser  # handed out again, not launched anew
    again.close()

    shared._close_if_unused(browser, first_turn)  # the first give-back's timer, late
    assert browser.process.poll() is None
    assert [browser] == shared._IDLE  # still the idle one
    assert browser.evaluate("1 + 1") == 2

    monkeypatch.setattr(shared, "IDLE_CLOSE", 0.5)
    last = shared.firefox_or_skip(tmp_path / "unused.log")
    assert next(last) is browser
    last.close()
    wait_until(lambda: browser.process.poll() is not None, "the unused Firefox was not closed")
    assert not shared._IDLE
