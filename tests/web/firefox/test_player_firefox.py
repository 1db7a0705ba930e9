"""The review player in Firefox (Debian's firefox-esr over WebDriver BiDi), held to the same
checks as in Chromium (``player_checks``, ``drawing_checks``): the loop between marks, compare
of two versions side by side and as a wipe, the drawing tools, and drawings held over frames
with the onion skin; screenshots of each in test-artifacts/.

One Firefox, one published dailies (v001, v002 of a shot) and one frame-coded shot for the
module; each test opens the session page afresh.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest
from support import open_session

from ..dailies_fixtures import isolated_pyblish, publish_versions
from ..drawing_checks import check_held_drawings, publish_coded_shot
from ..player_checks import (
    El,
    call,
    check_compare,
    check_drag_follows_a_moving_element,
    check_drawing_tools,
    check_loop_between_marks,
    visible_item,
)
from ..room_fixtures import REVIEWER
from .firefox import Firefox, firefox_or_skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    yield from firefox_or_skip(tmp_path_factory.mktemp("firefox") / "driver.log")


@pytest.fixture(scope="module")
def coded_shot(embedded_server: Any, tmp_path_factory: Any) -> str:
    tmp_path = tmp_path_factory.mktemp("firefox_coded")
    return publish_coded_shot(embedded_server, tmp_path, "Firefox held drawings")


@pytest.fixture(scope="module")
def dailies(embedded_server: Any, tmp_path_factory: Any) -> Tuple[List[Any], str]:
    """v001 and v002 of one shot in one review session; the reports and the page's link."""
    tmp_path = tmp_path_factory.mktemp("firefox_dailies")
    with isolated_pyblish(tmp_path), open_session(embedded_server, tmp_path) as session:
        _, reports = publish_versions(session, tmp_path, (1, 2), review_session="Firefox dailies")
    return reports, reports[-1].review_url


def open_page(firefox: Firefox, url: str) -> str:
    """The session page opened afresh; the selector of the item shown (the latest version)."""
    assert firefox.goto(url) == 200
    firefox.wait("window.ftReview && window.ftReview.Player")
    return visible_item(firefox)


def say_who_i_am(firefox: Firefox) -> None:
    """The room link's "Who are you?" answered (as ``room_fixtures.say_who_i_am``)."""
    firefox.wait("document.querySelector('.whoami-add')")
    for selector, value in zip((".whoami-name-input", ".whoami-email-input"), REVIEWER):
        firefox.evaluate(
            call(
                "(i, v) => { i.value = v; i.dispatchEvent(new Event('input', {bubbles: true})); }",
                El(selector),
                json.dumps(value),
            )
        )
    firefox.click(".whoami-add-button")
    firefox.wait(
        "(document.querySelector('.whoami-badge .whoami-name') || {}).textContent"
        f" === {json.dumps(REVIEWER[0])}"
    )


def test_the_loop_between_marks_stays_in_and_play_stops_on_the_out_point(
    firefox: Firefox, dailies: Tuple[List[Any], str], artifacts_dir: Path
) -> None:
    _, url = dailies
    item = open_page(firefox, url)
    check_loop_between_marks(firefox, item)
    firefox.screenshot(artifacts_dir / "firefox_player_loop.png", f"{item} .stage")


def test_compare_side_by_side_and_wipe_lock_both_versions_to_one_frame(
    firefox: Firefox, dailies: Tuple[List[Any], str], artifacts_dir: Path
) -> None:
    reports, url = dailies
    item = open_page(firefox, url)
    check_compare(firefox, item, reports[0].review_session_object_id, artifacts_dir, "firefox")


def test_drawing_tools_colours_undo_clear_and_cancel(
    firefox: Firefox, dailies: Tuple[List[Any], str], artifacts_dir: Path
) -> None:
    _, url = dailies
    item = open_page(firefox, url)
    say_who_i_am(firefox)  # the report's link is a room link: it draws as who you say
    check_drawing_tools(firefox, item, artifacts_dir / "firefox_drawing.png")


def test_a_drawing_shows_on_every_frame_it_is_held_and_ghosts_on_its_neighbours(
    firefox: Firefox, coded_shot: str, artifacts_dir: Path
) -> None:
    open_page(firefox, coded_shot)
    say_who_i_am(firefox)

    def reopen() -> None:
        open_page(firefox, coded_shot)

    check_held_drawings(firefox, coded_shot, reopen, artifacts_dir, "firefox_drawing_range")


def test_a_drag_follows_an_element_the_page_moves(firefox: Firefox) -> None:
    firefox.goto("about:blank")
    check_drag_follows_a_moving_element(firefox)


#: A button under a veil that goes away when clicked, as a page still laying out covers an
#: element for a moment: the clicks that reach the button are counted.
COVERED_BUTTON = """(() => {
  document.body.innerHTML = '<button id="target" style="position: absolute; left: 20px;'
    + ' top: 20px; width: 120px; height: 40px">Go</button><div id="veil" style="position:'
    + ' absolute; left: 0; top: 0; width: 400px; height: 200px; background: black"></div>';
  window.ftDccClicks = 0;
  document.getElementById("target").addEventListener("click", () => { window.ftDccClicks += 1; });
  document.getElementById("veil").addEventListener("click", (event) => event.target.remove());
  return true;
})()"""


def test_a_click_that_met_something_else_is_made_again_on_its_element(firefox: Firefox) -> None:
    """The driver's click reaches the element it names, once: a click the page gave to another
    element (content moving in over it) is made again where the element is now."""
    firefox.goto("data:text/html,<!doctype html><title>A veiled button</title>")
    assert firefox.evaluate(COVERED_BUTTON)
    firefox.click("#target")
    assert firefox.evaluate("window.ftDccClicks") == 1
    assert firefox.evaluate("document.getElementById('veil')") is None
