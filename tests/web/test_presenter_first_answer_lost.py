"""A page whose first presenter answer is lost (a busy server, a dropped connection) asks again:
the owner still gets the Present button. It stayed hidden for good (the failure was swallowed),
and a drift test on a loaded machine timed out waiting for Present.

On the shared SQLite server only: the lost answer is the page's (dropped in the browser), and
the page asks again whichever backend answers it (PostgreSQL's workers are held to the
presenter's answers by ``test_presenter_api`` and ``test_presenter_page``)."""

from __future__ import annotations

from typing import Any, Dict, List

from support.browser import WAIT_MS, WEB_VIEWPORT

from .test_presenter_page import sqlite_dailies  # noqa: F401 - the fixture


def test_the_owner_gets_present_after_a_lost_first_answer(
    sqlite_dailies: Dict[str, Any],  # noqa: F811 - the fixture imported above
    chromium: Any,
) -> None:
    context = chromium.new_context(viewport=WEB_VIEWPORT)
    dropped: List[str] = []

    def drop_first(route: Any) -> None:
        if not dropped:
            dropped.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/presenter?*", drop_first)
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        assert page.goto(sqlite_dailies["owner"]).status == 200
        page.locator(".presenter-bar .present").wait_for(state="visible")  # condition, 60 s
        assert dropped, "no presenter answer was dropped: the test showed nothing"
    finally:
        context.close()
