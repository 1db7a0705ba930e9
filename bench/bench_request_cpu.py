"""A server's CPU per ``/api`` request: this working tree against a baseline revision, side by
side on one machine.

Usage: ``.venv/bin/python bench/bench_request_cpu.py [--baseline HEAD] [--batches 20]
[--batch 50]``

This machine's own speed moves a figure by 10-25 % between two runs minutes apart, more than
most changes to the request path; one server measured after the other cannot tell them apart.
So two SQLite servers run at once, the baseline's (``git worktree add`` of ``--baseline``, run
from there) and this tree's, each on a free 127.0.0.1 port, and the requests alternate between
them in batches of ``--batch`` (the order flipped every batch): both see the same machine. Each
request is one ``/api`` call of two queries, a project and the tasks with their status, sent
with the API key in the headers as every client sends it. The server's CPU (user + system,
from ``/proc``) is read around each batch. Prints each server's CPU per request and the ratio
this tree / baseline (< 1: this tree costs less), then one JSON line. With the same code on
both sides the ratio comes out within 2 % of 1. Linux only; needs ``git``. No timing is
asserted anywhere: a benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import requests
from embedded_server import KEY, USER, free_port

ROOT = Path(__file__).resolve().parents[1]
BODY = json.dumps([
    {"action": "query", "expression": "select id, name from Project limit 5"},
    {"action": "query", "expression": "select id, name, status.name from Task"},
])  # fmt: skip
HEADERS = {"ftrack-user": USER, "ftrack-api-key": KEY, "Content-Type": "application/json"}


class SideServer:
    """``python -m ft_dcc server`` run from ``tree`` (its ft_dcc is imported, not ours)."""

    def __init__(self, tree: Path, data: Path) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        env = dict(os.environ, FTRACK_API_USER=USER, FTRACK_API_KEY=KEY, PYTHONPATH=str(tree))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ft_dcc", "server", "--data", str(data),
             "--port", self.url.rsplit(":", 1)[1]],
            cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                requests.get(self.url + "/", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(f"the server from {tree} did not start")

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def batch(self, http: requests.Session, count: int) -> float:
        """The server's CPU for ``count`` requests."""
        before = self.cpu()
        for _ in range(count):
            reply = http.post(self.url + "/api", headers=HEADERS, data=BODY, timeout=60)
            reply.raise_for_status()
        return self.cpu() - before

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def measure(servers: Dict[str, SideServer], batches: int, size: int) -> Dict[str, float]:
    """CPU-s per request of each server, the batches alternated."""
    http = requests.Session()
    for server in servers.values():
        server.batch(http, 20)  # warm: the query parser, the statement caches
    used = dict.fromkeys(servers, 0.0)
    names: List[str] = list(servers)
    for index in range(batches):
        for name in names if index % 2 == 0 else names[::-1]:
            used[name] += servers[name].batch(http, size)
    return {name: total / (batches * size) for name, total in used.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="HEAD", help="the git revision to compare with")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch", type=int, default=50, help="requests per batch")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ft_dcc_bench_cpu_"))
    baseline = work / "baseline"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(baseline),
                    args.baseline], check=True)  # fmt: skip
    servers: Dict[str, SideServer] = {}
    try:
        servers["baseline"] = SideServer(baseline, work / "baseline-data")
        servers["this tree"] = SideServer(ROOT, work / "tree-data")
        per_request = measure(servers, args.batches, args.batch)
    finally:
        for server in servers.values():
            server.stop()
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(baseline)],
                       check=False)  # fmt: skip
        shutil.rmtree(work, ignore_errors=True)
    ratio = per_request["this tree"] / per_request["baseline"]
    for name, cpu in per_request.items():
        print(f"{name:>10}: {cpu * 1000:.3f} ms of server CPU a request")
    print(f"this tree / baseline ({args.baseline}): {ratio:.3f}")
    milliseconds = {name: round(cpu * 1000, 3) for name, cpu in per_request.items()}
    print(json.dumps({"baseline": args.baseline, "ms_per_request": milliseconds,
                      "ratio": round(ratio, 3)}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
