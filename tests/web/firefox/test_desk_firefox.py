"""The dailies desk in Firefox (Debian's firefox-esr over WebDriver BiDi), held to the same
checks as in Chromium (``server.desk.desk_browser``): a Supervisor who is not an administrator
signs in, finds today's session (the artist's publish made it), presents it and approves, then
builds a client session from the desk (create, add from a search, drag to reorder, invite,
client rules); each write read back through the genuine ``ftrack_api`` client. The Firefox
driver has one page, so the second page that follows the Firefox presenter is the room link in
a Chromium page. Screenshots: ``test-artifacts/desk_firefox/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
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
from support.browser import WAIT_MS

from .firefox import Firefox, firefox_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    yield from firefox_or_skip(tmp_path_factory.mktemp("firefox") / "driver.log")


@pytest.fixture
def world(embedded_server: Any, tmp_path: Path) -> Iterator[DeskWorld]:
    yield from desk_world(embedded_server, tmp_path)


def test_a_supervisor_runs_dailies_from_the_desk_in_firefox(
    firefox: Firefox, world: DeskWorld, chromium: Any, artifacts_dir: Path, embedded_server: Any
) -> None:
    shots = artifacts_dir / "desk_firefox"
    shots.mkdir(parents=True, exist_ok=True)
    sign_in(firefox, firefox.goto, world)
    open_todays_session(firefox, world, shots)
    firefox.screenshot(shots / "desk_session.png")
    room = room_link(firefox)
    token = parse_qs(urlsplit(room).query)["token"][0]

    # the page that follows: the room link in a Chromium page (the Firefox driver has one page)
    follower_context = chromium.new_context(viewport={"width": 1024, "height": 700})
    try:
        follower = follower_context.new_page()
        follower.set_default_timeout(WAIT_MS)
        assert follower.goto(room).status == 200
        follower.wait_for_function("() => document.querySelector('main.items') && "
                                   "document.querySelector('main.items').dataset.live === 'open'")
        present_and_approve(firefox, firefox.goto, world)
        follower.wait_for_function(
            "() => document.querySelector('main.items').dataset.presenter === 'follow'")
        status = follower.locator(".presenter-status").inner_text()
        assert status == "Following Studio", status  # a room guest never sees studio names
        follower.screenshot(path=str(shots / "desk_follower.png"))
    finally:
        follower_context.close()
    seen = requests.get(f"{world.url}/review/{world.day_session_id}/presenter",
                        params={"token": token}, timeout=60)  # fmt: skip
    assert seen.status_code == 200, seen.text[:500]
    lead = seen.json()["presenter"]["lead"]
    assert lead is not None and lead.get("name") == "Studio", seen.json()  # as the room sees it
    firefox.screenshot(shots / "desk_presenting.png")
    verdicts = approved_by(world)
    assert [(s, e, v) for s, e, v in verdicts] == [
        ("approved", world.supervisor["email"], world.versions[1])]

    build_client_session(firefox, firefox.goto, world, shots)
    supervisor_walk(firefox, firefox.goto, world, shots)
    home_follows(firefox, firefox.goto, world, shots)
    mail_walk(firefox, firefox.goto, world, shots)
    first_signin_by_link(firefox, firefox.goto, world, embedded_server)
