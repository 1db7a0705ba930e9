"""The cut modules' shared fixtures (``tests/web/test_cut_*.py``): one project of coded shots
published once, with a Supervisor of it, and one session made from an EDL of all of them (the
shared cut the reading tests play, seek and fetch), and the page set-up those tests repeat.

Building a cut costs a publish (an ffmpeg encode) a shot, a ``ft-dcc user add`` and a
``ft-dcc review create`` and, once a page asks, the server's conform (ffmpeg): once per test
process here, not once per module. The cut modules name :data:`SHARED_CUT_GROUP`, so one worker
of a parallel run builds it. A module that writes what the others read (a revision, a broken
movie, a watermark) makes a session of its own: in the shared project
(:func:`web.cut_checks.session_from_cut`, no publish) or, when it changes the versions, a
project of its own (:func:`web.cut_checks.build_cut_session`).

The reading tests open the shared cut as its Supervisor, who could write; :func:`shared_cut`
holds each to its word: after it, nobody presents the session and its cut (revision, segments,
versions) is the one built.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from support import open_session
from support.browser import WAIT_MS

from .cut_checks import HANDOFF, SETTLED, build_cut_project, plan_cut, session_from_cut
from .feedback_fixtures import Page
from .firefox.firefox import Firefox

log = logging.getLogger(__name__)

#: the shared cut: 12 shots, a gap after the 3rd and after the 8th, the 4th cut past its
#: movie's end (its last 4 frames missing)
SHARED_SHOTS = plan_cut(12, seed_gap_after=(2, 7))
#: the ``xdist_group`` of the modules that use the shared cut: one worker builds it
SHARED_CUT_GROUP = pytest.mark.xdist_group("shared_cut()")

#: the page knows its cut (the Play cut button is there)
CUT_READY = "document.querySelector('main.items').dataset.cutReady"
#: the page has joined the session's room (its live updates are open)
LIVE = "document.querySelector('main.items').dataset.live === 'open'"
#: the page knows the server's one movie of its cut is built
FILM = "document.querySelector('main.items').dataset.cutFilm === 'ready'"


@pytest.fixture(scope="session")
def cut_project(embedded_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    """The project of :data:`SHARED_SHOTS`, published, and its Supervisor
    (:func:`web.cut_checks.build_cut_project`)."""
    return build_cut_project(embedded_server, tmp_path_factory.mktemp("cut_project"), SHARED_SHOTS)


@pytest.fixture(scope="session")
def shared_cut_session(
    embedded_server: Any, cut_project: Dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Dict[str, Any]:
    """The session the Supervisor made from an EDL of :data:`SHARED_SHOTS`; use
    :func:`shared_cut`, which checks the test left it as it was."""
    scratch = tmp_path_factory.mktemp("shared_cut")
    return session_from_cut(embedded_server, cut_project, scratch, SHARED_SHOTS, "Reel 1 cut")


@pytest.fixture
def shared_cut(shared_cut_session: Dict[str, Any]) -> Iterator[Dict[str, Any]]:
    """The shared cut session for a test that only reads it (``{"project", "env", "user",
    "key", "session_id", "url"}``); after the test, a presentation it left open is ended and
    the test fails unless nobody presented and the cut is the one built."""
    sup = Page(shared_cut_session["url"])
    before = cut_state(sup)
    yield shared_cut_session
    lead = sup.get("/presenter").json()["presenter"]["lead"]
    if lead:  # ended by the Supervisor, so that the tests after it are not followers
        log.warning("a test left the shared cut presented (%s): ended", lead)
        fields = {"op": "stop", "page": uuid.uuid4().hex, "secret": uuid.uuid4().hex}
        assert sup.post("/presenter", fields).status_code == 200
    assert lead is None, "a reading test left the shared cut presented"
    assert cut_state(sup) == before, "a reading test changed the shared cut"


def cut_state(sup: Page) -> Dict[str, Any]:
    """What the shared cut's readers read of it: its revision and segments (the versions, their
    timing and movies), as its Supervisor's link gets them."""
    reply = sup.get("/cut")
    assert reply.status_code == 200, reply.text
    plan = reply.json()
    return {"revision": plan["revision"], "segments": plan["segments"]}


def open_cut(driver: Any, url: str, ready: str = FILM, handoff: bool = False) -> None:
    """Open ``url`` in ``driver`` (a Playwright page or a :class:`Firefox`) and wait until
    ``ready`` holds (default: the page knows its cut's movie is built; waited up to four times
    the usual bound, the build competing with the rest of a busy machine). ``handoff``: then
    make the page play its cut with the two videos' hand-off, and wait until the movie's build
    no longer competes with the playback (:data:`web.cut_checks.HANDOFF`)."""
    if isinstance(driver, Firefox):
        assert driver.goto(url) == 200
        driver.wait(ready, WAIT_MS * 4)
        if handoff:
            driver.evaluate(HANDOFF)
            driver.wait(SETTLED, WAIT_MS * 4)
        return
    assert driver.goto(url).status == 200
    driver.wait_for_function(f"() => {ready}", timeout=WAIT_MS * 4)
    if handoff:
        driver.evaluate(HANDOFF)
        driver.wait_for_function(f"() => {SETTLED}", timeout=WAIT_MS * 4)


def open_room(driver: Any, server: Any, session_id: str, tmp_path: Path) -> None:
    """Open the session's room link (a room guest's, as the administrator hands it out) in
    ``driver`` and wait until the page has joined the room."""
    with open_session(server, tmp_path) as session:
        review = session.get("ReviewSession", session_id)
        room_url = session.get_widget_url("review_session", entity=review)
    open_cut(driver, room_url, ready=LIVE)
