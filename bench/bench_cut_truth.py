"""Frame truth in cut mode over a long cut, in Chromium and Firefox ESR: the server's one movie
of a 60-shot cut (two gaps, a version shorter than its cut), moved by seeded random seeks
anywhere in the cut, single steps forward and back through the cut view's buttons (across cuts)
and jumps onto a cut's first frame or the frame before it; each picture the page's ``<video>``
holds read back from its coded number and the page's record timecode, shot and version frame
held to the cut's own timing (tests/web/cut_truth.py, as tests/web/test_cut_truth.py does with
a few dozen moves).

    .venv/bin/python bench/bench_cut_truth.py --moves 10000

Prints, per browser, the moves read, the wrong reads (must be 0; the first ten printed), the
time they took and the share of pictures that were not there at once (a picture read late:
the right one came, later). Exits 1 when any read was wrong.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any, Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_cut import BROWSERS  # noqa: E402
from cut_conform import built  # noqa: E402
from embedded_server import KEY, USER, Server  # noqa: E402
from web.cut_checks import LAST, build_cut_session, expected_frames, plan_cut  # noqa: E402
from web.cut_truth import (  # noqa: E402
    FILM_SHOWN,
    OPEN_FILM,
    Mapping,
    cut_moves,
    cut_truth,
    session_mapping,
)
from web.feedback_fixtures import Page as Link  # noqa: E402
from web.frame_code import RATE  # noqa: E402

log = logging.getLogger("bench_cut_truth")


def run(name: str, page: Any, url: str, shots: List[Any], mapping: Mapping, moves: int,
        seed: int) -> bool:  # fmt: skip
    """Open the cut in its movie on ``page`` (bench_cut.Page) and read ``moves`` moves; print
    what was read and wrong; whether all were right."""
    frames, starts = expected_frames(shots)
    start = shots[0].record_in
    cuts = [start + at for at in starts[1:]]
    assert page.goto(url) == 200
    page.wait("document.querySelector('main.items').dataset.cutFilm === 'ready'")
    page.evaluate(OPEN_FILM)
    page.wait(FILM_SHOWN)
    plan = cut_moves(seed, moves, start, start + len(frames), cuts)
    started = time.monotonic()
    shown_by: Dict[str, int] = {}
    read, wrong = cut_truth(page.evaluate, plan, start, frames, mapping, RATE, shown_by=shown_by)
    took = time.monotonic() - started
    kinds = {kind: sum(1 for k, _ in plan if k == kind) for kind, _ in plan}
    print(f"{name:9} {len(shots)} shots  {read:6d} of {moves} moves read  {len(wrong):3d} "
          f"wrong  {took:7.1f} s ({1000 * took / max(1, read):.0f} ms a move); moves {kinds}; "
          f"picture known {shown_by}",
          flush=True)  # fmt: skip
    for line in wrong[:10]:
        print(f"    {line}")
    return read == moves and not wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=10_000, help="per browser")
    parser.add_argument("--shots", type=int, default=60)
    parser.add_argument("--browsers", default="chromium,firefox")
    parser.add_argument("--seed", type=int, default=59)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    for noisy in ("ft_dcc", "urllib3", "ftrack_api", "pyblish"):  # the publishes' own progress
        logging.getLogger(noisy).setLevel(logging.WARNING)
    shots = plan_cut(args.shots, seed_gap_after=(2, args.shots // 2))
    with tempfile.TemporaryDirectory(prefix="bench_cut_truth_") as temp:
        base = Path(temp)
        server = Server(base)
        try:
            credentials = types.SimpleNamespace(url=server.url, api_key=KEY, api_user=USER,
                                                data_dir=base / "data")  # fmt: skip
            made = build_cut_session(credentials, base / "cut", shots, name="Long cut")
            took, state = built(made["url"])
            log.info("%d-shot cut conformed in %.1f s: %s", len(shots), took, state["state"])
            plan = Link(made["url"]).get("/cut").json()
            mapping = session_mapping(credentials, made["session_id"], plan, LAST)
            failed = False
            for name in args.browsers.split(","):
                with BROWSERS[name](base) as page:
                    right = run(name, page, made["url"], shots, mapping, args.moves, args.seed)
                    failed = failed or not right
        finally:
            server.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
