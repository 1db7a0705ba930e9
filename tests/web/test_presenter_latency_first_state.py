"""A page opened in a presented room follows the presenter before any answer of its own: the
page comes with the presenter's state and the server's clock (sync under latency: a
late joiner 250 ms away waited for its presenter request and live stream, a round trip each on
connections of their own, before its first picture). Here the late page's presenter requests
and live stream are held unanswered: it still shows the presenter's frame (decoded from its
pixels) and knows the server's clock.

On the shared SQLite server only: the page's first state is read from the database by whichever
process renders the page, on either backend the same code; a late joiner on PostgreSQL's 4
workers (its page on any of them) lands on the presenter's frame in ``test_presenter_page``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

from support.browser import WAIT_MS, WEB_VIEWPORT

from .test_frame_truth import Truth, visible_item
from .test_presenter_page import open_page, sqlite_dailies, wait_mode  # noqa: F401 - the fixture

HELD = ("**/presenter?*", "**/live?*")
FRAME = 1010
SCRUB = "(s, f) => { s.value = String(f); s.dispatchEvent(new Event('input', {bubbles: true})); }"
SERVER_HAS = """(f) => { const s = window.ftReview.presenter.shared.state;
  return !!s && !s.playing && s.frame === f; }"""


def test_a_late_page_follows_with_its_own_requests_held(
    sqlite_dailies: Dict[str, Any],  # noqa: F811 - the fixture imported above
    chromium: Any,
    artifacts_dir: Path,
) -> None:
    dailies = sqlite_dailies
    backend = dailies["backend"]
    lead_context, lead = open_page(chromium, dailies["owner"])
    late_context = chromium.new_context(viewport=WEB_VIEWPORT)
    held: List[Any] = []
    try:
        lead.locator(".presenter-bar .present").click()
        wait_mode(lead, "lead")
        visible_item(lead).locator(".scrub").evaluate(SCRUB, FRAME)
        lead_truth = Truth(lead, artifacts_dir, f"first_state_{backend}_lead")
        assert lead_truth.frame("scrub", FRAME) == FRAME
        lead.wait_for_function(SERVER_HAS, arg=FRAME)  # sent, and the server answered with it

        for pattern in HELD:  # never answered: the page has only what it came with
            late_context.route(pattern, lambda route: held.append(route))
        late = late_context.new_page()
        late.set_default_timeout(WAIT_MS)
        assert late.goto(dailies["links"]["bob"]).status == 200
        wait_mode(late, "follow")
        truth = Truth(late, artifacts_dir, f"first_state_{backend}_late")
        assert truth.frame("first", FRAME) == FRAME
        assert late.evaluate("() => window.ftReview.presenter.clock.known()")
        assert held, "no presenter request or live stream was held: the test showed nothing"
        assert late.locator("main.items").get_attribute("data-live") != "open"
    finally:
        late_context.close()
        lead_context.close()
