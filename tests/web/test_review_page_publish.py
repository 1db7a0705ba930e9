"""End to end: "Publish for review" (files host), then watch the printed link in Chromium."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from support import make_sequence, make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("pyblish_isolation")]

FRAMES = 24


def test_published_review_link_plays_in_chromium(
    fresh_server: Any, tmp_path: Path, page: Any, artifacts_dir: Path
) -> None:
    frames = make_sequence(tmp_path / "frames", frames=FRAMES, size="640x360", rate="24000/1001")
    with open_session(fresh_server, tmp_path) as session:
        task = make_task(
            session, f"web{uuid.uuid4().hex[:8]}", 1001, 1000 + FRAMES, 24000 / 1001,
            task_name="anim",
        )  # fmt: skip
        report = publish(
            FilesHost(frames, fps="24000/1001"),
            task=task,
            review_session_name="Dailies web",
            comment="first pass",
            session=session,
        )
    assert report.ok and not report.queued, str(report)
    assert report.review_url and "/review/" in report.review_url
    assert fresh_server.api_key not in report.review_url

    assert page.goto(report.review_url).status == 200
    assert page.locator(".session-name").inner_text() == "Dailies web"
    item = page.locator("article.item")
    assert item.count() == 1
    # the report's link is the room's: a room guest reads no artist's comment (the studio's
    # own page does: test_review_page.py)
    assert item.locator(".comment").inner_text() == ""
    page.wait_for_function("() => document.querySelector('video').readyState >= 3")
    facts = item.locator("video").evaluate(
        "v => ({w: v.videoWidth, h: v.videoHeight, error: v.error, poster: v.poster})"
    )
    assert (facts["w"], facts["h"], facts["error"]) == (640, 360, None)
    assert facts["poster"], "the version's thumbnail is the poster"
    item.locator("button.play").click()
    page.wait_for_function("() => document.querySelector('video').currentTime > 0.3")
    item.locator("button.play").click()
    page.wait_for_function("() => document.querySelector('video').paused")
    counter = int(item.locator(".frame-number").inner_text())
    first, last = (int(x) for x in item.locator(".frame-range").inner_text().split("\u2013"))
    assert (first, last) == (1001, 1000 + FRAMES)  # the shot's frame numbers, not 0-based
    assert first < counter <= last
    page.screenshot(path=str(artifacts_dir / "review_page_published.png"))
