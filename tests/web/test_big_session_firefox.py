"""The big session in Firefox (firefox-esr over WebDriver BiDi): before its first frame the
room link's page asks for no media but its first screen's, however many versions the session
holds (counted from the server's request log: what it answered before the frame was decoded)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterator
from urllib.parse import urlsplit

import pytest

from .firefox.firefox import Firefox, firefox_or_skip
from .test_big_session import FIRST_SCREEN_JS, paths, sessions
from .test_big_session_build import widget_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["sessions"]  # the module's fixture, shared


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    yield from firefox_or_skip(tmp_path_factory.mktemp("firefox") / "driver.log")


def _epoch_ms(text: str) -> float:
    return dt.datetime.fromisoformat(text).timestamp() * 1000


def test_in_firefox_the_room_link_asks_for_the_first_screen_only_before_its_first_frame(
    firefox: Firefox, sessions: Dict[str, Any], sqlite_server: Any
) -> None:
    from ft_dcc.server.review.render.html import FIRST_GROUPS

    api, built = sessions["api"], sessions["big"]
    mark = sqlite_server.log_mark()
    assert firefox.goto(widget_url(api, built.review_session_id, personal=False)) == 200
    first = float(firefox.wait(
        "document.querySelector('main.items') && +document.querySelector('main.items')"
        ".dataset.firstFrame", 300_000))  # fmt: skip
    origin = float(firefox.evaluate("performance.timeOrigin"))
    allowed = set(paths(firefox.evaluate(f"({FIRST_SCREEN_JS})({FIRST_GROUPS})")))
    answered = [e for e in sqlite_server.requests_since(mark)
                if _epoch_ms(e["time"]) <= origin + first]  # fmt: skip
    media = {urlsplit(str(e["path"])).path for e in answered if "/media/" in str(e["path"])}
    assert media and media <= allowed, (media, allowed)
    # its own routes and the first screen's files (before the change: 615 requests, 600 media)
    assert len(answered) < 2 * len(allowed) + 20, [e["path"] for e in answered]
