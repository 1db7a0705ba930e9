"""Frame truth in Firefox (Debian's firefox-esr over WebDriver BiDi): the picture the review
page's video holds is the frame its counter names after load, over steps forward and back, and
over seeded random seeks and steps, in movies at 23.976, 24, 25, 29.97 and 60 fps; a note
typed while the movie plays keeps the frame where typing began.

One Firefox for the module (its tests share the module's server session and movies, so they run
on one worker); each test opens its rate's page afresh, once for all it checks of that rate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest
from support import open_session

from ..feedback_fixtures import Page, personal_url
from ..frame_code import BITS, FIRST, READ_VIDEO_LEVELS, decode_levels, wait_until
from .firefox import Firefox, firefox_or_skip
from .frames import (
    LAST,
    POSTER,
    RATES,
    check_counter_waits_for_picture,
    publish_rates,
    random_moves,
    steps,
    wrong_frames,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Moves per rate in a test (the benchmark runs 10,000 over the five rates).
RANDOM_MOVES = 36
STEPS = 15


@pytest.fixture(scope="module")
def firefox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Firefox]:
    yield from firefox_or_skip(tmp_path_factory.mktemp("firefox") / "driver.log")


@pytest.fixture(scope="module")
def five_rates(embedded_server: Any, tmp_path_factory: Any) -> Dict[float, Tuple[str, str]]:
    return publish_rates(embedded_server, tmp_path_factory.mktemp("five_rates"))


def open_page(firefox: Firefox, page: Tuple[str, str]) -> str:
    """The rate's session page opened afresh in Firefox; its item's element id."""
    url, item = page
    assert firefox.goto(url) == 200
    firefox.wait("window.ftReview && window.ftReview.Player")
    return item


def test_firefox_is_the_debian_esr_over_webdriver_bidi(firefox: Firefox) -> None:
    assert str(firefox.version).lower().startswith("firefox/"), firefox.version


@pytest.mark.parametrize("rate", RATES)
def test_after_load_steps_and_random_seeks_show_the_counters_frame(
    firefox: Firefox, five_rates: Dict[float, Tuple[str, str]], rate: float, artifacts_dir: Path
) -> None:
    """One load of the rate's page (a load costs Firefox about what reading 15 moves does): after
    load the picture is the poster frame; steps forward and back show the counter's frame, and
    so do seeded random seeks and steps from the poster frame the steps came back to."""
    item = open_page(firefox, five_rates[rate])
    read, wrong = wrong_frames(firefox.evaluate, item, [])
    assert (read, wrong) == (1, [])
    if rate == 29.97:  # the picture with its counter, to look at
        firefox.evaluate(f"document.querySelector('#{item} .frame-number').scrollIntoView()")
        firefox.screenshot(artifacts_dir / "firefox_frame_truth_page.png")

    read, wrong = wrong_frames(firefox.evaluate, item, steps(STEPS))
    assert (read, wrong) == (2 * STEPS, [])

    wrong_frames(firefox.evaluate, item, [])  # settled at the poster first
    moves = random_moves(seed=int(rate * 1000), count=RANDOM_MOVES, start=POSTER)
    read, wrong = wrong_frames(firefox.evaluate, item, moves)
    assert (read, wrong) == (RANDOM_MOVES, [])


@pytest.mark.parametrize("rate", (23.976, 29.97))
def test_the_counter_names_a_frame_only_once_its_picture_is_there(
    firefox: Firefox, five_rates: Dict[float, Tuple[str, str]], rate: float
) -> None:
    item = open_page(firefox, five_rates[rate])
    check_counter_waits_for_picture(firefox.evaluate, item, rate, STEPS)


def test_a_picture_that_is_not_the_counters_frame_is_counted_wrong() -> None:
    """The reader is a judge, not an echo: a black picture or another frame's code fails."""
    assert decode_levels([0] * 8) is None
    white_bit_0 = [255] + [0] * 5 + [255, 0]  # version 1, index 1
    assert decode_levels(white_bit_0) == (1, 1002)


def click(firefox: Firefox, selector: str) -> None:
    """A real click on ``selector``, scrolled into view first."""
    firefox.evaluate(f"document.querySelector({selector!r}).scrollIntoView({{block: 'center'}})")
    firefox.click(selector)


def test_a_note_typed_while_the_movie_plays_keeps_the_frame_where_typing_began(
    firefox: Firefox,
    five_rates: Dict[float, Tuple[str, str]],
    embedded_server: Any,
    tmp_path: Path,
    artifacts_dir: Path,
) -> None:
    """A studio reviewer's own link, real clicks and key presses: the looping movie pauses on
    the frame shown when the note box took focus, the picture and the box name it, and the
    note is saved on it."""
    _, item = five_rates[24.0]
    object_id = item[len("item-") :]
    with open_session(embedded_server, tmp_path) as session:
        review = session.get("ReviewSessionObject", object_id)["review_session"]
        url = personal_url(session, review)
    assert firefox.goto(url) == 200
    firefox.wait("window.ftReview && window.ftReview.Player")
    wrong_frames(firefox.evaluate, item, [])  # settled at the poster
    at = f"document.getElementById('{item}')"
    firefox.evaluate(
        f"""{at}.addEventListener("focusin", (e) => {{
          if (e.target.matches(".note-form textarea")) window.__atFocus = +{at}.dataset.frame;
        }}, true)"""
    )
    click(firefox, f"#{item} button.loop")
    click(firefox, f"#{item} button.play")
    firefox.wait(
        f"!{at}.querySelector('video').paused && +{at}.dataset.frame !== {POSTER}",
        describe=f"""(() => {{ const v = {at}.querySelector('video');
          return {{paused: v.paused, time: v.currentTime, ready: v.readyState, seeking: v.seeking,
            network: v.networkState, error: v.error && v.error.message,
            frame: {at}.dataset.frame, loop: {at}.dataset.loop,
            playing: {at}.querySelector('button.play').className}}; }})()""",
    )
    click(firefox, f"#{item} .note-form textarea")
    for key in "Flicker":
        firefox.press(key)
    began = firefox.evaluate("window.__atFocus")
    assert FIRST <= began <= LAST
    assert firefox.evaluate(f"{at}.querySelector('video').paused"), "typing left it playing"
    firefox.wait(
        f"(() => {{ const v = {at}.querySelector('video'); return v.readyState >= 2 && "
        f"!v.seeking && {at}.querySelector('.frame-number').textContent === '{began}'; }})()"
    )
    wait_until(
        lambda: (
            decode_levels(
                firefox.evaluate(f"({READ_VIDEO_LEVELS})({at}.querySelector('video'), {BITS})")
            )
            == (1, began)
        ),
        lambda: f"the paused picture is not frame {began}",
    )
    assert firefox.evaluate(f"{at}.querySelector('.note-form .note-at').textContent") == str(began)
    firefox.screenshot(artifacts_dir / "firefox_note_frame_held.png", f"#{item} .note-form")
    click(firefox, f"#{item} .add-note")
    firefox.wait(f"{at}.dataset.notesAdded === '1'")
    notes = Page(url).feedback()["objects"][object_id]["notes"]
    assert [n["frame"] for n in notes if n["content"] == "Flicker"] == [began], notes
