"""Two figures of issue 12 for ft_dcc.Session and the genuine ftrack_api.Session, same server,
same run: a large read by plain attribute access, and a warm start as a whole process.

Usage: ``.venv/bin/python bench/bench_reads.py [--versions 1000] [--starts 7]``

Starts ``ft-dcc server`` on a free 127.0.0.1 port with a temporary data dir and seeds one
project with ``--versions`` AssetVersions (10 assets, 2 tasks, 3 statuses). Then, per client:

- read: ``session.query('AssetVersion where asset.parent.id is ...').all()`` and, for every
  version, ``v['asset']['name']``, ``v['task']['name']``, ``v['status']['name']``: the wall
  time and the ``/api`` requests the server logged (a fresh session, warm schema cache);
- warm start: ``python -c "import <client>; <client>.Session(...).close()"`` with a filled
  schema cache, interpreter start included; medians of ``--starts`` interleaved runs.

Prints each figure and the ratio ours/baseline (< 1: ft_dcc is faster or makes fewer requests),
then one JSON line. No timing is asserted anywhere: this is a benchmark.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List

from embedded_server import KEY, USER, Server

CLIENTS = ("ft_dcc", "ftrack_api")


def make_session(client: str, url: str, cache_dir: str) -> Any:
    if client == "ft_dcc":
        import ft_dcc

        return ft_dcc.Session(url, KEY, USER, schema_cache_path=cache_dir, plugin_paths=[])
    import ftrack_api

    return ftrack_api.Session(
        server_url=url, api_key=KEY, api_user=USER, schema_cache_path=cache_dir,
        plugin_paths=[], auto_connect_event_hub=False,
    )  # fmt: skip


def seed(url: str, count: int, cache_dir: str) -> str:
    """A project with ``count`` versions linked to assets, tasks and statuses; its id."""
    with make_session("ft_dcc", url, cache_dir) as session:
        name = "reads-" + uuid.uuid4().hex[:8]
        schema = session.query("ProjectSchema").first()
        project = session.create(
            "Project", {"name": name, "full_name": name, "project_schema": schema}
        )
        task_type = session.query("Type").first()
        tasks = [session.create("Task", {"name": f"t{i}", "parent": project, "type": task_type})
                 for i in range(2)]  # fmt: skip
        statuses = session.query("Status").all()[:3]
        asset_type = session.query("AssetType").first()
        assets = [session.create("Asset", {"name": f"a{i}", "parent": project, "type": asset_type})
                  for i in range(10)]  # fmt: skip
        for index in range(count):
            session.create("AssetVersion", {"asset": assets[index % 10], "task": tasks[index % 2],
                                            "status": statuses[index % 3]})  # fmt: skip
        session.commit()
        return str(project["id"])


def bench_read(client: str, server: Server, project_id: str, cache_dir: str) -> Dict[str, float]:
    session = make_session(client, server.url, cache_dir)
    try:
        before = server.api_requests()
        started = time.perf_counter()
        versions = session.query(f'AssetVersion where asset.parent.id is "{project_id}"').all()
        names = [(v["asset"]["name"], v["task"]["name"], v["status"]["name"]) for v in versions]
        elapsed = time.perf_counter() - started
        assert all(all(row) for row in names), "a name was not read"
        return {"read_s": elapsed, "read_requests": server.api_requests() - before,
                "read_rows": len(names)}  # fmt: skip
    finally:
        session.close()


def start_code(client: str, url: str, cache_dir: str) -> str:
    if client == "ft_dcc":
        return (f"import ft_dcc; ft_dcc.Session({url!r}, {KEY!r}, {USER!r}, "
                f"schema_cache_path={cache_dir!r}, plugin_paths=[]).close()")  # fmt: skip
    return (f"import ftrack_api; ftrack_api.Session(server_url={url!r}, api_key={KEY!r}, "
            f"api_user={USER!r}, schema_cache_path={cache_dir!r}, plugin_paths=[], "
            "auto_connect_event_hub=False).close()")  # fmt: skip


def bench_starts(server: Server, cache_dir: str, repeat: int) -> Dict[str, List[float]]:
    samples: Dict[str, List[float]] = {client: [] for client in CLIENTS}
    codes = {client: start_code(client, server.url, cache_dir) for client in CLIENTS}
    for code in codes.values():  # fills the schema cache and the OS file cache
        subprocess.run([sys.executable, "-c", code], check=True)
    for _ in range(repeat):
        for client in CLIENTS:
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", codes[client]], check=True)
            samples[client].append(time.perf_counter() - started)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--starts", type=int, default=7)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-reads-"))
    server = Server(base)
    cache_dir = str(base / "schema-cache")
    try:
        project_id = seed(server.url, args.versions, cache_dir)
        results: Dict[str, Dict[str, Any]] = {c: bench_read(c, server, project_id, cache_dir)
                                              for c in CLIENTS}  # fmt: skip
        starts = bench_starts(server, cache_dir, args.starts)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
    for client in CLIENTS:
        results[client]["warm_start_process_s"] = statistics.median(starts[client])
    print(f"python {sys.version.split()[0]}, {args.versions} versions, "
          f"median of {args.starts} interleaved process starts")  # fmt: skip
    print(f"{'metric':<24}{'ft_dcc':>12}{'ftrack_api':>12}{'ours/baseline':>15}")
    for metric in ("read_requests", "read_s", "warm_start_process_s"):
        mine, theirs = results["ft_dcc"][metric], results["ftrack_api"][metric]
        print(f"{metric:<24}{mine:>12.3f}{theirs:>12.3f}{mine / theirs:>14.3f}x")
    print(json.dumps({"results": results, "starts": starts}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
