"""A room that stays together, in real Chromium: in a session of five shots (taller than an 800
px window), the presenter presents the last one, and a following page is brought to it: the
presented item is within the follower's window and is its active item."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from support import genuine_sessions, make_task, open_session
from support.browser import WAIT_MS, WEB_VIEWPORT

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

from .dailies_fixtures import isolated_pyblish
from .feedback_fixtures import personal_url
from .frame_code import FIRST, FRAMES, RATE, coded_frames

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORT = WEB_VIEWPORT
SHOTS = 5
READY = (
    "() => { const m = document.querySelector('main.items');"
    " return m.dataset.live === 'open' && m.dataset.presenter !== undefined; }"
)
IN_VIEW = """(id) => {
  const item = document.getElementById('item-' + id);
  if (!item || !item.classList.contains('active')) return false;
  const box = item.getBoundingClientRect();
  return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
}"""

#: the presenter page's state, as the server answered it, shows ``[object id, frame]``
SENT = """([id, f]) => {
  const s = window.ftReview.presenter.shared.state;
  return !!s && s.object_id === id && (f === null || s.frame === f);
}"""

#: the frame the page's player of ``id`` shows, once it has one
PLAYER_FRAME = """(id) => {
  const item = document.getElementById('item-' + id);
  const frame = item && item.player ? item.player.frame : undefined;
  return Number.isInteger(frame) ? frame : null;
}"""


@pytest.fixture
def five_shots(embedded_server: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """Five shots published into one session; the owner's personal link, Ann's link and the
    shots' object ids in page order."""
    tag = uuid.uuid4().hex[:8]
    ann = {"name": "Ann Lee", "email": f"ann-{tag}@studio.example"}
    reports = []
    with isolated_pyblish(tmp_path), open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"rt{tag}", FIRST, FIRST + FRAMES - 1, RATE, task_name="anim")
        for number in range(1, SHOTS + 1):
            report = publish(
                FilesHost(coded_frames(tmp_path / f"s{number}", number), fps=RATE),
                task=task, review_session_name=f"Together {tag}", comment=f"shot {number}",
                invitees=[ann], session=session, asset_name=f"shot{number}",
            )  # fmt: skip
            assert report.ok, str(report)
            reports.append(report)
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        client = make()
        review_session = client.get("ReviewSession", reports[0].review_session_id)
        invitee = client.query(
            "select id from ReviewSessionInvitee where review_session_id is "
            f'"{reports[0].review_session_id}" and email is "{ann["email"]}"'
        ).one()
        yield {
            "owner": personal_url(client, review_session),
            "ann": client.get_widget_url("review_session", entity=invitee),
            "items": [r.review_session_object_id for r in reports],
        }


def _open(chromium: Any, url: str, contexts: List[Any]) -> Any:
    context = chromium.new_context(viewport=VIEWPORT)
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    assert page.goto(url).status == 200
    page.wait_for_function(READY)
    return page


def test_a_follower_is_brought_to_the_presented_clip(
    five_shots: Dict[str, Any], chromium: Any, artifacts_dir: Path
) -> None:
    contexts: List[Any] = []
    try:
        lead = _open(chromium, five_shots["owner"], contexts)
        ann = _open(chromium, five_shots["ann"], contexts)
        last = five_shots["items"][-1]
        lead.locator(".presenter-bar .present").click()
        lead.wait_for_function("() => document.querySelector('main.items').dataset"
                               ".presenter === 'lead'")  # fmt: skip
        ann.wait_for_function("() => document.querySelector('main.items').dataset"
                              ".presenter === 'follow'")  # fmt: skip
        # the presenter goes to the last shot and steps in it
        item = lead.locator(f"#item-{last}")
        item.scroll_into_view_if_needed()
        before = lead.wait_for_function(PLAYER_FRAME, arg=last).json_value()
        item.locator("button.step-forward").click()
        lead.wait_for_function(IN_VIEW, arg=last)
        # the state the step sends, not the one sent when the shot became the presented one
        lead.wait_for_function(SENT, arg=[last, before + 1])
        seq = int(lead.evaluate("() => window.ftReview.presenter.shared.seq"))
        frame = int(lead.evaluate("() => window.ftReview.presenter.shared.state.frame"))
        ann.wait_for_function(
            "(s) => parseInt(document.querySelector('main.items').dataset.presenterApplied) >= s",
            arg=seq,
        )
        shot = artifacts_dir / "room_together_follower.png"
        ann.screenshot(path=str(shot))
        box = ann.locator(f"#item-{last}").bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], box
        ann.wait_for_function(IN_VIEW, arg=last)
        ann.wait_for_function(
            "([id, f]) => { const i = document.getElementById('item-' + id);"
            " return i && i.player && i.player.frame === f; }",
            arg=[last, frame],
        )
    finally:
        for context in contexts:
            context.close()
