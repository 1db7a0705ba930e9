"""The server CPU of the review page's reads of a big session: its first HTML, its items (the
page's asset groups as data) and its feedback, for a session of ``--versions`` versions (3 notes
each) against one of ``--small``, in the same run.

Usage: ``.venv/bin/python bench/bench_review_items.py [--versions 300] [--small 10]
[--repeat 15] [--profile [--sort tottime]]``

The server's own app runs in this process (``create_app`` behind Starlette's TestClient, a
temporary data dir, SQLite), the sessions built through its ``/api`` in one batch each
(tests/web/test_big_session_build.py), opened through the room link. Each request's CPU is this
process's (``time.process_time``, every thread: the app answers in its thread pool; the
client's side of a TestClient request is a small constant beside it). Prints the median and
p95 of each, the ratio big/small, the load average, and one JSON line; ``--profile`` prints
cProfile's top functions of the items' read (``ReviewData.session``) of the big session. No
timing is asserted anywhere: a benchmark.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from starlette.testclient import TestClient  # noqa: E402
from web.test_big_session_build import Api, Media, build_session, widget_url  # noqa: E402

from ft_dcc.server.app import create_app  # noqa: E402
from ft_dcc.server.review.reads.data import ReviewData  # noqa: E402
from ft_dcc.server.review.render.html import page_of  # noqa: E402
from ft_dcc.server.runtime.config import ServerConfig  # noqa: E402

USER, KEY = "admin", "k" * 32


class InProcessApi(Api):
    """``/api`` of the app in this process."""

    def __init__(self, client: TestClient) -> None:
        super().__init__("", USER, KEY)
        self.client = client

    def __call__(self, operations: List[Dict[str, Any]]) -> List[Any]:
        reply = self.client.post("/api", json=operations, headers=self.headers)
        assert reply.status_code == 200, reply.text[:2000]
        return list(reply.json())


def cpu_ms(work: Callable[[], Any]) -> float:
    start = time.process_time()
    work()
    return (time.process_time() - start) * 1000


def routes(client: TestClient, link: str) -> Dict[str, Callable[[], Any]]:
    """The review page's reads through ``link``: its page, its first page of items, its
    feedback."""
    parsed = urlparse(link)
    path, token = parsed.path.rstrip("/"), parse_qs(parsed.query)["token"][0]

    def get(url: str) -> Callable[[], Any]:
        def run() -> Any:
            reply = client.get(url)
            assert reply.status_code == 200, (url, reply.status_code, reply.text[:500])
            return reply

        return run

    return {
        "page": get(f"{path}?token={token}"),
        "items": get(f"{path}/items?token={token}&from=0"),
        "feedback": get(f"{path}/feedback?token={token}"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--versions", type=int, default=300)
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the items' read (ReviewData.session) of the big session")
    parser.add_argument("--sort", default="cumulative", help="cProfile's order (tottime...)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-review-items-") as folder:
        data = Path(folder) / "data"
        app = create_app(ServerConfig(data_dir=data),
                         {"FTRACK_API_USER": USER, "FTRACK_API_KEY": KEY})  # fmt: skip
        with TestClient(app, base_url="http://127.0.0.1") as client:
            api = InProcessApi(client)
            media = Media(Path(folder) / "media", data)
            sizes = {"big": args.versions, "small": args.small}
            built = {size: build_session(api, media, n).review_session_id
                     for size, n in sizes.items()}  # fmt: skip
            asked = {size: routes(client, widget_url(api, built[size], False)) for size in sizes}
            for route in asked["big"].values():  # warm: imports, caches, the first compile
                route()
            times: Dict[str, Dict[str, List[float]]] = {s: {r: [] for r in asked[s]} for s in sizes}
            for _ in range(args.repeat):
                for size in sizes:
                    for route, run in asked[size].items():
                        times[size][route].append(cpu_ms(run))
            if args.profile:  # the route's read, in this thread (cProfile sees one thread)
                server = app.state.server
                data = ReviewData(server.ctx.execute, server.seed.user_id)
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(5):
                    data.session(built["big"], page_of(0))
                profile.disable()
                stats = pstats.Stats(profile).sort_stats(args.sort)
                stats.print_stats(40)
                if os.environ.get("BENCH_CALLERS"):
                    stats.print_callers(os.environ["BENCH_CALLERS"])
    result: Dict[str, Any] = {"versions": sizes, "load": os.getloadavg()}
    print(f"review page reads, server CPU ms (median / p95 of {args.repeat}; in-process app, "
          "SQLite)")  # fmt: skip
    for route in times["big"]:
        row = {}
        for size in sizes:
            values = sorted(times[size][route])
            row[size] = (statistics.median(values), values[int(0.95 * (len(values) - 1))])
        ratio = row["big"][0] / row["small"][0] if row["small"][0] else float("nan")
        print(f"  {route:9s} {args.versions} versions {row['big'][0]:7.1f} / {row['big'][1]:7.1f}"
              f"   {args.small} versions {row['small'][0]:6.1f} / {row['small'][1]:6.1f}"
              f"   x{ratio:.2f}")  # fmt: skip
        result[route] = {size: {"p50": row[size][0], "p95": row[size][1]} for size in sizes}
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
