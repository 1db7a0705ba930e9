"""Drift while playing, checked frame by frame in real Chromium: the owner
presents and plays, an invitee follows; both pages are sampled over and over (the picture each
<video> holds, decoded from its pixels, with the counter read in the same step), and the
follower is held within the protocol's bound of the presenter, whatever it was knocked off by.
After a pause both show the very same frame.

On the shared SQLite server only: the bound is the pages' protocol (a state names the frame
and the server's time it was sent at; the follower's link is made slow here, ``LATE_STATES``),
whichever worker relays the state. That the state reaches pages whose streams are on other
PostgreSQL workers is held by ``test_presenter_page`` (on PostgreSQL), and by
``test_presenter_api`` and ``test_watchers`` on both backends.

The bound is the protocol's (``presenter.js``): a following page that plays compares every
picture it presents with the presenter's frame *now* (the frame last sent, moved on by the time
since the server stamped it) and holds itself within ``DRIFT_FRAMES`` of it (a little faster or
slower, or a seek when far off). The test never
compares against a clock: the presenter is sampled before and after the follower, so the
presenter's frame at the follower's sample lies between the two; a sample whose bracket is
too wide to tell (a busy machine) proves nothing and is not counted.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest

from ft_dcc.server.review import web

from .frame_code import BITS, FRAMES, READ_VIDEO_LEVELS, decode_levels, wait_until
from .test_frame_truth import Truth, visible_item
from .test_presenter_page import open_page, presented_dailies, side_by_side, wait_mode

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The protocol's bound, read from the page's own script (not restated here).
DRIFT_FRAMES = int(
    re.search(r"var DRIFT_FRAMES = (\d+);", (Path(web.__file__).parent / "presenter.js")
              .read_text()).group(1)  # type: ignore[union-attr]
)  # fmt: skip
#: One frame more for the sample itself: a picture and the frame the page names for it may
#: be a frame apart while it plays (the canvas holds the one being presented).
BOUND = DRIFT_FRAMES + 1
#: A bracket wider than this (frames the presenter moved while the follower was sampled) is
#: too wide to tell anything.
WIDEST = 6
#: Consecutive good samples that count as "converged", then samples that must hold; a sample
#: beyond the bound must be brought back within RECOVER samples (the page re-seeks: drift does
#: not last, whatever a busy machine does to one picture). Each hold plays on for HOLD
#: conclusive samples: 40 cost twice the playing (and on the suite's busy machine minutes of
#: two playing pages) for the same check repeated.
CONVERGED, HOLD, RECOVER = 5, 20, 8

#: The follower's link is slow: every presenter state reaches its page LATE_MS after the
#: server sent it (a state names the frame it was sent at, not the frame it arrives at).
LATE_MS = 600
LATE_STATES = """(() => {
  const add = EventSource.prototype.addEventListener;
  EventSource.prototype.addEventListener = function (type, listener, options) {
    if (type !== "presenter") return add.call(this, type, listener, options);
    return add.call(this, type, (event) => setTimeout(() => listener(event), LATE_MS), options);
  };
})()""".replace("LATE_MS", str(LATE_MS))

#: The frame code the <video> holds (drawn on a canvas), its counter and whether it plays,
#: read in one step.
SAMPLE = """([item, bits]) => {
  const video = item.querySelector(".picture.main video");
  const levels = (READ_VIDEO_LEVELS)(video, bits);
  return {levels: levels, counter: +item.dataset.frame, paused: video.paused};
}""".replace("READ_VIDEO_LEVELS", READ_VIDEO_LEVELS)


@pytest.fixture
def dailies(embedded_server: Any, tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """The presented dailies (:func:`web.test_presenter_page.presented_dailies`) on the shared
    SQLite server."""
    yield from presented_dailies(embedded_server, tmp_path)


def sample(page: Any, item: Any) -> Dict[str, Any]:
    """One read of ``page``'s shown ``item`` (an element handle): a single round trip, so a
    bracket of samples stays narrow on a busy machine (a locator resolved each time was two)."""
    got = page.evaluate(SAMPLE, [item, BITS])
    code = decode_levels(got["levels"])
    got["frame"] = code[1] if code else None
    return got


def cyclic(a: int, b: int) -> int:
    """Frames from ``a`` forward to ``b`` on the looping clip."""
    return (b - a) % FRAMES


def off_by(frame: int, before: int, after: int) -> Optional[int]:
    """How far ``frame`` is from the stretch the presenter played from ``before`` to
    ``after`` (0 inside it), or None when that stretch is too long to tell."""
    span = cyclic(before, after)
    if span > WIDEST:
        return None
    ahead = cyclic(before, frame)
    if ahead <= span:
        return 0
    return min(ahead - span, FRAMES - ahead)


class Drift:
    """Samples of a presenter and a follower page while both play."""

    def __init__(self, lead: Any, follower: Any) -> None:
        self.lead = (lead, visible_item(lead).element_handle())
        self.follower = (follower, visible_item(follower).element_handle())
        self.log: List[Any] = []
        self.taken = 0  # samples taken, conclusive or not
        #: the presenter's last sample: the "before" of the next bracket when sampling runs on
        #: with no pause between (two reads a sample, not three)
        self.previous: Optional[Dict[str, Any]] = None

    def one(self) -> Optional[int]:
        """The follower's distance from the presenter in one bracketed sample, or None."""
        self.taken += 1
        before = self.previous or sample(*self.lead)
        seen = sample(*self.follower)
        after = self.previous = sample(*self.lead)
        frames = (before["frame"], seen["frame"], after["frame"])
        self.log = [*self.log, (frames, seen["counter"])][-12:]
        if None in frames or before["paused"] or after["paused"] or seen["paused"]:
            return None
        # the picture and the frame the page names for it (its counter) are both held to it
        picture = off_by(seen["frame"], before["frame"], after["frame"])
        counter = off_by(seen["counter"], before["frame"], after["frame"])
        if picture is None or counter is None:
            return None
        return max(picture, counter)

    def converge(self) -> None:
        """Wait until CONVERGED samples in a row are within the bound."""
        good = [0]
        self.previous = None

        def check() -> bool:
            distance = self.one()
            if distance is not None:
                good[0] = good[0] + 1 if distance <= BOUND else 0
            return good[0] >= CONVERGED

        # each check is a sample (the pages' round trips): back to back, no pause between
        wait_until(
            check, lambda: f"the follower never came within {BOUND}: {self.log}", 300, interval=0
        )

    def hold(self) -> int:
        """HOLD conclusive samples in which the follower never stays out of the bound: a
        sample beyond it (a stall of a busy machine's page) must be brought back within
        RECOVER conclusive samples by the protocol's re-seek. The largest distance seen."""
        distances: List[int] = []
        out = [0]  # conclusive samples beyond the bound, in a row
        self.previous = None

        def check() -> bool:
            distance = self.one()
            if distance is not None:
                out[0] = out[0] + 1 if distance > BOUND else 0
                assert out[0] <= RECOVER, f"the follower stayed {distance} frames off: {self.log}"
                distances.append(distance)
            return len(distances) >= HOLD and out[0] == 0

        wait_until(
            check, lambda: f"only {len(distances)} samples could tell: {self.log}", 600, interval=0
        )
        beyond = sum(d > BOUND for d in distances)
        print(
            f"{beyond} of {len(distances)} samples beyond the bound, each brought back;"
            f" {self.taken} taken so far"
        )
        return max(distances)


def test_a_playing_follower_stays_within_the_bound_and_pauses_on_the_same_frame(
    dailies: Dict[str, Any],
    chromium: Any,
    artifacts_dir: Path,
) -> None:
    backend = dailies["backend"]
    contexts = []
    try:
        contexts.append(open_page(chromium, dailies["owner"]))
        contexts.append(open_page(chromium, dailies["links"]["ann"], LATE_STATES))
        (_, lead), (_, ann) = contexts
        lead.locator(".presenter-bar .present").click()
        wait_mode(lead, "lead")
        wait_mode(ann, "follow")

        item = visible_item(lead)
        item.locator(".speed").select_option("0.5")
        item.locator("button.loop").click()
        item.locator("button.play").click()
        ann_item = visible_item(ann)
        ann.wait_for_function(
            "(i) => !i.querySelector('.picture.main video').paused && i.dataset.loop === 'true'",
            arg=ann_item.element_handle(),
        )
        drift = Drift(lead, ann)
        drift.converge()
        worst = drift.hold()

        # Knocked off: the follower's movie jumps a third of the clip away and its clock runs
        # slow (a stall, a slower machine). Not by the viewer (no trusted event): it still
        # follows, and is brought back within the bound, and held there.
        ann_item.locator(".picture.main video").evaluate(
            f"(v) => {{ v.currentTime = (v.currentTime + {FRAMES // 3} / 24) % 2;"
            " v.playbackRate = 0.4; }"
        )
        drift.converge()
        worst = max(worst, drift.hold())
        assert ann.locator("main.items").get_attribute("data-presenter") == "follow"
        print(f"{backend}: the worst sample was {worst} frames off (bound {BOUND})")

        # Paused: both show the very same frame (picture, counter and note frame agree).
        item.locator("button.play").click()
        lead_truth = Truth(lead, artifacts_dir, f"presenter_drift_{backend}_lead")
        ann_truth = Truth(ann, artifacts_dir, f"presenter_drift_{backend}_ann")
        paused = lead_truth.frame("paused")
        assert ann_truth.frame("paused", paused) == paused
        side_by_side([lead, ann], artifacts_dir / f"presenter_drift_paused_{backend}.png")
        for page in (lead, ann):
            assert page.errors == [], page.errors
    finally:
        for context, _page in contexts:
            context.close()
