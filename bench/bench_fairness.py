"""Fair to others: one user's big work and another user's small requests, same server, same run.

Usage: ``.venv/bin/python bench/bench_fairness.py [--creates 5000] [--notes 40] [--readers 2]
[--database postgresql://…] [--workers 4]``

Starts ``ft-dcc server`` on a free 127.0.0.1 port with a temporary data dir (SQLite unless
``--database``), adds a second API user ("other") and a task for their notes. Then:

- **bulk commit**: the genuine ``ftrack_api`` client creates a project and ``--creates``-1 shots
  and commits them in ONE ``session.commit()``: its wall time. Meanwhile "other" writes one note
  per request, back to back, until the commit ends: their p50/p95/max latency, as a ratio to the
  same notes written with nothing else running (the baseline, measured first in the same run);
- **heavy reads**: ``--readers`` clients each post the hostile body of 3,000 read queries (each
  asking for every Shot with its attributes), twice in a row, while "other" writes notes: the
  server's peak RSS (from ``/proc``, sampled every 50 ms) over its RSS before, the replies' sizes
  and statuses, and "other"'s p50/p95 as a ratio to the baseline.

Prints each figure, then one JSON line. No timing is asserted anywhere: this is a benchmark.
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
from typing import Any, Callable, Dict, List, Optional

import requests
from embedded_server import KEY, USER, Server

OTHER = "other.user"


def post(url: str, operations: List[Dict[str, Any]], user: str, key: str) -> requests.Response:
    headers = {"ftrack-user": user, "ftrack-api-key": key, "ftrack-strict-api": "true"}
    return requests.post(url + "/api", json=operations, headers=headers, timeout=600)


def create(entity_type: str, **data: Any) -> Dict[str, Any]:
    data.setdefault("id", str(uuid.uuid4()))
    return {"action": "create", "entity_type": entity_type, "entity_key": [data["id"]],
            "entity_data": dict(data, __entity_type__=entity_type)}  # fmt: skip


def add_other_user(url: str) -> str:
    """Creates the second API user (a plain User) and returns their key."""
    made = create("User", username=OTHER)
    post(url, [made], USER, KEY).raise_for_status()
    reset = {"action": "reset_remote", "reset_type": "api_key", "entity_type": "User",
             "entity_key": made["entity_key"]}  # fmt: skip
    reply = post(url, [reset], USER, KEY)
    reply.raise_for_status()
    return str(reply.json()[0]["data"]["api_key"])


def seed_task(url: str, shots: int) -> str:
    """A project with ``shots`` shots (what the heavy reads read) and a task; the task's id."""
    project, task = str(uuid.uuid4()), str(uuid.uuid4())
    name = "fair_" + project[:8]
    batch = [create("Project", id=project, name=name, full_name=name)]
    batch += [create("Shot", name=f"sh{i:04d}", parent_id=project, description="x" * 40)
              for i in range(shots)]  # fmt: skip
    batch.append(create("Task", id=task, name="comp", parent_id=batch[1]["entity_key"][0]))
    post(url, batch, USER, KEY).raise_for_status()
    return task


class NoteWriter:
    """ "other" writing one note per request, back to back, in a thread, until stopped."""

    def __init__(self, url: str, key: str, task_id: str) -> None:
        self.url, self.key, self.task_id = url, key, task_id
        self.latencies: List[float] = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def write_one(self) -> None:
        note = create("Note", content="still here", parent_id=self.task_id, parent_type="Task")
        started = time.perf_counter()
        reply = post(self.url, [note], OTHER, self.key)
        self.latencies.append(time.perf_counter() - started)
        self.failures += reply.status_code != 200

    def _run(self) -> None:
        while not self._stop.is_set():
            self.write_one()

    def __enter__(self) -> NoteWriter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def figures(latencies: List[float]) -> Dict[str, float]:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(ordered), "p50_s": statistics.median(ordered), "p95_s": p95,
            "max_s": ordered[-1]}  # fmt: skip


def baseline(url: str, key: str, task_id: str, notes: int) -> Dict[str, float]:
    writer = NoteWriter(url, key, task_id)
    for _ in range(notes):
        writer.write_one()
    return figures(writer.latencies)


def bulk_commit(url: str, creates: int, cache_dir: str) -> float:
    """The genuine client's ONE commit of ``creates`` creates: its wall time (s)."""
    import ftrack_api

    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    session = ftrack_api.Session(server_url=url, api_key=KEY, api_user=USER,
                                 schema_cache_path=cache_dir, plugin_paths=[],
                                 auto_connect_event_hub=False, timeout=900)  # fmt: skip
    try:
        name = "bulk_" + uuid.uuid4().hex[:8]
        schema = session.query("ProjectSchema").first()
        project = session.create(
            "Project", {"name": name, "full_name": name, "project_schema": schema}
        )
        for index in range(creates - 1):
            session.create("Shot", {"name": f"sh{index:05d}", "parent": project})
        started = time.perf_counter()
        session.commit()
        return time.perf_counter() - started
    finally:
        session.close()


def rss_bytes(pid: int) -> int:
    """The resident set of process ``pid`` and its children (the ``--workers`` processes)."""
    total = 0
    for each in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def children(pid: int) -> List[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(part) for part in text.split()]


def hostile_body(queries: int) -> List[Dict[str, Any]]:
    expression = "select id, name, description, parent_id, project_id from Shot"
    return [{"action": "query", "expression": expression}] * queries


def heavy_reads(server: Server, readers: int, queries: int) -> Dict[str, Any]:
    """``readers`` clients posting the hostile body twice each; peak RSS and the replies."""
    body = hostile_body(queries)
    replies: List[Dict[str, Any]] = []
    peak = [rss_bytes(server.process.pid)]
    before = peak[0]
    done = threading.Event()

    def read() -> None:
        for _ in range(2):
            reply = post(server.url, body, USER, KEY)
            replies.append({"status": reply.status_code, "bytes": len(reply.content)})

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss_bytes(server.process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    sampler.join()
    return {"rss_before_mb": before / 2**20, "rss_peak_mb": peak[0] / 2**20,
            "rss_growth_mb": (peak[0] - before) / 2**20, "replies": replies,
            "body_kb": len(json.dumps(body)) / 1024}  # fmt: skip


def during(make: Callable[[], Any], url: str, key: str, task_id: str) -> Dict[str, Any]:
    with NoteWriter(url, key, task_id) as writer:
        result = make()
    return {"result": result, "other": figures(writer.latencies) if writer.latencies else None,
            "other_failures": writer.failures}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=5000)
    parser.add_argument("--notes", type=int, default=40)
    parser.add_argument("--readers", type=int, default=2)
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--shots", type=int, default=300)
    parser.add_argument("--database", default=None)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-fairness-"))
    extra: List[str] = ["--database", args.database] if args.database else []
    extra += ["--workers", str(args.workers)] if args.workers > 1 else []
    server = Server(base, extra)
    try:
        key = add_other_user(server.url)
        task_id = seed_task(server.url, args.shots)
        base_line = baseline(server.url, key, task_id, args.notes)
        bulk = during(lambda: bulk_commit(server.url, args.creates, str(base / "cache")),
                      server.url, key, task_id)  # fmt: skip
        reads = during(lambda: heavy_reads(server, args.readers, args.queries),
                       server.url, key, task_id)  # fmt: skip
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
    report(args, base_line, bulk, reads)
    return 0


def ratio(case: Dict[str, Any], base_line: Dict[str, float], key: str) -> Optional[float]:
    other = case["other"]
    return None if other is None else other[key] / base_line[key]


def report(args: Any, base_line: Dict[str, float], bulk: Dict[str, Any],
           reads: Dict[str, Any]) -> None:  # fmt: skip
    print(f"python {sys.version.split()[0]}, {args.database or 'sqlite'}, workers {args.workers}")
    print(
        f"baseline: other's note p50 {base_line['p50_s'] * 1000:.1f} ms, "
        f"p95 {base_line['p95_s'] * 1000:.1f} ms ({base_line['n']} notes)"
    )
    print(
        f"bulk commit of {args.creates} creates: {bulk['result']:.2f} s; other's note during it: "
        f"{describe(bulk)} (p95 {ratio(bulk, base_line, 'p95_s') or 0:.1f}x baseline)"
    )
    result = reads["result"]
    print(
        f"heavy reads ({args.readers} x 2 bodies of {args.queries} queries, "
        f"{result['body_kb']:.0f} kB each): server RSS {result['rss_before_mb']:.0f} -> peak "
        f"{result['rss_peak_mb']:.0f} MB (+{result['rss_growth_mb']:.0f}); replies "
        f"{sorted({(r['status'], r['bytes']) for r in result['replies']})}; other's note: "
        f"{describe(reads)} (p95 {ratio(reads, base_line, 'p95_s') or 0:.1f}x baseline)"
    )
    print(json.dumps({"baseline": base_line, "bulk": bulk, "reads": reads}))


def describe(case: Dict[str, Any]) -> str:
    other = case["other"]
    if other is None:
        return "no note finished"
    return (
        f"p50 {other['p50_s'] * 1000:.0f} ms, p95 {other['p95_s'] * 1000:.0f} ms, max "
        f"{other['max_s'] * 1000:.0f} ms, {other['n']} notes, {case['other_failures']} failed"
    )


if __name__ == "__main__":
    raise SystemExit(main())
