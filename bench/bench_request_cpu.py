"""A server's CPU per ``/api`` request: this working tree against a baseline revision, side by
side on one machine.

Usage: ``.venv/bin/python bench/bench_request_cpu.py [--baseline HEAD] [--batches 20]
[--batch 50] [--notes]``

This machine's own speed moves a figure by 10-25 % between two runs minutes apart, more than
most changes to the request path; one server measured after the other cannot tell them apart.
So two SQLite servers run at once, the baseline's (``git worktree add`` of ``--baseline``, run
from there) and this tree's, each on a free 127.0.0.1 port, and the requests alternate between
them in batches of ``--batch`` (the order flipped every batch): both see the same machine. Each
request is one ``/api`` call of two queries, a project and the tasks with their status, sent
with the API key in the headers as every client sends it; with ``--notes`` each request writes
a note on a version instead (a write that leaves a notice: the notifier thread's work after it
is the server's CPU too, and no mail nor webhook is set up, as on most studios' servers and
every test's). The server's CPU (user + system,
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
import uuid
from pathlib import Path
from typing import Callable, Dict, List

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


#: a server's request body, made for that server (``--notes``: on its version)
Body = Callable[[], str]


def api(server: Server, http: requests.Session, body: str) -> List[Dict[str, object]]:
    reply = http.post(server.url + "/api", headers=HEADERS, data=body, timeout=60)
    reply.raise_for_status()
    return list(reply.json())


def note_body(server: Server, http: requests.Session) -> Body:
    """A note on a new version of ``server`` for each request (``--notes``)."""
    answers = api(server, http, json.dumps([
        {"action": "query", "expression": "select id from ProjectSchema"},
        {"action": "query", "expression": "select id from AssetType"}]))  # fmt: skip
    schema, kind = (answer["data"][0]["id"] for answer in answers)  # type: ignore[index]
    project, shot, asset, version = (str(uuid.uuid4()) for _ in range(4))
    api(server, http, json.dumps([
        {"action": "create", "entity_type": "Project", "entity_data": {
            "id": project, "name": "p" + project[:6], "full_name": "Bench",
            "project_schema_id": schema}},
        {"action": "create", "entity_type": "Shot", "entity_data": {
            "id": shot, "name": "sh010", "parent_id": project}},
        {"action": "create", "entity_type": "Asset", "entity_data": {
            "id": asset, "name": "comp", "context_id": shot, "type_id": kind}},
        {"action": "create", "entity_type": "AssetVersion", "entity_data": {
            "id": version, "asset_id": asset}}]))  # fmt: skip
    note = {"content": "looks good", "parent_id": version, "parent_type": "AssetVersion"}
    return lambda: json.dumps([{"action": "create", "entity_type": "Note", "entity_data": note}])


def batch(server: Server, http: requests.Session, count: int, body: Body) -> float:
    """The server's CPU for ``count`` requests."""
    before = server_cpu(server)
    for _ in range(count):
        api(server, http, body())
    return server_cpu(server) - before


def measure(
    servers: Dict[str, Server], batches: int, size: int, notes: bool = False
) -> Dict[str, float]:
    """CPU-s per request of each server, the batches alternated."""
    http = requests.Session()
    bodies: Dict[str, Body] = {}
    for name, server in servers.items():
        bodies[name] = note_body(server, http) if notes else lambda: BODY
        batch(server, http, 20, bodies[name])  # warm: the query parser, the statement caches
    used = dict.fromkeys(servers, 0.0)
    names: List[str] = list(servers)
    for index in range(batches):
        for name in names if index % 2 == 0 else names[::-1]:
            used[name] += batch(servers[name], http, size, bodies[name])
    return {name: total / (batches * size) for name, total in used.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="HEAD", help="the git revision to compare with")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch", type=int, default=50, help="requests per batch")
    parser.add_argument("--notes", action="store_true", help="each request writes a note")
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
        per_request = measure(servers, args.batches, args.batch, args.notes)
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
    print(json.dumps({"baseline": args.baseline, "notes": args.notes,
                      "ms_per_request": milliseconds, "ratio": round(ratio, 3)}))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
