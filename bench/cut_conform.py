"""The cut as the server conforms it into **one movie** (``ft_dcc.server.review.cut``), played
by the review page's own Play cut in one ``<video>``, every picture it presents read back from
its coded frame number (``bench_cut.py --conformed``): how long the server took to build it (the
session's ``/cut`` asked until it says ``ready``), the cut's first picture after Play cut, each
cut's stall and the longest wait between two pictures anywhere.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional, Tuple

import requests
from web.cut_checks import Expected, expected_frames
from web.frame_code import BITS, RATE, READ_VIDEO_LEVELS, decode_levels

FRAME_MS = 1000 / RATE
__all__ = ["Expected", "expected_frames"]

#: records every picture the page's cut movie presents: window.__film.seen gets [mediaTime,
#: expectedDisplayTime, presentedFrames, levels]
FILM_RECORDER = (
    """(() => {
  const view = document.querySelector(".cut-view");
  const levels = (READ_VIDEO_LEVELS);
  const film = window.__film = { seen: [] };
  const follow = () => {
    const video = view.querySelector('.cut-video[data-slot="film"]');
    if (!video) { window.setTimeout(follow, 2); return; }
    const onFrame = (now, meta) => {
      film.seen.push([meta.mediaTime, meta.expectedDisplayTime || now, meta.presentedFrames,
                      levels(video, BITS)]);
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  follow();
  return true;
})()""".replace("READ_VIDEO_LEVELS", READ_VIDEO_LEVELS).replace("BITS", str(BITS))
)


def built(url: str) -> Tuple[float, Dict[str, Any]]:
    """Ask the session's cut (its plan starts the server's build) until its movie is built:
    the seconds from the first ask, and the plan's ``conform``."""
    parts = url.split("?", 1)
    plan_url = parts[0].rstrip("/") + "/cut?" + parts[1]
    started = time.perf_counter()
    while True:
        conform = requests.get(plan_url, timeout=120).json()["conform"]
        if conform["state"] != "building":
            return time.perf_counter() - started, conform
        time.sleep(0.05)  # a bench's poll: the build's time to within 50 ms


def measure(seen: List[Any], frames: Expected, starts: List[int]) -> Dict[str, Any]:
    """What one-movie playback showed: wrong pictures (a picture that is the film's frame one
    before or up to two after the one its callback names -- Chromium's late callbacks read the
    next, Firefox's the one before -- is counted as ``ahead``, the reader's timing, not wrong),
    cuts whose first frame was never presented, each cut's stall (its first frame's display time
    after the frame before it, less one frame), and the longest wait between two pictures
    anywhere; and, to tell a stall of the cut from one of the machine, every step from one
    record frame to the next (``at_cuts``: onto a cut's first frame; ``elsewhere``: within a
    piece), each its presented picture's display time after the one before less one frame, and
    the frames skipped (not presented) at cuts and elsewhere."""
    wrong: List[str] = []
    ahead = 0
    shown: Dict[Tuple[int, int], float] = {}  # (loop, record frame) -> display time
    loop, last = 0, -1
    gaps: List[float] = []
    previous: Optional[float] = None
    cut_ins = set(starts[1:])
    steps: Dict[str, List[float]] = {"at_cuts": [], "elsewhere": []}
    skipped = {"at_cuts": 0, "elsewhere": 0}
    for media_time, display, _count, levels in seen:
        record = round(float(media_time) * RATE)
        if record < last:
            loop, previous = loop + 1, None  # the movie went round again: not a cut
        elif previous is not None and record == last + 1:
            where = "at_cuts" if record in cut_ins else "elsewhere"
            steps[where].append(float(display) - previous - FRAME_MS)
        elif previous is not None and record > last + 1:
            for lost in range(last + 1, record):
                skipped["at_cuts" if lost in cut_ins else "elsewhere"] += 1
        last = record
        if record >= len(frames):
            continue
        picture = decode_levels(levels)
        if not gaps and previous is None and record == 0 and not any(levels):
            continue  # Firefox's first callback draws the picture before it: none yet (black)
        if picture != frames[record] and picture in frames[max(0, record - 1) : record + 3]:
            ahead += 1  # the film's frame before or after: the reader's timing, not the film
        elif picture != frames[record]:
            wrong.append(f"record frame {record}: picture {picture}, not {frames[record]}")
        shown[(loop, record)] = float(display)
        if previous is not None:
            gaps.append(float(display) - previous)
        previous = float(display)
    stalls: List[float] = []
    unseen = 0
    for run in range(loop + 1):
        for start in starts[1:]:
            if (run, start) not in shown:
                if (run, start - 1) in shown or (run, start + 1) in shown:
                    unseen += 1  # the cut-in frame itself was not presented (dropped)
                continue
            if (run, start - 1) in shown:
                stalls.append(shown[(run, start)] - shown[(run, start - 1)] - FRAME_MS)
    return {"pictures": len(seen), "wrong": wrong, "ahead": ahead, "stalls": stalls,
            "unseen": unseen, "longest": max(gaps or [0.0]), "frames": len(seen),
            "steps": steps, "skipped": skipped}  # fmt: skip


def cuts_against_elsewhere(result: Dict[str, Any]) -> str:
    """Steps onto a cut's first frame against steps within a piece, in one play: how many, how
    many later than one frame, the 95th percentile and the longest, and the frames skipped."""
    parts = []
    for where in ("at_cuts", "elsewhere"):
        steps = sorted(result["steps"][where]) or [0.0]
        over = sum(1 for step in steps if step > FRAME_MS)
        p95 = steps[min(len(steps) - 1, int(0.95 * len(steps)))]
        parts.append(f"{where.replace('_', ' ')}: {len(result['steps'][where])} steps, {over} "
                     f"({100 * over / max(1, len(result['steps'][where])):.1f}%) later than a "
                     f"frame, p95 {p95:.0f} ms, max {steps[-1]:.0f} ms, "
                     f"{result['skipped'][where]} frames skipped")  # fmt: skip
    return "; ".join(parts)


def play_film(page: Any, url: str, frames: Expected, starts: List[int],
              target: int) -> Dict[str, Any]:  # fmt: skip
    """Open the session's review page (``page``: bench_cut.Page), Play cut in its movie until
    ``target`` record frames went by (at least once through); the page's first frame, the cut's
    first picture after the click, and what :func:`measure` makes of every picture."""
    assert page.goto(url) == 200
    page.wait("document.querySelector('main.items').dataset.cutFilm === 'ready'")
    first = float(page.wait("+document.querySelector('main.items').dataset.firstFrame"))
    page.evaluate(FILM_RECORDER)
    page.evaluate("document.querySelector('.play-cut').scrollIntoView()")
    clicked = float(page.evaluate("performance.now()"))
    page.click(".play-cut")
    played = 0
    while True:
        page.wait("document.querySelector('main.items').dataset.cut === 'done'")
        played += len(frames)
        if played >= max(target, len(frames)):
            break
        page.click(".cut-view .cut-play")  # again from its start
        page.wait("document.querySelector('main.items').dataset.cut === 'playing'")
    seen = page.evaluate("window.__film.seen")
    result = measure(seen, frames, starts)
    result["first"] = first
    result["started"] = (float(seen[0][1]) - clicked) if seen else float("nan")
    result["frames"] = played
    return result
