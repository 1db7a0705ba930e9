"""Frame truth in Firefox (Debian's firefox-esr over WebDriver BiDi): the picture the review
page's video holds is the frame its counter names after load, over steps forward and back, and
over seeded random seeks and steps, in movies at 23.976, 24, 25, 29.97 and 60 fps.

One Firefox for the module (its tests share the module's server session and movies, so they run
on one worker); each test opens its rate's page afresh.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

from ..frame_code import decode_levels
from .firefox import Firefox, firefox_or_skip
from .frames import (
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
def test_after_load_the_picture_is_the_poster_frame(
    firefox: Firefox, five_rates: Dict[float, Tuple[str, str]], rate: float, artifacts_dir: Path
) -> None:
    item = open_page(firefox, five_rates[rate])
    read, wrong = wrong_frames(firefox.evaluate, item, [])
    assert (read, wrong) == (1, [])
    if rate == 29.97:  # the picture with its counter, to look at
        firefox.evaluate(f"document.querySelector('#{item} .frame-number').scrollIntoView()")
        firefox.screenshot(artifacts_dir / "firefox_frame_truth_page.png")


@pytest.mark.parametrize("rate", RATES)
def test_steps_forward_and_back_show_the_counters_frame(
    firefox: Firefox, five_rates: Dict[float, Tuple[str, str]], rate: float
) -> None:
    item = open_page(firefox, five_rates[rate])
    read, wrong = wrong_frames(firefox.evaluate, item, steps(STEPS))
    assert (read, wrong) == (2 * STEPS, [])


@pytest.mark.parametrize("rate", RATES)
def test_random_seeks_and_steps_show_the_counters_frame(
    firefox: Firefox, five_rates: Dict[float, Tuple[str, str]], rate: float
) -> None:
    item = open_page(firefox, five_rates[rate])
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
