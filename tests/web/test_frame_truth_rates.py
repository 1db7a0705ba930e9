"""Frame truth at NTSC rates in Chromium, through the runner the Firefox tests and the benchmark
use (``firefox/frames.py``): the counter names a frame only once the video holds its picture
(Chromium could end a step's seek a few milliseconds before its picture was there), and random
seeks and steps at 23.976 and 29.97 fps each settle on the counter's frame.

One Chromium page for the module (its tests share the module's movies; each opens its rate's
page afresh).
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, Tuple

import pytest
from support.browser import WEB_VIEWPORT

from .firefox.frames import (
    POSTER,
    check_counter_waits_for_picture,
    publish_rates,
    random_moves,
    wrong_frames,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NTSC = (23.976, 29.97)
STEPS = 20
RANDOM_MOVES = 60


@pytest.fixture(scope="module")
def ntsc(embedded_server: Any, tmp_path_factory: Any) -> Dict[float, Tuple[str, str]]:
    return publish_rates(embedded_server, tmp_path_factory.mktemp("ntsc"), NTSC)


@pytest.fixture(scope="module")
def chromium_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=WEB_VIEWPORT)
    try:
        yield context.new_page()
    finally:
        context.close()


def open_page(page: Any, at: Tuple[str, str]) -> str:
    url, item = at
    assert page.goto(url).status == 200
    page.wait_for_function("() => window.ftReview && window.ftReview.Player")
    return item


@pytest.mark.parametrize("rate", NTSC)
def test_the_counter_names_a_frame_only_once_its_picture_is_there(
    chromium_page: Any, ntsc: Dict[float, Tuple[str, str]], rate: float
) -> None:
    item = open_page(chromium_page, ntsc[rate])
    check_counter_waits_for_picture(chromium_page.evaluate, item, rate, STEPS)


@pytest.mark.parametrize("rate", NTSC)
def test_random_seeks_and_steps_show_the_counters_frame(
    chromium_page: Any, ntsc: Dict[float, Tuple[str, str]], rate: float
) -> None:
    item = open_page(chromium_page, ntsc[rate])
    assert wrong_frames(chromium_page.evaluate, item, []) == (1, [])
    moves = random_moves(seed=int(rate * 1000), count=RANDOM_MOVES, start=POSTER)
    assert wrong_frames(chromium_page.evaluate, item, moves) == (RANDOM_MOVES, [])
