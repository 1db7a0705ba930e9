"""Benchmark ``publish --addresses``: what addressing 20 notes costs over a plain publish.

Usage: ``.venv/bin/python bench/bench_addresses.py [--notes 20] [--repeat 3]``

Starts ``ft-dcc server`` on a free 127.0.0.1 port, publishes v001 of a small sequence, writes
``--notes`` to-dos on it, then alternates a plain publish and a publish addressing ``--notes``
of the open to-dos (``--repeat`` pairs, each pair with fresh to-dos). Measured per publish, in
the same run: the ``/api`` requests the server logged (the claim: no request more) and the wall
time; printed as medians and the ratio addressed/plain. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

from bench_publish import FPS, make_sequence, make_task
from embedded_server import KEY, USER, Server


def _publish(
    server: Server, task_id: str, pattern: Path, work: Path, **more: Any
) -> Tuple[int, float]:
    from ft_dcc.host.files import FilesHost
    from ft_dcc.publish.api import publish
    from ft_dcc.session import Session

    before = server.api_requests()
    started = time.perf_counter()
    with Session(server.url, KEY, USER, schema_cache_path=str(work / "cache"),
                 plugin_paths=[]) as session:  # fmt: skip
        report = publish(FilesHost(str(pattern), fps=FPS), task=task_id, session=session,
                         review_session_name="Bench addresses", queue_dir=work / "queue",
                         **more)  # fmt: skip
    took = time.perf_counter() - started
    assert report.ok and not report.queued, str(report)
    time.sleep(0.2)  # the request log is written as each request ends
    return server.api_requests() - before, took


def _todos(server: Server, object_id: str, count: int, work: Path) -> List[str]:
    from ft_dcc.session import Session

    with Session(server.url, KEY, USER, schema_cache_path=str(work / "cache"),
                 plugin_paths=[]) as session:  # fmt: skip
        ids = [str(uuid.uuid4()) for _ in range(count)]
        session.call([
            {"action": "create", "entity_type": "Note", "entity_key": [ident],
             "entity_data": {"__entity_type__": "Note", "id": ident, "content": f"fix {n}",
                             "is_todo": True, "parent_id": object_id,
                             "parent_type": "ReviewSessionObject"}}
            for n, ident in enumerate(ids)
        ])  # fmt: skip
    return ids


def review_objects(server: Server, task_id: str, work: Path) -> List[str]:
    """The ids of the review session objects of the task's versions."""
    from ft_dcc.session import Session

    with Session(server.url, KEY, USER, schema_cache_path=str(work / "cache"),
                 plugin_paths=[]) as session:  # fmt: skip
        found = session.query(
            f'select id from ReviewSessionObject where asset_version.task_id is "{task_id}"'
        ).all()
    return [str(obj["id"]) for obj in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        server = Server(base)
        try:
            pattern = make_sequence(base / "frames", 12, "320x180")
            task_id = make_task(server.url, base / "cache", 12)
            results: Dict[str, List[Tuple[int, float]]] = {"plain": [], "addressed": []}
            for run in range(args.repeat):
                work = base / f"run{run}"
                latest = review_objects(server, task_id, work)
                if not latest:
                    _publish(server, task_id, pattern, work)  # v001
                    continue
                todos = _todos(server, latest[0], args.notes, work)
                results["plain"].append(_publish(server, task_id, pattern, work))
                results["addressed"].append(
                    _publish(server, task_id, pattern, work, addresses=todos)
                )
        finally:
            server.stop()
    for name, runs in results.items():
        requests = statistics.median(r for r, _ in runs)
        seconds = statistics.median(t for _, t in runs)
        print(f"{name:>9}: {requests:.0f} /api requests, {seconds:.2f} s (median of {len(runs)})")
    plain = statistics.median(r for r, _ in results["plain"])
    addressed = statistics.median(r for r, _ in results["addressed"])
    ratio = statistics.median(t for _, t in results["addressed"]) / statistics.median(
        t for _, t in results["plain"]
    )
    print(f"addressing {args.notes} notes: {addressed - plain:+.0f} requests, time x{ratio:.2f}")


if __name__ == "__main__":
    main()
