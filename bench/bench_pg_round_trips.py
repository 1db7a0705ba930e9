"""How many statements a ``--workers 4`` server sends PostgreSQL per request (each is a round
trip: ``BEGIN``, ``COMMIT`` and ``ROLLBACK`` count, pings too), by the database's own log.

Usage: ``.venv/bin/python bench/bench_pg_round_trips.py [--requests 40] [--tree PATH]``

Starts a throwaway cluster (the tests' PostgreSQL binaries) whose server database logs every
statement (``log_statement = all``), ``ft-dcc server --workers 4`` on it (``--tree``: the ft_dcc
of another source tree, e.g. a worktree of an older revision, to compare), and sends, as the API
user: ``--requests`` queries, as many updates of a project, and as many updates of another
User's ``is_active`` (each a revocation every worker confirms). Prints the statements of each
part per request, and one JSON line. Counted, not timed: nothing depends on the machine's speed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import requests
from bench_revocation import throwaway_postgres
from embedded_server import KEY, USER, Server

APP = "|ft_dcc server|"


def _post(server: Server, operations: List[Dict[str, Any]]) -> List[Any]:
    headers = {"ftrack-user": USER, "ftrack-api-key": KEY, "ftrack-strict-api": "true"}
    reply = requests.post(server.url + "/api", json=operations, headers=headers, timeout=60)
    reply.raise_for_status()
    return list(reply.json())


def _counted(log: Path, since: int, work: Callable[[], None]) -> int:
    """The server's statements in the cluster's log while ``work`` ran (its lines after
    ``since`` bytes, once the workers' after-effects have settled)."""
    work()
    time.sleep(1.0)  # the other workers' confirmations of a revocation come after its answer
    with open(log, "rb") as handle:
        handle.seek(since)
        text = handle.read().decode("utf-8", "replace")
    return sum(APP in line and ("statement:" in line or "execute" in line)
               for line in text.splitlines())  # fmt: skip


def measure(server: Server, log: Path, count: int) -> Dict[str, float]:
    schema = _post(server, [{"action": "query", "expression": "select id from ProjectSchema"}])
    project = str(uuid.uuid4())
    _post(server, [{"action": "create", "entity_type": "Project", "entity_data": {
        "id": project, "name": f"bench_{project[:8]}", "full_name": "Bench",
        "project_schema_id": schema[0]["data"][0]["id"]}}])  # fmt: skip
    user = str(uuid.uuid4())
    _post(server, [{"action": "create", "entity_type": "User",
                    "entity_data": {"id": user, "username": f"bench_{user[:8]}"}}])  # fmt: skip
    query = [{"action": "query", "expression": "select id, name from Project"}]
    parts: Dict[str, Callable[[], None]] = {
        "query": lambda: [_post(server, query) for _ in range(count)] and None,
        "update": lambda: [_post(server, [{
            "action": "update", "entity_type": "Project", "entity_key": [project],
            "entity_data": {"full_name": f"Bench {i}"}}]) for i in range(count)] and None,
        "revocation": lambda: [_post(server, [{
            "action": "update", "entity_type": "User", "entity_key": [user],
            "entity_data": {"is_active": i % 2 == 1}}]) for i in range(count)] and None,
    }  # fmt: skip
    figures = {}
    for name, work in parts.items():
        figures[name] = _counted(log, log.stat().st_size, work) / count
    return figures


def run(count: int, tree: Optional[Path]) -> Dict[str, float]:
    cluster = throwaway_postgres()
    if cluster is None:
        raise SystemExit("PostgreSQL's server binaries are not installed (make system-deps)")
    base = Path(tempfile.mkdtemp(prefix="ft_dcc_bench_pg_"))
    try:
        url = cluster.create_database("bench")
        name = url.rsplit("/", 1)[1]
        cluster.psql(f"ALTER DATABASE \"{name}\" SET log_statement = 'all'")
        cluster.psql("ALTER SYSTEM SET log_line_prefix = '%p|%a|'")
        cluster.psql("SELECT pg_reload_conf()")
        server = Server(base, ["--database", url, "--workers", "4"], tree=tree)
        try:
            return measure(server, cluster.log, count)
        finally:
            server.stop()
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--tree", type=Path, help="the ft_dcc source tree to serve")
    options = parser.parse_args()
    figures = run(options.requests, options.tree)
    for name, value in figures.items():
        print(f"{name}: {value:.1f} statements per request")
    print(json.dumps({"statements_per_request": figures}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
