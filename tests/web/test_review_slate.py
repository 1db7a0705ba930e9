"""A slate in the review movie keeps the review page honest, in real Chromium: the
poster, the counter and the picture still agree on the chosen frame, and stepping back from the
first picture frame reaches the slate, counted as the frame before the first (1000)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from support import make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

from .test_review_poster import FIRST, FRAMES, READ_RED, coloured_frames, frame_of

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.usefixtures("pyblish_isolation")]

CHOSEN = 1003


def _counter_is(page: Any, frame: int) -> None:
    page.wait_for_function(
        f"() => document.querySelector('.frame-number').textContent === '{frame}'"
    )


def test_a_slate_is_the_frame_before_the_first(
    fresh_server: Any, tmp_path: Path, page: Any, artifacts_dir: Path
) -> None:
    pattern = coloured_frames(tmp_path / "frames")
    with open_session(fresh_server, tmp_path) as session:
        task = make_task(session, f"web{uuid.uuid4().hex[:8]}", FIRST, FIRST + FRAMES - 1, 24)
        report = publish(FilesHost(pattern, fps=24), task=task, session=session,
                         thumbnail_frame=CHOSEN, burnin="slate")  # fmt: skip
    assert report.ok, str(report)

    assert page.goto(report.review_url).status == 200
    page.wait_for_function("() => document.querySelector('video').readyState >= 2")
    item = page.locator("article.item")
    assert frame_of(page.evaluate(READ_RED, ["video", True])) == CHOSEN  # the poster image
    _counter_is(page, CHOSEN)
    page.wait_for_function("() => !document.querySelector('video').seeking")
    assert frame_of(page.evaluate(READ_RED, ["video", False])) == CHOSEN  # the picture
    for frame in range(CHOSEN - 1, FIRST - 2, -1):  # back to 1001, then the slate
        item.locator("button.step-back").click()
        _counter_is(page, frame)
    page.wait_for_function("() => !document.querySelector('video').seeking")
    page.screenshot(path=str(artifacts_dir / "review_slate_frame_1000.png"))
