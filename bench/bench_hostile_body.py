"""Another user's latency while worst-case bodies are processed, as a ratio to the same requests
with nothing else running (measured first, in the same run).

Usage: ``.venv/bin/python bench/bench_hostile_body.py [--requests 200] [--hostile 3]
[--letters 16000] [--quotes-kb 64] [--forwarded 12000] [--postgres] [--tree PATH]``

Starts ``ft-dcc server`` on a free 127.0.0.1 port (SQLite; ``--postgres``: a throwaway cluster
and ``--workers 4``; ``--tree``: the ft_dcc of another source tree, e.g. ``git worktree add
/tmp/before 22072ab~1`` to see the server before "work bounded before it is done"). Then "other"
(a second User) sends ``--requests`` small queries back to back, first alone (the baseline), then
while "alice" sends ``--hostile`` rounds of the worst-case bodies of each kind, one after the
other, from two threads:

- **availability**: a review session whose ``availability`` is ``--letters`` letters (the audit
  trail scrubs it for secrets; the server holds the GIL while it does);
- **quotes**: an unterminated JSON string of ``--quotes-kb`` KB of escaped quotes (the depth
  check's scan);
- **forwarded**: a session made with an ``X-Forwarded-For`` of ``--forwarded`` letters (believed
  from 127.0.0.1 before ``--forwarded-allow-ips``: the audit trail's source).

Prints other's p50/p95/max in both phases and p95 hostile/idle, each hostile body's reply time,
then one JSON line. Nothing is asserted: this is a benchmark.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List

import requests
from bench_fairness import add_other_user, create, post
from embedded_server import KEY, USER, Server

OTHER = "other.user"
QUERY = [{"action": "query", "expression": "select id, name from Project limit 5"}]


def hostile_bodies(
    url: str, project: str, options: argparse.Namespace
) -> Dict[str, Callable[[], requests.Response]]:
    """The worst-case bodies, each a call that sends one ("alice": the administrator's own key
    here; an ordinary User gets the same work done)."""
    headers = {"ftrack-user": USER, "ftrack-api-key": KEY, "ftrack-strict-api": "true",
               "content-type": "application/json"}  # fmt: skip

    def availability() -> requests.Response:
        text = "a" * options.letters
        made = create("ReviewSession", name="h", project_id=project, availability=text)
        return requests.post(url + "/api", json=[made], headers=headers, timeout=600)

    def quotes() -> requests.Response:
        body = b'["' + b'\\"' * (options.quotes_kb * 512)
        return requests.post(url + "/api", data=body, headers=headers, timeout=600)

    def forwarded() -> requests.Response:
        made = create("ReviewSession", name="f", project_id=project)
        claim = dict(headers, **{"x-forwarded-for": "a" * options.forwarded})
        return requests.post(url + "/api", json=[made], headers=claim, timeout=600)

    return {"availability": availability, "quotes": quotes, "forwarded": forwarded}


def latencies(url: str, key: str, count: int) -> List[float]:
    """Seconds of each of ``count`` small queries by "other", back to back."""
    found = []
    for _ in range(count):
        started = time.monotonic()
        post(url, QUERY, OTHER, key).raise_for_status()
        found.append(time.monotonic() - started)
    return found


def summary(values: List[float]) -> Dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return {"n": len(ordered), "p50_ms": round(1000 * statistics.median(ordered), 1),
            "p95_ms": round(1000 * p95, 1), "max_ms": round(1000 * ordered[-1], 1)}  # fmt: skip


def hostile_phase(url: str, key: str, project: str, options: argparse.Namespace) -> Dict[str, Any]:
    """Other's latencies while two threads send the hostile bodies; each body's reply time."""
    bodies = hostile_bodies(url, project, options)
    replies: Dict[str, List[Any]] = {name: [] for name in bodies}

    def attack() -> None:
        for _ in range(options.hostile):
            for name, send in bodies.items():
                started = time.monotonic()
                status = send().status_code
                replies[name].append((round(1000 * (time.monotonic() - started)), status))

    attackers = [threading.Thread(target=attack, daemon=True) for _ in range(2)]
    for thread in attackers:
        thread.start()
    measured: List[float] = []
    while any(thread.is_alive() for thread in attackers):
        measured += latencies(url, key, 10)
    for thread in attackers:
        thread.join()
    return {"other": summary(measured), "bodies": replies}


def run(options: argparse.Namespace, base: Path, args: List[str]) -> Dict[str, Any]:
    server = Server(base, args, tree=Path(options.tree) if options.tree else None)
    try:
        key = add_other_user(server.url)
        project = create("Project", name="p" + uuid.uuid4().hex[:8], full_name="P")
        post(server.url, [project], USER, KEY).raise_for_status()
        latencies(server.url, key, 20)  # warm up
        idle = summary(latencies(server.url, key, options.requests))
        hostile = hostile_phase(server.url, key, project["entity_key"][0], options)
        ratio = hostile["other"]["p95_ms"] / max(idle["p95_ms"], 0.001)
        return {"idle": idle, "hostile": hostile, "p95_ratio": round(ratio, 1)}
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="other's idle queries")
    parser.add_argument("--hostile", type=int, default=3, help="rounds of hostile bodies")
    parser.add_argument("--letters", type=int, default=16_000, help="the availability's length")
    parser.add_argument("--quotes-kb", type=int, default=64, help="the escaped quotes' size")
    parser.add_argument("--forwarded", type=int, default=12_000,
                        help="the X-Forwarded-For's length")  # fmt: skip
    parser.add_argument("--postgres", action="store_true", help="a throwaway cluster, 4 workers")
    parser.add_argument("--tree", help="serve the ft_dcc of this source tree")
    options = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="hostile-body-"))
    cluster = None
    try:
        args: List[str] = []
        if options.postgres:
            from bench_revocation import throwaway_postgres

            cluster = throwaway_postgres()
            if cluster is None:
                print("no PostgreSQL binaries installed", file=sys.stderr)
                return 1
            args = ["--database", cluster.create_database("hostilebody"), "--workers", "4"]
        result = run(options, base, args)
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(base, ignore_errors=True)
    idle, other = result["idle"], result["hostile"]["other"]
    print(f"other, idle:    p50 {idle['p50_ms']} ms, p95 {idle['p95_ms']} ms, max {idle['max_ms']} "
          f"ms ({idle['n']} queries)")  # fmt: skip
    print(f"other, hostile: p50 {other['p50_ms']} ms, p95 {other['p95_ms']} ms, max "
          f"{other['max_ms']} ms ({other['n']} queries); p95 hostile/idle {result['p95_ratio']}")
    for name, replies in result["hostile"]["bodies"].items():
        print(f"  {name:12s} replies (ms, status): {replies}")
    print(json.dumps({"bench": "hostile_body", "postgres": options.postgres,
                      "tree": options.tree, **result}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
