"""Frame truth at five rates, in any browser: movies whose every frame codes its number
(:mod:`web.frame_code`'s black and white blocks) published at 23.976, 24, 25, 29.97 and 60 fps
(a review session each), a seeded plan of seeks and steps, and the page-side runner that carries
the plan out through the page's own controls and reads back, for each move, the counter and the
picture the <video> holds (drawn to a canvas).

A move is done when the page has settled on it: the counter names the frame asked for, the video
is not seeking and has the picture (readyState >= 2). The picture is read once then, never again
until it agrees: a picture other than the counter's frame is a wrong frame.

The runner is a JavaScript expression for any driver's ``evaluate(expression)``: the Firefox
driver here and Playwright's Chromium page alike (``bench/bench_frame_truth.py`` runs both).
"""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

from support import make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

from ..dailies_fixtures import isolated_pyblish
from ..frame_code import BITS, FIRST, FRAMES, coded_frames, decode_levels

RATES = (23.976, 24.0, 25.0, 29.97, 60.0)
LAST = FIRST + FRAMES - 1
POSTER = FIRST + FRAMES // 2  # the publish's default thumbnail: the middle frame

#: One move: ("seek", frame) through the scrub bar, ("forward"|"back", frame it must reach).
Move = Tuple[str, int]


def publish_rates(
    server: Any, tmp_path: Path, rates: Sequence[float] = RATES
) -> Dict[float, Tuple[str, str]]:
    """One shot per rate (a project each), each in a review session of its project; each
    rate's session page link and item element id."""
    pages: Dict[float, Tuple[str, str]] = {}
    with isolated_pyblish(tmp_path), open_session(server, tmp_path) as session:
        for rate in rates:
            task = make_task(
                session, f"fr{uuid.uuid4().hex[:8]}", FIRST, LAST, rate, task_name="anim"
            )
            report = publish(
                FilesHost(coded_frames(tmp_path / f"r{rate}", 1), fps=rate),
                task=task,
                review_session_name="Frame truth at five rates",
                comment=f"{rate} fps",
                session=session,
            )
            assert report.ok, str(report)
            pages[rate] = (report.review_url, f"item-{report.review_session_object_id}")
    return pages


def steps(count: int) -> List[Move]:
    """``count`` steps forward from the poster frame, then ``count`` back to it."""
    assert POSTER + count <= LAST
    forward = [("forward", POSTER + i) for i in range(1, count + 1)]
    back = [("back", POSTER + count - i) for i in range(1, count + 1)]
    return forward + back


def random_moves(seed: int, count: int, start: int = POSTER) -> List[Move]:
    """A seeded mix of seeks anywhere in the clip (two in three) and single steps."""
    chance = random.Random(seed)
    moves: List[Move] = []
    frame = start
    for _ in range(count):
        kind = chance.choice(("seek", "seek", "step"))
        if kind == "seek":
            frame = chance.randint(FIRST, LAST)
            moves.append(("seek", frame))
            continue
        forward = frame < LAST and (frame == FIRST or chance.random() < 0.5)
        frame += 1 if forward else -1
        moves.append(("forward" if forward else "back", frame))
    return moves


#: Defines window.__ftTruth(itemId, moves, timeoutMs) -> [[counter, [levels], late], ...]: the
#: counter and the block levels of the video's picture once the page settled on each move (an
#: empty move list reads the page as it is once settled); ``late``: 0 when that picture was the
#: counter's frame, else the ms until the video held it after all (-1: not within 2 s).
INSTALL = (
    """(() => {
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
  function levels(video, bits) {
    const canvas = document.createElement("canvas");
    canvas.width = 320; canvas.height = 180;
    const context = canvas.getContext("2d");
    context.drawImage(video, 0, 0, 320, 180);
    const out = [];
    for (let i = 0; i < bits; i++) {
      const d = context.getImageData(Math.floor((i + 0.5) * 320 / bits), 90, 1, 1).data;
      out.push(Math.round((d[0] + d[1] + d[2]) / 3));
    }
    return out;
  }
  async function settle(item, video, want, deadline) {
    const counter = item.querySelector(".frame-number");
    while (!(video.readyState >= 2 && !video.seeking
             && (want === null || counter.textContent === String(want)))) {
      if (Date.now() > deadline) {
        throw new Error("not settled on " + want + ": counter " + counter.textContent +
          ", seeking " + video.seeking + ", readyState " + video.readyState);
      }
      await sleep(5);
    }
    return +counter.textContent;
  }
  // the frame a picture codes (version 1), or null: for timing a late picture only; the
  // verdict is Python's decode_levels
  function code(read) {
    let value = 0;
    for (let i = 0; i < read.length; i++) {
      if (read[i] >= 70 && read[i] <= 185) return null;
      if (read[i] > 185) value |= 1 << i;
    }
    return value >> 6 === 1 ? FIRST + (value & 63) : null;
  }
  // ms until the video's picture is the counter's frame after all (-1: not within 2 s)
  async function arrival(video, want, bits) {
    const start = Date.now();
    while (Date.now() - start < 2000) {
      await sleep(5);
      if (code(levels(video, bits)) === want) return Date.now() - start;
    }
    return -1;
  }
  function move(item, kind, frame) {
    if (kind === "seek") {
      const scrub = item.querySelector(".scrub");
      scrub.value = String(frame);
      scrub.dispatchEvent(new Event("input", {bubbles: true}));
    } else {
      item.querySelector(kind === "forward" ? "button.step-forward" : "button.step-back").click();
    }
  }
  // from now on, each time the item's counter is written: its text and the picture the video
  // holds at that moment (a counter may name a frame only once its picture is there)
  window.__ftWatchCounter = (id) => {
    const item = document.getElementById(id);
    const video = item.querySelector(".picture.main video");
    const counter = item.querySelector(".frame-number");
    const named = [];
    new MutationObserver(() => { named.push([+counter.textContent, levels(video, BITS)]); })
      .observe(counter, {childList: true, characterData: true, subtree: true});
    window.__ftNamed = named;
    return true;
  };
  window.__ftTruth = async (id, moves, timeoutMs) => {
    const item = document.getElementById(id);
    const video = item.querySelector(".picture.main video");
    const bits = BITS;
    if (!moves.length) {
      const at = await settle(item, video, POSTER, Date.now() + timeoutMs);
      const first = levels(video, bits);
      return [[at, first, code(first) === at ? 0 : await arrival(video, at, bits)]];
    }
    const read = [];
    for (const [kind, frame] of moves) {
      move(item, kind, frame);
      const at = await settle(item, video, frame, Date.now() + timeoutMs);
      const first = levels(video, bits);
      read.push([at, first, code(first) === at ? 0 : await arrival(video, at, bits)]);
    }
    return read;
  };
  return true;
})()""".replace("BITS", str(BITS))
    .replace("POSTER", str(POSTER))
    .replace("FIRST", str(FIRST))
)

Evaluate = Callable[[str], Any]


def wrong_frames(
    evaluate: Evaluate, item_id: str, moves: List[Move], batch: int = 200
) -> Tuple[int, List[str]]:
    """Carry ``moves`` out on the item (no moves: read the page after load); the number of
    moves read back, and a line for each whose picture was not the counter's frame."""
    if not evaluate("typeof window.__ftTruth === 'function'"):
        evaluate(INSTALL)
    chunks = [moves[i : i + batch] for i in range(0, len(moves), batch)] or [[]]
    read, wrong = 0, []
    for chunk in chunks:
        results = evaluate(f"window.__ftTruth({json.dumps(item_id)}, {json.dumps(chunk)}, 60000)")
        for index, (counter, levels, late) in enumerate(results):
            seen = decode_levels(levels)
            asked = chunk[index] if chunk else ("load", POSTER)
            if seen != (1, counter) or counter != asked[1]:
                after = f"the right one {late} ms later" if late >= 0 else "not within 2 s"
                wrong.append(f"{asked}: counter {counter}, picture {seen}; {after}")
        read += len(results)
    return read, wrong


def named_before_shown(
    evaluate: Evaluate, item_id: str, moves: List[Move]
) -> Tuple[int, List[str]]:
    """Carry ``moves`` out on the item (settled at its poster first) while watching its
    counter: how many times the counter was written, and a line for each time it named a frame
    whose picture the video did not hold yet."""
    wrong_frames(evaluate, item_id, [])  # the page as loaded: its poster frame settled
    evaluate(f"window.__ftWatchCounter({json.dumps(item_id)})")
    wrong_frames(evaluate, item_id, moves)
    named = evaluate("window.__ftNamed")
    early = [
        f"counter {counter} while the picture was {decode_levels(levels)}"
        for counter, levels in named
        if decode_levels(levels) != (1, counter)
    ]
    return len(named), early


def check_counter_waits_for_picture(
    evaluate: Evaluate, item_id: str, rate: float, count: int
) -> None:
    """``count`` steps forward and back, then ``count`` random moves: the counter never names
    a frame whose picture the video does not hold yet."""
    moves = steps(count) + random_moves(seed=int(rate * 100), count=count, start=POSTER)
    written, early = named_before_shown(evaluate, item_id, moves)
    assert written >= len(moves)  # the watch saw the counter move
    assert early == []
