"""The dailies desk in a real headless Chromium, driven as a Supervisor who is not an
administrator (``server.desk.desk_browser``): sign in, find today's session (the artist's
publish made it), present it to a second page that follows (the room link copied from the
desk, in a browser of its own), approve, and build a client session from the desk (create, add
from a search, drag to reorder, invite, client rules), then a session from the editor's cut and
its next revision (``server.desk.cut_browser``); each write read back through the genuine
``ftrack_api`` client. Screenshots: ``test-artifacts/desk_chromium/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from server.desk.cut_browser import cut_walk
from server.desk.desk_browser import (
    DeskWorld,
    approved_by,
    build_client_session,
    desk_world,
    first_signin_by_link,
    home_follows,
    mail_walk,
    open_todays_session,
    present_and_approve,
    room_link,
    sign_in,
    supervisor_walk,
)
from support.browser import WAIT_MS, WEB_VIEWPORT

from .player_checks import ChromiumDriver

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def world(embedded_server: Any, tmp_path: Path) -> Iterator[DeskWorld]:
    yield from desk_world(embedded_server, tmp_path)


def test_a_supervisor_runs_dailies_from_the_desk_in_chromium(
    world: DeskWorld, page: Any, chromium: Any, artifacts_dir: Path, embedded_server: Any,
    tmp_path: Path,
) -> None:
    shots = artifacts_dir / "desk_chromium"
    shots.mkdir(parents=True, exist_ok=True)
    driver = ChromiumDriver(page)
    sign_in(driver, page.goto, world)
    open_todays_session(driver, world, shots)
    driver.screenshot(shots / "desk_session.png")
    room = room_link(driver)

    follower_context = chromium.new_context(viewport=WEB_VIEWPORT)
    try:
        follower = follower_context.new_page()
        follower.set_default_timeout(WAIT_MS)
        assert follower.goto(room).status == 200
        follower.wait_for_function("() => document.querySelector('main.items') && "
                                   "document.querySelector('main.items').dataset.live === 'open'")
        object_id = present_and_approve(driver, page.goto, world)
        follower.wait_for_function(
            "() => document.querySelector('main.items').dataset.presenter === 'follow'")
        status = follower.locator(".presenter-status").inner_text()
        assert status == "Following Studio", status  # a room guest never sees studio names
        follower.screenshot(path=str(shots / "desk_follower.png"))
    finally:
        follower_context.close()
    verdicts = approved_by(world)
    assert [(s, e) for s, e, _v in verdicts] == [("approved", world.supervisor["email"])]
    assert verdicts[0][2] == world.versions[1], (verdicts, object_id)

    build_client_session(driver, page.goto, world, shots)
    supervisor_walk(driver, page.goto, world, shots)
    # a screen reader names each search result's box by its version's name
    named = page.locator("ul.results li:first-child label.pick").inner_text()
    assert named.startswith("sh010 / ") and page.get_by_role("checkbox", name=named,
                                                            exact=True).count() == 1
    home_follows(driver, page.goto, world, shots)
    mail_walk(driver, page.goto, world, shots)
    cut_walk(driver, page, embedded_server, world, shots, tmp_path)
    first_signin_by_link(driver, page.goto, world, embedded_server)
