"""A TD's bulk import: the server's time per create in one big ``/api`` batch, in one run.

Usage: ``.venv/bin/python bench/bench_bulk_commit.py [--big 5000] [--small 500] [--singles 100]
[--sqlite-only] [--tree BASELINE_WORKTREE]``

``--tree``: serve the ft_dcc of that source tree (e.g. ``git worktree add /tmp/base main~3``),
the baseline to compare with in turn (``PYTHONPATH`` alone does not do it: the server starts in
this tree, whose ``ft_dcc`` comes first).

For SQLite / 1 worker and PostgreSQL / 4 workers (a throwaway cluster, as in the tests) it
starts a real ``ft-dcc server`` and sends, over HTTP, the batch the genuine ``ftrack_api`` client
sends for ``session.commit()`` of a new project and its shots (each create carries ``id``,
``name``, ``object_type_id``, ``priority_id`` and ``parent``, as recorded from the client):

- ``--singles`` batches of ONE Shot create each: the baseline, a create's cost as a request;
- one batch of ``--small`` creates, then one of ``--big`` creates.

Printed per configuration: milliseconds per create of each, and the two ratios measured in the
same run (so a loaded machine shifts both sides): ``big/small`` (time per create of the big batch
over the small one; 1.0 means a create costs the same however big the import) and
``big/single`` (a create inside the big batch over a one-create request). Fails when a batch is
refused or the shots are not all there.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

import requests
from embedded_server import KEY, USER, Server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.pg_cluster import PgCluster  # the tests' throwaway cluster

HEADERS = {"ftrack-user": USER, "ftrack-api-key": KEY, "ftrack-strict-api": "true"}
#: what the genuine client sends for a new Shot (ftrack_api's defaults for Shot)
SHOT_OBJECT_TYPE = "bad911de-3bd6-47b9-8b46-3476e237cb36"
NORMAL_PRIORITY = "9661b320-3a0c-11e2-81c1-0800200c9a66"


def api(http: requests.Session, url: str, operations: List[Dict[str, Any]]) -> List[Any]:
    """The replies to ``operations``; raises when the batch is refused."""
    response = http.post(url + "/api", json=operations, headers=HEADERS, timeout=1800)
    body = response.json() if response.status_code == 200 else None
    if not isinstance(body, list) or len(body) != len(operations):
        raise RuntimeError(f"refused (HTTP {response.status_code}): {response.text[:300]}")
    return body


def create(entity_type: str, data: Dict[str, Any]) -> Dict[str, Any]:
    ident = str(uuid.uuid4())
    return {"action": "create", "entity_type": entity_type, "entity_key": [ident],
            "entity_data": dict(data, id=ident, __entity_type__=entity_type)}  # fmt: skip


def project(schema: str) -> Dict[str, Any]:
    name = "bulk_" + uuid.uuid4().hex[:8]
    return create("Project", {
        "name": name, "full_name": name, "is_global": False, "is_private": False,
        "project_schema": {"__entity_type__": "ProjectSchema", "id": schema},
    })  # fmt: skip


def shot(project_id: str, index: int) -> Dict[str, Any]:
    return create("Shot", {
        "name": f"sh{index:05d}", "object_type_id": SHOT_OBJECT_TYPE,
        "priority_id": NORMAL_PRIORITY,
        "parent": {"__entity_type__": "Project", "id": project_id},
    })  # fmt: skip


def import_batch(http: requests.Session, url: str, schema: str, creates: int) -> float:
    """Seconds to commit a new project and ``creates - 1`` shots in one batch (checked)."""
    first = project(schema)
    project_id = first["entity_key"][0]
    batch = [first] + [shot(project_id, index) for index in range(creates - 1)]
    start = time.perf_counter()
    api(http, url, batch)
    took = time.perf_counter() - start
    expression = f'select id from Shot where parent_id is "{project_id}"'
    found = api(http, url, [{"action": "query", "expression": expression}])[0]["data"]
    if len(found) != creates - 1:
        raise RuntimeError(f"{len(found)} shots stored of {creates - 1}")
    return took


def measure(name: str, base: Path, args: argparse.Namespace, extra: List[str]) -> Dict[str, Any]:
    base.mkdir(parents=True)
    server = Server(base, extra, start_timeout=120, tree=args.tree)
    try:
        http = requests.Session()
        query = [{"action": "query", "expression": "select id from ProjectSchema"}]
        schema = api(http, server.url, query)[0]["data"][0]["id"]
        import_batch(http, server.url, schema, 20)  # warm up
        first = project(schema)
        api(http, server.url, [first])
        start = time.perf_counter()
        for index in range(args.singles):
            api(http, server.url, [shot(first["entity_key"][0], index)])
        single = (time.perf_counter() - start) / args.singles
        small = import_batch(http, server.url, schema, args.small) / args.small
        big = import_batch(http, server.url, schema, args.big) / args.big
        return {"name": name, "single": single, "small": small, "big": big}
    finally:
        server.stop()


def header(args: argparse.Namespace) -> None:
    print(f"ms per create: {args.singles} one-create batches, one batch of {args.small}, "
          f"one of {args.big}\n")  # fmt: skip
    print(f"{'configuration':<26}{'single':>9}{'small':>9}{'big':>9}{'big/small':>11}"
          f"{'big/single':>12}{'big batch s':>13}", flush=True)  # fmt: skip


def report(r: Dict[str, Any], args: argparse.Namespace) -> None:
    print(f"{r['name']:<26}{r['single'] * 1e3:>9.2f}{r['small'] * 1e3:>9.2f}"
          f"{r['big'] * 1e3:>9.2f}{r['big'] / r['small']:>11.2f}"
          f"{r['big'] / r['single']:>12.3f}{r['big'] * args.big:>13.1f}", flush=True)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", type=int, default=5000, help="creates in the big batch")
    parser.add_argument("--small", type=int, default=500, help="creates in the small batch")
    parser.add_argument("--singles", type=int, default=100, help="one-create batches")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--tree", type=Path, help="serve the ft_dcc of this source tree")
    args = parser.parse_args()
    header(args)
    with tempfile.TemporaryDirectory(prefix="ft_dcc_bench_bulk_") as tmp:
        report(measure("SQLite / 1 worker", Path(tmp) / "sqlite", args, []), args)
        if args.sqlite_only:
            return 0
        cluster = PgCluster.start()
        try:
            database = cluster.create_database("bench")
            extra = ["--database", database, "--workers", str(args.workers)]
            name = f"PostgreSQL / {args.workers} workers"
            report(measure(name, Path(tmp) / "pg", args, extra), args)
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
