"""Scale: 32 concurrent clients on SQLite/1 worker vs PostgreSQL/4 workers, in one run.

Usage: ``.venv/bin/python bench/bench_scale.py [--clients 32] [--queries 40] [--publishes 8]``

Starts a throwaway PostgreSQL cluster (Debian's ``initdb``/``pg_ctl``, as in the tests), then for
each configuration a real ``ft-dcc server`` on a free 127.0.0.1 port and a small studio (one
project, 8 shots with an asset each). Then ``--clients`` threads, each with its own HTTP
connection, run:

- queries: ``--queries`` each of a review-page-like read (versions of an asset with their
  components, task and user, newest first);
- publishes: ``--publishes`` each of a publish's server work: one read (the asset by name) and
  one commit (AssetVersion numbered by the server, FileComponent, ComponentLocation,
  ReviewSessionObject into one shared review session), all clients on the same 8 assets.

Prints throughput (operations/s over the wall time of the phase) and p50/p99 latency per
configuration, the ratios PostgreSQL/4 ÷ SQLite/1, and checks that no request failed and that
every asset's version numbers are 1..n without gaps or duplicates.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import requests
from embedded_server import KEY, USER, Server

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.pg_cluster import PgCluster  # the tests' throwaway cluster

HEADERS = {"ftrack-user": USER, "ftrack-api-key": KEY}
SERVER_LOCATION = "3a372bde-05bc-11e4-8908-20c9d081909b"


def api(http: requests.Session, url: str, operations: List[Dict[str, Any]]) -> List[Any]:
    response = http.post(url + "/api", json=operations, headers=HEADERS, timeout=120)
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")
    body = response.json()
    if not isinstance(body, list):
        raise RuntimeError(f"refused: {str(body)[:300]}")
    return body


def create(entity_type: str, data: Dict[str, Any]) -> Dict[str, Any]:
    return {"action": "create", "entity_type": entity_type, "entity_key": [data["id"]],
            "entity_data": dict(data, __entity_type__=entity_type)}  # fmt: skip


def make_studio(url: str) -> Dict[str, Any]:
    """A project with 8 shots, each with a task and an asset, and one open review session."""
    http = requests.Session()
    first = "select id from ProjectSchema"
    schema = api(http, url, [{"action": "query", "expression": first}])[0]["data"][0]["id"]
    asset_type = api(http, url, [{"action": "query", "expression": "select id from AssetType"}])
    project = str(uuid.uuid4())
    ops = [create("Project", {"id": project, "name": f"bench_{project[:8]}",
                              "full_name": "Bench", "project_schema_id": schema})]  # fmt: skip
    assets, tasks = [], []
    for index in range(8):
        shot, task, asset = (str(uuid.uuid4()) for _ in range(3))
        ops += [
            create("Shot", {"id": shot, "name": f"sh{index:03d}", "parent_id": project}),
            create("Task", {"id": task, "name": "comp", "parent_id": shot}),
            create("Asset", {"id": asset, "name": "review", "context_id": shot,
                             "type_id": asset_type[0]["data"][0]["id"]}),
        ]  # fmt: skip
        assets.append(asset)
        tasks.append(task)
    review = str(uuid.uuid4())
    ops.append(create("ReviewSession", {"id": review, "name": "Dailies", "project_id": project}))
    api(http, url, ops)
    return {"assets": assets, "tasks": tasks, "review": review}


def query_once(http: requests.Session, url: str, studio: Dict[str, Any], n: int) -> None:
    asset = studio["assets"][n % len(studio["assets"])]
    expression = (
        "select id, version, comment, date, task.name, user.username, components.name, "
        f'components.size from AssetVersion where asset_id is "{asset}" '
        "order by version descending limit 25"
    )
    api(http, url, [{"action": "query", "expression": expression}])


def publish_once(http: requests.Session, url: str, studio: Dict[str, Any], n: int) -> None:
    index = n % len(studio["assets"])
    asset = studio["assets"][index]
    api(http, url, [{"action": "query", "expression": f'select id, name from Asset where id is "{asset}"'}])  # noqa: E501
    version, component, location, item = (str(uuid.uuid4()) for _ in range(4))
    api(http, url, [
        create("AssetVersion", {"id": version, "asset_id": asset,
                                "task_id": studio["tasks"][index], "comment": "bench"}),
        create("FileComponent", {"id": component, "name": "ftrackreview-mp4", "version_id": version,
                                 "file_type": ".mp4", "size": 1000}),
        create("ComponentLocation", {"id": location, "component_id": component,
                                     "location_id": SERVER_LOCATION,
                                     "resource_identifier": component}),
        create("ReviewSessionObject", {"id": item, "review_session_id": studio["review"],
                                       "version_id": version, "name": "review",
                                       "version": "v"}),
    ])  # fmt: skip


def run_phase(
    url: str, studio: Dict[str, Any], clients: int, count: int,
    work: Callable[[requests.Session, str, Dict[str, Any], int], None],
) -> Tuple[float, List[float], List[str]]:
    """(wall seconds, per-operation latencies, errors) of ``clients`` threads, ``count`` each."""
    latencies: List[float] = []
    errors: List[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        http = requests.Session()
        mine: List[float] = []
        barrier.wait()
        for step in range(count):
            start = time.perf_counter()
            try:
                work(http, url, studio, number * count + step)
            except Exception as error:  # counted and printed, the phase goes on
                with lock:
                    errors.append(str(error)[:200])
                continue
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, latencies, errors


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def check_versions(url: str, studio: Dict[str, Any]) -> str:
    http = requests.Session()
    for asset in studio["assets"]:
        expression = f'select version from AssetVersion where asset_id is "{asset}"'
        rows = api(http, url, [{"action": "query", "expression": expression}])
        numbers = sorted(row["version"] for row in rows[0]["data"])
        if numbers != list(range(1, len(numbers) + 1)):
            return f"asset {asset}: versions {numbers}"
    return "ok"


def measure(name: str, base: Path, args: argparse.Namespace, extra: List[str]) -> Dict[str, Any]:
    base.mkdir(parents=True)
    server = Server(base, extra)
    try:
        studio = make_studio(server.url)
        run_phase(server.url, studio, 4, 5, query_once)  # warm every worker's caches
        result: Dict[str, Any] = {"name": name}
        for phase, count, work in (("query", args.queries, query_once),
                                   ("publish", args.publishes, publish_once)):  # fmt: skip
            wall, latencies, errors = run_phase(server.url, studio, args.clients, count, work)
            result[phase] = {
                "throughput": len(latencies) / wall,
                "p50": statistics.median(latencies) * 1000 if latencies else float("nan"),
                "p99": percentile(latencies, 0.99) * 1000 if latencies else float("nan"),
                "errors": errors,
            }
        result["versions"] = check_versions(server.url, studio)
        return result
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--queries", type=int, default=40, help="queries per client")
    parser.add_argument("--publishes", type=int, default=8, help="publishes per client")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    cluster = PgCluster.start()
    try:
        with tempfile.TemporaryDirectory(prefix="ft_dcc_bench_scale_") as tmp:
            sqlite = measure("SQLite / 1 worker", Path(tmp) / "sqlite", args, [])
            database = cluster.create_database("bench")
            postgres = measure(f"PostgreSQL / {args.workers} workers", Path(tmp) / "pg", args,
                               ["--database", database, "--workers", str(args.workers)])
    finally:
        cluster.stop()
    report(sqlite, postgres, args)
    failed = any(r[p]["errors"] for r in (sqlite, postgres) for p in ("query", "publish"))
    return 1 if failed or sqlite["versions"] != "ok" or postgres["versions"] != "ok" else 0


def report(sqlite: Dict[str, Any], postgres: Dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\n{args.clients} concurrent clients; {args.queries} queries and {args.publishes} "
          "publishes (1 read + 1 commit) per client\n")  # fmt: skip
    print(f"{'configuration':<26}{'phase':<9}{'ops/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for result in (sqlite, postgres):
        for phase in ("query", "publish"):
            row = result[phase]
            print(f"{result['name']:<26}{phase:<9}{row['throughput']:>9.1f}{row['p50']:>9.1f}"
                  f"{row['p99']:>9.1f}{len(row['errors']):>8}")  # fmt: skip
    print()
    for phase in ("query", "publish"):
        ratio = postgres[phase]["throughput"] / max(sqlite[phase]["throughput"], 1e-9)
        p99 = postgres[phase]["p99"] / max(sqlite[phase]["p99"], 1e-9)
        print(f"{phase}: throughput PostgreSQL/SQLite = {ratio:.2f}x, p99 ratio = {p99:.2f}")
    for result in (sqlite, postgres):
        print(f"{result['name']}: version numbers per asset: {result['versions']}")
        for phase in ("query", "publish"):
            for error in result[phase]["errors"][:2]:
                print(f"  {phase} error: {error}")


if __name__ == "__main__":
    sys.exit(main())
