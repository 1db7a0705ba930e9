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
from pathlib import Path
from typing import Dict, List

import requests
from embedded_server import KEY, USER, Server

ROOT = Path(__file__).resolve().parents[1]
BODY = json.dumps([
    {"action": "query", "expression": "select id, name from Project limit 5"},
    {"action": "query", "expression": "select id, name, status.name from Task"},
])  # fmt: skip
HEADERS = {"ftrack-user": USER, "ftrack-api-key": KEY, "Content-Type": "application/json"}


def server_cpu(server: Server) -> float:
    """The server process's CPU so far (user + system, from ``/proc``)."""
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def batch(server: Server, http: requests.Session, count: int) -> float:
    """The server's CPU for ``count`` requests."""
    before = server_cpu(server)
    for _ in range(count):
        reply = http.post(server.url + "/api", headers=HEADERS, data=BODY, timeout=60)
        reply.raise_for_status()
    return server_cpu(server) - before


def measure(servers: Dict[str, Server], batches: int, size: int) -> Dict[str, float]:
    """CPU-s per request of each server, the batches alternated."""
    http = requests.Session()
    for server in servers.values():
        batch(server, http, 20)  # warm: the query parser, the statement caches
    used = dict.fromkeys(servers, 0.0)
    names: List[str] = list(servers)
    for index in range(batches):
        for name in names if index % 2 == 0 else names[::-1]:
            used[name] += batch(servers[name], http, size)
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
    servers: Dict[str, Server] = {}
    try:
        for name, tree in (("baseline", baseline), ("this tree", ROOT)):
            base = work / f"{name.replace(' ', '-')}-server"
            base.mkdir()
            servers[name] = Server(base, tree=tree)
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
