"""Frame truth in cut mode, in any browser: a seeded plan of moves over the cut's record
timeline (seeks anywhere, single steps forward and back through the cut view's own buttons, and
jumps onto each cut's first frame and the frame before it), the page-side runner that carries
them out in the cut's one movie and reads back, once the page has settled on each, the record
frame, version frame, shot and record timecode the page says and the picture its ``<video>``
holds (drawn to a canvas); and the judge, which holds each read to two truths:

- the **picture**: the shot plan's frame there (:func:`web.cut_checks.expected_frames`), read
  from the coded blocks (:mod:`web.frame_code`);
- the **cut's mapping**: the cut timing the session keeps (its ``EntitySetting`` rows, SMPTE
  timecodes as the editor's cut has them) mapped through the shot's frame range: record frame
  ``r`` of an event from ``record_in`` is version frame ``source_in + (r - record_in)``, shown
  when within the shot's frames, else a card (the version is shorter than its cut); between
  events, a gap.

The runner is a JavaScript expression for any driver's ``evaluate`` (Playwright's Chromium and
the Firefox driver alike): ``tests/web/test_cut_truth.py`` runs a few dozen moves a browser,
``bench/bench_cut_truth.py`` 10,000.
"""

from __future__ import annotations

import json
import random
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import attr

from ft_dcc.protocol.cut_timing import frame_of, timecode

from .cut_checks import Expected
from .frame_code import BITS, FIRST, READ_VIDEO_LEVELS, decode_levels

#: One move: (kind, the record frame it must reach): "seek" anywhere, "cut" onto a cut's first
#: frame, "before" onto the frame before a cut (all through the page's Cut.seekRecord), and
#: "forward" / "back" (the cut view's step buttons).
Move = Tuple[str, int]

Evaluate = Callable[[str], Any]


@attr.s(auto_attribs=True, frozen=True)
class Event:
    """One event of the cut as the session keeps it, in record frames (outs exclusive)."""

    label: str
    source_in: int
    record_in: int
    record_out: int


@attr.s(auto_attribs=True, frozen=True)
class Mapping:
    """The cut's record frames mapped to version frames: its events, the shots' frame range."""

    events: Tuple[Event, ...]
    first: int
    last: int

    def at(self, record: int) -> Tuple[str, Optional[int]]:
        """(the shot label the page should say, the version frame shown or None: a card)."""
        for event in self.events:
            if event.record_in <= record < event.record_out:
                frame = event.source_in + record - event.record_in
                return event.label, frame if self.first <= frame <= self.last else None
        return "gap", None


def cut_mapping(
    timings: Sequence[Dict[str, Any]], labels: Dict[str, str], rate: float, last: int
) -> Mapping:
    """The mapping of the session's cut timing rows (``{"name": object id, "value": JSON}``, the
    ``cut`` group's ``EntitySetting`` rows but the session's own) and each item's label."""
    events = []
    for row in timings:
        value = json.loads(row["value"])
        frames = [frame_of(value[key], rate) for key in ("source_in", "record_in", "record_out")]
        assert None not in frames, value
        source_in, record_in, record_out = (int(frame or 0) for frame in frames)
        events.append(Event(labels[row["name"]], source_in, record_in, record_out))
    return Mapping(tuple(sorted(events, key=lambda e: e.record_in)), FIRST, last)


def cut_moves(seed: int, count: int, start: int, end: int, cuts: Sequence[int]) -> List[Move]:
    """A seeded mix over record frames ``start``..``end - 1``, from ``start`` (where the page
    opens its cut): seeks anywhere (one in three),
    single steps (one in three: across cuts too) and jumps onto a cut's first frame or the frame
    before it (``cuts``: each cut's first record frame)."""
    chance = random.Random(seed)
    moves: List[Move] = []
    record = start
    for _ in range(count):
        kind = chance.choice(("seek", "step", "cut"))
        if kind == "seek":
            record = chance.randint(start, end - 1)
            moves.append(("seek", record))
        elif kind == "cut":
            at = chance.choice(cuts)
            before = chance.random() < 0.5
            record = at - 1 if before else at
            moves.append(("before" if before else "cut", record))
        else:
            forward = record < end - 1 and (record == start or chance.random() < 0.5)
            record += 1 if forward else -1
            moves.append(("forward" if forward else "back", record))
    return moves


#: Defines window.__cutTruth(moves, timeoutMs) -> one read per move: [record, version frame,
#: shown, shot, record timecode, levels, settled, late, the movie's seeking, readyState and
#: currentTime, and how the page knew its picture was there] once the page settled on it (its record
#: frame the move's, the movie not seeking and holding a picture), ``late`` 0 when the picture
#: was the one asked for (the move's third member: version * 64 + index, -1 for a card) at once,
#: else the ms until it was after all (-1: not within 2 s). A move not settled within the time
#: given ends the call (its read says where the page was).
INSTALL = """(() => {
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
  const levels = (video) => (READ_VIDEO_LEVELS)(video, BITS);
  // the picture's code (version * 64 + index), -1 for no code: for timing a late picture only
  function code(read) {
    let value = 0;
    for (let i = 0; i < read.length; i++) {
      if (read[i] >= 70 && read[i] <= 185) return -1;
      if (read[i] > 185) value |= 1 << i;
    }
    return value >> 6 ? value : -1;
  }
  async function arrival(video, want) {
    const start = performance.now();
    while (performance.now() - start < 2000) {
      await sleep(5);
      if (code(levels(video)) === want) return Math.round(performance.now() - start);
    }
    return -1;
  }
  // from now on, each time the paused page names a record frame: it and the picture the
  // movie holds at that moment (the page may name a frame only once its picture is there)
  window.__cutWatch = () => {
    const view = document.querySelector(".cut-view");
    const video = view.querySelector('.cut-video[data-slot="film"]');
    const named = window.__cutNamed = [];
    new MutationObserver(() => {
      if (document.querySelector("main.items").dataset.cut !== "playing") {
        named.push([+view.dataset.record, levels(video)]);
      }
    }).observe(view, {attributes: true, attributeFilter: ["data-record"]});
    return true;
  };
  window.__cutTruth = async (moves, timeoutMs) => {
    const cut = window.ftReview.cut;
    const view = document.querySelector(".cut-view");
    const video = view.querySelector('.cut-video[data-slot="film"]');
    const out = [];
    for (const [kind, record, want] of moves) {
      if (kind === "forward") view.querySelector(".cut-step-forward").click();
      else if (kind === "back") view.querySelector(".cut-step-back").click();
      else cut.seekRecord(record);
      const deadline = performance.now() + timeoutMs;
      let settled = true;
      while (!(view.dataset.record === String(record) && !video.seeking
               && video.readyState >= 2)) {
        if (performance.now() > deadline) { settled = false; break; }
        await sleep(4);
      }
      const first = levels(video);
      out.push([+view.dataset.record, view.dataset.frame, view.dataset.shown,
                view.querySelector(".cut-shot").textContent,
                view.querySelector(".cut-record").textContent, first, settled,
                code(first) === want ? 0 : await arrival(video, want),
                video.seeking, video.readyState, video.currentTime,
                view.dataset.filmShownBy || ""]);
      if (!settled) break;  // the rest would wait as long: this one is said
    }
    return out;
  };
  return true;
})()""".replace("READ_VIDEO_LEVELS", READ_VIDEO_LEVELS).replace("BITS", str(BITS))

#: Opens the page's cut in its one movie, paused at its first frame (the cut view shown, the
#: movie loading): a promise of true.
OPEN_FILM = "window.ftReview.openCut(document.querySelector('main.items')).then(() => true)"
#: the cut view plays its one movie and the movie has its first picture
FILM_SHOWN = (
    "(() => { const v = document.querySelector('.cut-video[data-slot=\"film\"]');"
    " return document.querySelector('.cut-view').dataset.mode === 'film' && !!v"
    " && v.readyState >= 2 && !v.seeking; })()"
)


def _want(picture: Optional[Tuple[int, int]]) -> int:
    return -1 if picture is None else picture[0] * 64 + picture[1] - FIRST


def judge(
    read: Sequence[Any], move: Move, start: int, frames: Expected, mapping: Mapping, rate: float
) -> List[str]:
    """What one read got wrong (nothing: []): the page's record frame, the picture, and the
    page's version frame, shot and timecode against the shot plan and the cut's mapping."""
    record, frame, shown, shot, said_tc, levels, settled, late = read[:8]
    kind, asked = move
    where = f"{kind} to {asked} ({timecode(asked, rate)})"
    if not settled or record != asked:
        return [
            f"{where}: the page did not settle there (it says {record}; the movie's "
            f"seeking, readyState, time: {read[8:11]})"
        ]
    want = frames[record - start]
    label, mapped = mapping.at(record)
    wrong = []
    picture = decode_levels(levels)
    if picture != want:
        after = f"the right one {late} ms later" if late >= 0 else "not within 2 s"
        wrong.append(f"{where}: picture {picture}, not {want}; {after}")
    if mapped != (want[1] if want else None):
        wrong.append(f"{where}: the cut maps it to frame {mapped}, the shot plan to {want}")
    if frame != ("" if mapped is None else str(mapped)) or shown != ("card" if mapped is None
                                                                      else "film"):  # fmt: skip
        wrong.append(f"{where}: the page says {shown} frame {frame!r}, the cut {mapped}")
    if shot != label or said_tc != timecode(record, rate):
        wrong.append(f"{where}: the page says {shot!r} at {said_tc}, the cut {label!r}")
    return wrong


def cut_truth(
    evaluate: Evaluate,
    moves: Sequence[Move],
    start: int,
    frames: Expected,
    mapping: Mapping,
    rate: float,
    batch: int = 20,
    timeout_ms: int = 20_000,
    shown_by: Optional[Dict[str, int]] = None,
) -> Tuple[int, List[str]]:
    """Carry ``moves`` out on the page's open cut, ``batch`` a call (each call well within a
    driver's reply time: a move not settled within ``timeout_ms`` is read as it is and judged);
    the moves read back and a line for each wrong read. ``shown_by`` counts how the page knew
    each sought picture was there ("presented": the video said so; "waited": it did not)."""
    if not evaluate("typeof window.__cutTruth === 'function'"):
        evaluate(INSTALL)
    read_count, wrong = 0, []
    for at in range(0, len(moves), batch):
        chunk = list(moves[at : at + batch])
        asked = [[kind, record, _want(frames[record - start])] for kind, record in chunk]
        reads = evaluate(f"window.__cutTruth({json.dumps(asked)}, {timeout_ms})")
        for move, read in zip(chunk, reads):
            wrong += judge(read, move, start, frames, mapping, rate)
            if shown_by is not None:
                shown_by[read[11]] = shown_by.get(read[11], 0) + 1
        read_count += len(reads)
        if len(reads) < len(chunk):
            break  # a move did not settle: said, and the rest not tried
    return read_count, wrong


def session_mapping(server: Any, session_id: str, plan: Dict[str, Any], last: int) -> Mapping:
    """The mapping of the session's cut as the server keeps it (its ``EntitySetting`` rows,
    read over ``/api`` by the administrator), each item named as the page's plan names it."""
    from support.trust import query

    rows = query(server, "select name, value from EntitySetting where parent_id is "
                         f'"{session_id}" and group is "cut"')  # fmt: skip
    labels = {s["object_id"]: s["label"] for s in plan["segments"]}
    timings = [row for row in rows if row["name"] in labels]
    assert len(timings) == len(labels), (rows, labels)
    return cut_mapping(timings, labels, float(plan["rate"]), last)


def named_early(evaluate: Evaluate, start: int, frames: Expected) -> Tuple[int, List[str]]:
    """After ``window.__cutWatch()`` and moves: how many times the paused page named a record
    frame, and a line for each time the movie's picture was not that frame's at that moment."""
    named = evaluate("window.__cutNamed")
    early = [
        f"the page named record {record} while its picture was {decode_levels(levels)}, "
        f"not {frames[record - start]}"
        for record, levels in named
        if decode_levels(levels) != frames[record - start]
    ]
    return len(named), early
