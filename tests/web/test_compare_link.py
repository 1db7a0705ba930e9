"""The one-click compare of "addressed in v002?": ``compare_url`` gives the
review page that opens with the newer version shown and the reviewed one beside it, in real
Chromium; which versions the two pictures show is decoded from their pixels (``frame_code``)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from support import make_task, open_session

from ft_dcc.host.feedback import compare_url
from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

from .dailies_fixtures import isolated_pyblish
from .frame_code import FIRST, FRAMES, RATE, coded_frames, shown, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_compare_link_opens_both_versions_side_by_side(
    embedded_server: Any, tmp_path: Path, page: Any, artifacts_dir: Path
) -> None:
    with isolated_pyblish(tmp_path), open_session(embedded_server, tmp_path) as session:
        task = make_task(
            session, f"cl{uuid.uuid4().hex[:8]}", FIRST, FIRST + FRAMES - 1, RATE, task_name="anim"
        )
        versions = []
        for number in (1, 2):
            report = publish(
                FilesHost(coded_frames(tmp_path / f"v{number}", number), fps=RATE),
                task=task,
                review_session_name="Compare link",
                comment=f"pass {number}",
                session=session,
            )
            assert report.ok, str(report)
            versions.append(report)
        url = compare_url(session, versions[0].asset_version_id, versions[1].asset_version_id)
    assert page.goto(url).status == 200
    section = page.locator(".asset-group")
    page.wait_for_function("() => document.querySelector('.asset-group.comparing')")
    item = page.locator("article.item:not([hidden])")
    assert item.get_attribute("id") == f"item-{versions[1].review_session_object_id}"
    a = item.locator(".picture.main video")
    b = item.locator(".picture.compare-b video")

    def both() -> Any:
        seen = (shown(a, artifacts_dir / "compare_link_a.png"),
                shown(b, artifacts_dir / "compare_link_b.png"))  # fmt: skip
        return seen if seen[0] and seen[1] and seen[0][1] == seen[1][1] else None

    (a_seen, b_seen) = wait_until(both, lambda: "the two pictures never showed one frame")
    assert (a_seen[0], b_seen[0]) == (2, 1)  # the newer one shown, the reviewed one beside it
    section.screenshot(path=str(artifacts_dir / "compare_link_page.png"))

    # a mail digest's link to a note's frame: "#frame=<object id>,<frame>" opens that version
    # (the older one here) paused on that frame
    frame = FIRST + 7
    page.goto("about:blank")
    target = url.split("#", 1)[0] + f"#frame={versions[0].review_session_object_id},{frame}"
    assert page.goto(target).status == 200
    page.wait_for_function(
        "(id) => { const item = document.getElementById('item-' + id);"
        " return item && !item.hidden; }", arg=versions[0].review_session_object_id)
    older = page.locator(f"#item-{versions[0].review_session_object_id} .picture.main video")
    seen = wait_until(lambda: (lambda s: s if s and s[1] == frame else None)(
        shown(older, artifacts_dir / "frame_link.png")),
        lambda: f"the page never showed frame {frame} of v001")  # fmt: skip
    assert seen == (1, frame), seen
