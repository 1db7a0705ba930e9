""" "Play cut" of a 60-shot cut session against a 10-shot one, in Chromium and Firefox ESR: the
page's first frame, the cut's first picture after Play cut, and the time of every cut during
playback (how late each shot came after the last frame of the one before had had its time: a
stall above one frame's duration is counted), each cut's first picture read back from its coded
frame number (as tests/web/test_cut_play.py reads it).

    .venv/bin/python bench/bench_cut.py                   # each cut played once per browser
    .venv/bin/python bench/bench_cut.py --frames 10000    # play on until 10,000 frames a browser

Shots: 48-frame movies at 24 fps whose frames code their number (tests/web/frame_code.py), 10
to 14 frames of each cut in, a gap and a version shorter than its cut (tests/web/cut_checks.py);
the sessions made by a Supervisor with ``ft-dcc review create --from-cut``. The 60-shot numbers
are also given as ratios of the 10-shot ones of the same run. Exits 1 when any cut's first
picture was not the next shot's cut-in frame or a picture shown was outside its cut.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import statistics
import sys
import tempfile
import types
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from cut_conform import built, cuts_against_elsewhere, expected_frames, play_film  # noqa: E402
from embedded_server import KEY, USER, Server  # noqa: E402
from support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from web.cut_checks import (  # noqa: E402
    HANDOFF,
    RECORDER,
    SETTLED,
    build_cut_session,
    expected_pieces,
    plan_cut,
    wrong_cuts,
)
from web.firefox.firefox import Firefox  # noqa: E402
from web.frame_code import RATE  # noqa: E402

log = logging.getLogger("bench_cut")
FRAME_MS = 1000 / RATE
DONE = "document.querySelector('main.items').dataset.cut === 'done'"


class Page:
    """One browser page: open a link, run an expression, click, wait for a condition."""

    def __init__(self, goto: Callable[[str], Any], evaluate: Callable[[str], Any],
                 click: Callable[[str], None], wait: Callable[[str], Any]) -> None:  # fmt: skip
        self.goto, self.evaluate, self.click, self.wait = goto, evaluate, click, wait


@contextlib.contextmanager
def firefox(base: Path) -> Iterator[Page]:
    browser = Firefox(base / "firefox-driver.log")
    log.info("Firefox: %s", browser.version)
    try:
        yield Page(browser.goto, browser.evaluate, browser.click,
                   lambda e: browser.wait(e, 600_000))  # fmt: skip
    finally:
        browser.close()


@contextlib.contextmanager
def chromium(base: Path) -> Iterator[Page]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        log.info("Chromium: %s", browser.version)
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        try:
            yield Page(lambda u: page.goto(u).status, lambda e: page.evaluate(f"() => {e}"),
                       lambda s: page.locator(s).click(),
                       lambda e: page.wait_for_function(f"() => {e}",
                                                        timeout=600_000).json_value())  # fmt: skip
        finally:
            browser.close()


BROWSERS = {"firefox": firefox, "chromium": chromium}


def play(page: Page, url: str, pieces: List[Any], frames: int) -> Dict[str, Any]:
    """Open the session, play its cut until ``frames`` record frames were played (at least
    once through); what it measured."""
    assert page.goto(url) == 200
    page.wait("document.querySelector('main.items').dataset.cutReady")
    first = float(page.wait("+document.querySelector('main.items').dataset.firstFrame"))
    page.evaluate(HANDOFF)
    page.wait(SETTLED)
    page.evaluate(RECORDER)
    page.evaluate("document.querySelector('.play-cut').scrollIntoView()")
    clicked = float(page.evaluate("performance.now()"))
    page.click(".play-cut")
    page.wait("document.querySelector('.cut-view').dataset.shown")
    started = float(page.evaluate("document.querySelector('.cut-view').cutLog[0].at")) - clicked
    stalls: List[float] = []
    late: List[Dict[str, Any]] = []  # the cuts later than a frame, as the page logged them
    played, reads, pictures = 0, 0, 0
    wrong: List[str] = []
    length = int(page.evaluate("window.ftReview.cut.end - window.ftReview.cut.start"))
    while True:
        page.wait(DONE)
        log_ = page.evaluate("document.querySelector('.cut-view').cutLog"
                             ".filter((e) => e.due !== null)")  # fmt: skip
        stalls += [float(e["at"]) - float(e["due"]) for e in log_]
        late += [e for e in log_ if float(e["at"]) - float(e["due"]) > FRAME_MS]
        cuts, seen, bad = wrong_cuts(page.evaluate("window.__cutSeen"), pieces)
        reads, pictures, wrong = reads + cuts, pictures + seen, wrong + bad
        played += length
        if played >= frames:
            break
        page.evaluate("window.__cutSeen.splice(0)")  # each play read on its own
        page.evaluate("document.querySelector('.cut-view').cutLog.splice(0)")
        page.click(".cut-view .cut-play")  # the cut's own Play: again from its start
        page.wait("document.querySelector('main.items').dataset.cut === 'playing'")
    return {"first": first, "started": started, "stalls": stalls, "frames": played,
            "cuts": reads, "pictures": pictures, "wrong": wrong, "late": late}  # fmt: skip


def why_late(entry: Dict[str, Any]) -> str:
    """A late cut as the page logged it: its lateness, and when the next shot was asked for and
    made ready (ms before its due time; None: a card)."""
    due = float(entry["due"])

    def before(key: str) -> str:
        value = entry.get(key)
        return "-" if value is None else f"{due - float(value):.0f} ms before due"

    return (
        f"piece {entry['piece']}: {float(entry['at']) - due:.0f} ms late; asked "
        f"{before('asked')}, ready {before('ready')} (by {entry.get('by')})"
    )


def lateness(result: Dict[str, Any]) -> str:
    """How late the run's cuts came: their count, median, max, and those above one frame."""
    stalls = result["stalls"] or [0.0]
    over = sum(1 for s in stalls if s > FRAME_MS)
    return (f"{len(stalls):4d} cuts: median {statistics.median(stalls):6.1f} ms late, max "
            f"{max(stalls):6.1f}, {over} above one frame")  # fmt: skip


def summary(name: str, shots: int, result: Dict[str, Any]) -> str:
    return (f"{name:9} {shots:3d} shots  first frame {result['first']:7.0f} ms  cut's first "
            f"picture {result['started']:6.0f} ms  {lateness(result)} ({FRAME_MS:.1f} ms)  "
            f"{result['frames']} frames  {len(result['wrong'])} wrong")  # fmt: skip


def conformed_summary(name: str, shots: int, result: Dict[str, Any]) -> str:
    return (f"{name:9} {shots:3d} shots  ONE MOVIE  first frame {result['first']:7.0f} ms  "
            f"cut's first picture {result['started']:6.0f} ms  {lateness(result)}; "
            f"{result['unseen']} cut-in frames not presented; longest wait between "
            f"pictures {result['longest']:.0f} ms  {result['pictures']} pictures  "
            f"{len(result['wrong'])} wrong, {result['ahead']} read a frame off")  # fmt: skip


def hand_off(name: str, base: Path, sessions: Dict[int, Tuple[str, List[Any]]],
             frames: int) -> bool:  # fmt: skip
    """Each session's cut played by the two videos' hand-off in browser ``name``; printed;
    whether any picture was wrong."""
    with BROWSERS[name](base) as page:
        results = {count: play(page, url, pieces, frames)
                   for count, (url, pieces) in sessions.items()}  # fmt: skip
    failed = False
    for count, result in results.items():
        print(summary(name, count, result), flush=True)
        for line in result["wrong"][:10]:
            print(f"    {line}")
        for entry in result["late"][:10]:
            print("    late: " + why_late(entry))
        failed = failed or bool(result["wrong"])
    small, big = results[10], results[60]
    late = (statistics.median(big["stalls"] or [0.0]) + 1) / (
        statistics.median(small["stalls"] or [0.0]) + 1
    )
    print(f"{name:9} 60 / 10 shots: first frame x{big['first'] / small['first']:.2f}, "
          f"cut's first picture x{big['started'] / max(1.0, small['started']):.2f}, "
          f"median lateness (+1 ms) x{late:.2f}", flush=True)  # fmt: skip
    return failed


def one_movie(name: str, base: Path, conformed: Dict[int, Tuple[str, Any, Any]],
              frames: int) -> bool:  # fmt: skip
    """Each session's cut played in the server's one movie in browser ``name``; printed, with
    its steps at cuts against elsewhere; whether any picture was wrong."""
    ones = {}
    failed = False
    with BROWSERS[name](base) as page:
        for count, (url, expected, starts) in conformed.items():
            ones[count] = one = play_film(page, url, expected, starts, frames)
            print(conformed_summary(name, count, one), flush=True)
            print(f"{name:9} {count:3d} shots  ONE MOVIE  {cuts_against_elsewhere(one)}",
                  flush=True)  # fmt: skip
            for line in one["wrong"][:10]:
                print(f"    {line}")
            failed = failed or bool(one["wrong"])
    print(f"{name:9} ONE MOVIE 60 / 10 shots: first frame "
          f"x{ones[60]['first'] / ones[10]['first']:.2f}, cut's first picture "
          f"x{ones[60]['started'] / max(1.0, ones[10]['started']):.2f}", flush=True)  # fmt: skip
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--frames", type=int, default=0, help="play on until this many frames")
    parser.add_argument("--browsers", default="chromium,firefox")
    parser.add_argument(
        "--conformed",
        action="store_true",
        help="also play each cut in the movie "
        "the server conforms, by the review page in one <video> (bench/cut_conform.py)",
    )
    parser.add_argument(
        "--film-only",
        action="store_true",
        help="play each cut only in the server's movie (as --conformed)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    for noisy in ("ft_dcc", "urllib3", "ftrack_api"):  # the publishes' own progress
        logging.getLogger(noisy).setLevel(logging.WARNING)
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench_cut_") as temp:
        base = Path(temp)
        server = Server(base)
        try:
            credentials = types.SimpleNamespace(url=server.url, api_key=KEY, api_user=USER,
                                                data_dir=base / "data")  # fmt: skip
            sessions: Dict[int, Tuple[str, List[Any]]] = {}
            conformed: Dict[int, Tuple[str, Any, Any]] = {}
            for count in (10, 60):
                shots = plan_cut(count)
                made = build_cut_session(credentials, base / f"s{count}", shots,
                                         name=f"Reel {count}")  # fmt: skip
                sessions[count] = (made["url"], expected_pieces(shots))
                log.info("%d-shot cut session made", count)
                if args.conformed or args.film_only:
                    took, state = built(made["url"])
                    log.info("%d-shot cut conformed by the server in %.2f s: %s", count, took,
                             state["state"])  # fmt: skip
                    conformed[count] = (made["url"], *expected_frames(shots))
            for name in args.browsers.split(","):
                if not args.film_only:
                    failed = hand_off(name, base, sessions, args.frames) or failed
                if args.conformed or args.film_only:
                    failed = one_movie(name, base, conformed, args.frames) or failed
        finally:
            server.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
