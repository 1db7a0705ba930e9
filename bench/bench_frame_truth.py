"""Frame truth at five rates in Firefox ESR and Chromium: random seeks and steps through the
review page's own controls, each picture the <video> holds (drawn to a canvas) read back by
its coded frame number and compared with the frame the page's counter names.

    .venv/bin/python bench/bench_frame_truth.py --moves 10000

Movies: 48 frames each at 23.976, 24, 25, 29.97 and 60 fps (``tests/web/firefox/frames.py``);
the moves are split evenly over the rates, two in three a seek anywhere in the clip, the rest a
single step. Debian's firefox-esr over WebDriver BiDi (puppeteer-core, ``make js-deps``) and
Debian's chromium-headless-shell through Playwright. Exits 1 when any picture was not the
counter's frame.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from embedded_server import KEY, USER, Server  # noqa: E402
from support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from web.firefox.firefox import Firefox  # noqa: E402
from web.firefox.frames import POSTER, RATES, publish_rates, random_moves, wrong_frames  # noqa: E402

log = logging.getLogger("bench_frame_truth")
Evaluate = Callable[[str], object]
Opener = Callable[[str], Evaluate]


@contextlib.contextmanager
def firefox(base: Path) -> Iterator[Opener]:
    browser = Firefox(base / "firefox-driver.log")
    log.info("Firefox: %s", browser.version)

    def open_page(url: str) -> Evaluate:
        assert browser.goto(url) == 200
        browser.wait("window.ftReview && window.ftReview.Player")
        return browser.evaluate

    try:
        yield open_page
    finally:
        browser.close()


@contextlib.contextmanager
def chromium(base: Path) -> Iterator[Opener]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        log.info("Chromium: %s", browser.version)
        page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()

        def open_page(url: str) -> Evaluate:
            response = page.goto(url)
            assert response is not None and response.status == 200
            page.wait_for_function("() => window.ftReview && window.ftReview.Player")
            return page.evaluate

        try:
            yield open_page
        finally:
            browser.close()


BROWSERS = {"firefox": firefox, "chromium": chromium}


def run(
    opener: Opener, pages: Dict[float, Tuple[str, str]], per_rate: int, seed: int
) -> Iterator[Tuple[float, int, List[str], float]]:
    """Per rate, as each is done: pictures read back, the wrong ones, seconds."""
    for rate in RATES:
        url, item = pages[rate]
        evaluate = opener(url)
        started = time.monotonic()
        loaded, wrong = wrong_frames(evaluate, item, [])
        moves = random_moves(seed + int(rate * 1000), per_rate, start=POSTER)
        read, more = wrong_frames(evaluate, item, moves, batch=100)
        yield rate, loaded + read, wrong + more, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=10_000, help="per browser, over the rates")
    parser.add_argument("--browsers", default="firefox,chromium")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    per_rate = args.moves // len(RATES)
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench_frame_truth_") as temp:
        base = Path(temp)
        server = Server(base)
        try:
            credentials = types.SimpleNamespace(url=server.url, api_key=KEY, api_user=USER)
            pages = publish_rates(credentials, base)
            for name in args.browsers.split(","):
                with BROWSERS[name](base) as opener:
                    for rate, read, wrong, seconds in run(opener, pages, per_rate, args.seed):
                        print(f"{name:9} {rate:7.3f} fps  {read:6d} pictures  "
                              f"{len(wrong):3d} wrong  {seconds:6.1f} s", flush=True)  # fmt: skip
                        for line in wrong[:10]:
                            print(f"    {line}")
                        failed = failed or bool(wrong)
        finally:
            server.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
