"""Benchmark the hosts' "Open notes" read (``ft_dcc.host.open_notes``, ``ft-dcc review notes``):
what listing a task's open to-dos costs as they grow.

Usage: ``.venv/bin/python bench/bench_open_notes.py [--notes 20] [--scale 10] [--repeat 5]``

Starts ``ft-dcc server`` on a free 127.0.0.1 port, publishes v001 of a small sequence, writes
``--notes`` to-dos on it and reads them as a host panel does (a fresh session whose start rides
with the read), ``--repeat`` times; then writes more to-dos up to ``--notes`` x ``--scale`` and
reads again. Measured in the same run: the ``/api`` requests the server logged per read (the
claim: one, whatever the number of notes) and the wall time, printed as medians and the ratio
big/small. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import List, Tuple

from bench_addresses import _publish, _todos, review_objects
from bench_publish import make_sequence, make_task
from embedded_server import KEY, USER, Server


def _read(server: Server, task_id: str, work: Path, count: int) -> Tuple[int, float]:
    from ft_dcc.host.open_notes import fetch_open_notes
    from ft_dcc.session import Session

    before = server.api_requests()
    started = time.perf_counter()
    found = fetch_open_notes(task_id, lambda: Session(
        server.url, KEY, USER, schema_cache_path=str(work / "cache"), plugin_paths=[],
        defer_start=True))  # fmt: skip
    took = time.perf_counter() - started
    assert len(found.notes) == count, (len(found.notes), found.message)
    time.sleep(0.2)  # the request log is written as each request ends
    return server.api_requests() - before, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        server = Server(base)
        try:
            pattern = make_sequence(base / "frames", 12, "320x180")
            task_id = make_task(server.url, base / "cache", 12)
            _publish(server, task_id, pattern, base / "v001")
            [object_id] = review_objects(server, task_id, base)
            _todos(server, object_id, args.notes, base)
            small: List[Tuple[int, float]] = [
                _read(server, task_id, base, args.notes) for _ in range(args.repeat)
            ]
            _todos(server, object_id, args.notes * (args.scale - 1), base)
            big = args.notes * args.scale
            large = [_read(server, task_id, base, big) for _ in range(args.repeat)]
        finally:
            server.stop()
    for count, runs in ((args.notes, small), (big, large)):
        requests = statistics.median(r for r, _ in runs)
        seconds = statistics.median(t for _, t in runs)
        print(f"{count:>5} open to-dos: {requests:.0f} /api request(s), {seconds:.3f} s "
              f"(median of {len(runs)})")  # fmt: skip
    ratio = statistics.median(t for _, t in large) / statistics.median(t for _, t in small)
    print(f"x{args.scale} the notes: time x{ratio:.2f}")


if __name__ == "__main__":
    main()
