"""Frame truth in cut mode, in Chromium and Firefox: the cut's one movie (the server conformed
it), moved by seeded random seeks anywhere in the cut, single steps forward and back through the
cut view's own buttons (across cuts), and jumps onto each cut's first frame and the frame before
it; after each, the picture the page's ``<video>`` holds (its coded number read back) is the
shot plan's frame there, and the page's record timecode, shot and version frame are what the
cut's timing (the session's ``EntitySetting`` rows, SMPTE timecodes) maps that record frame to
through the shot's frame range (:mod:`web.cut_truth`). ``bench/bench_cut_truth.py`` runs 10,000
moves over a 60-shot cut.

The paused page names a record frame only once its picture is there: each time it writes its
record frame, the movie's picture at that moment is that frame's (a seek's picture reported
late does not move the playhead back either).

The shared cut (:mod:`web.cut_fixtures`: 12 shots, two gaps, a version shorter than its cut),
on the shared server, one Chromium page and one Firefox: the tests only read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from .cut_checks import LAST, expected_frames
from .cut_fixtures import SHARED_CUT_GROUP, SHARED_SHOTS, open_cut
from .cut_truth import (
    FILM_SHOWN,
    INSTALL,
    OPEN_FILM,
    Mapping,
    Move,
    cut_moves,
    cut_truth,
    judge,
    named_early,
    session_mapping,
)
from .feedback_fixtures import Page
from .firefox.firefox import Firefox
from .frame_code import RATE

pytestmark = [pytest.mark.browser, pytest.mark.slow, SHARED_CUT_GROUP]

#: seeded moves a browser (the benchmark runs 10,000)
MOVES = 60
SHOTS = SHARED_SHOTS
FRAMES, STARTS = expected_frames(SHOTS)
START = SHOTS[0].record_in
END = START + len(FRAMES)
CUTS = [START + at for at in STARTS[1:]]
AT = "document.querySelector('.cut-view')"


@pytest.fixture(scope="module")
def mapping(embedded_server: Any, shared_cut_session: Dict[str, Any]) -> Mapping:
    """The shared cut's mapping as the server keeps it (:func:`web.cut_truth.session_mapping`)."""
    plan = Page(shared_cut_session["url"]).get("/cut").json()
    return session_mapping(embedded_server, shared_cut_session["session_id"], plan, LAST)


def every_cut() -> List[Move]:
    """Each cut's frame before, first frame, then a step back and forward across it."""
    moves: List[Move] = []
    for at in CUTS:
        moves += [("before", at - 1), ("forward", at), ("back", at - 1), ("cut", at)]
    return moves


def test_the_cuts_mapping_and_the_shot_plan_agree_and_a_wrong_read_is_caught(
    mapping: Mapping,
) -> None:
    """The judge is a judge: the cut's own timing maps every record frame to the shot plan's
    frame, and a read of another picture, another frame or the wrong shot fails."""
    for record in range(START, END):
        want = FRAMES[record - START]
        assert mapping.at(record)[1] == (want[1] if want else None), record
    record = CUTS[3]  # the cut onto the 4th shot (the 3rd shot's cut is onto the gap after it)
    label, frame = mapping.at(record)
    assert frame is not None
    code = FRAMES[record - START][0]  # type: ignore[index]
    bits = code * 64 + frame - 1001
    levels = [255 if bits >> i & 1 else 0 for i in range(8)]
    from ft_dcc.protocol.cut_timing import timecode

    good = [record, str(frame), "film", label, timecode(record, RATE), levels, True, 0]
    assert judge(good, ("cut", record), START, FRAMES, mapping, RATE) == []
    before = [record, str(frame - 1), *good[2:]]
    assert judge(before, ("cut", record), START, FRAMES, mapping, RATE)
    other = [*good[:5], [255 - level for level in levels], True, -1]
    assert judge(other, ("cut", record), START, FRAMES, mapping, RATE)
    shot = [*good[:3], "sh999 comp v001", *good[4:]]
    assert judge(shot, ("cut", record), START, FRAMES, mapping, RATE)


def check_moves(evaluate: Callable[[str], Any], mapping: Mapping, seed: int, shot_at: int) -> None:
    """On a page whose cut is open in its movie: the seeded moves, then every cut, all read
    right; then the playhead moved to ``shot_at`` for a screenshot."""
    moves = cut_moves(seed=seed, count=MOVES, start=START, end=END, cuts=CUTS) + every_cut()
    evaluate(INSTALL)
    evaluate("window.__cutWatch()")
    read, wrong = cut_truth(evaluate, moves, START, FRAMES, mapping, RATE)
    named, early = named_early(evaluate, START, FRAMES)
    assert wrong == [] and early == []
    assert read == len(moves) and named >= len(moves) // 2  # most moves name a new frame
    evaluate(f"window.ftReview.cut.seekRecord({shot_at})")


def test_in_chromium_every_cut_and_seeded_moves_show_the_cuts_frame(
    shared_cut: Dict[str, Any], mapping: Mapping, page: Any, artifacts_dir: Path
) -> None:
    open_cut(page, shared_cut["url"])
    page.evaluate(OPEN_FILM)
    page.wait_for_function(f"() => {FILM_SHOWN}")
    check_moves(page.evaluate, mapping, 59, CUTS[2])
    page.wait_for_function(f"() => {AT}.dataset.record === '{CUTS[2]}'")
    # the keys step too: back across the cut, and forward onto its first frame again
    page.locator(".cut-strip").focus()
    for key, record in (("ArrowLeft", CUTS[2] - 1), ("ArrowRight", CUTS[2])):
        page.keyboard.press(key)
        page.wait_for_function(f"() => {AT}.dataset.record === '{record}'")
    page.locator(".cut-view").screenshot(path=str(artifacts_dir / "cut_truth_chromium.png"))


def test_in_firefox_every_cut_and_seeded_moves_show_the_cuts_frame(
    shared_cut: Dict[str, Any], mapping: Mapping, firefox: Firefox, artifacts_dir: Path
) -> None:
    open_cut(firefox, shared_cut["url"])
    firefox.evaluate(OPEN_FILM)
    firefox.wait(FILM_SHOWN)
    check_moves(firefox.evaluate, mapping, 60, CUTS[3])
    firefox.wait(f"{AT}.dataset.record === '{CUTS[3]}'")
    firefox.screenshot(artifacts_dir / "cut_truth_firefox.png", ".cut-view")
