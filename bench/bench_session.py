"""Benchmark ft_dcc.Session against the genuine ftrack_api.Session on a local embedded server.

Usage: ``.venv/bin/python bench/bench_session.py [--entities 200] [--upload-mb 50] [--repeat 5]``

Starts ``ft-dcc server`` on a free 127.0.0.1 port with a temporary data dir, then measures, for
both clients in the same run: cold start (empty schema cache), warm start (schema cache filled),
auto-populate of one attribute over N entities (time and HTTP requests), a projected query of N
entities, creating and committing N entities, and the upload of a
large file to ftrack.server (time and peak memory, each in its own child process). Prints a
table with the ratios genuine/ours (> 1 means ft_dcc is faster or smaller).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List

import requests
from embedded_server import KEY, USER, Server


def make_session(client: str, url: str, cache_dir: str) -> Any:
    if client == "ours":
        from ft_dcc.session import Session

        return Session(url, KEY, USER, schema_cache_path=cache_dir, plugin_paths=[])
    import ftrack_api

    return ftrack_api.Session(
        server_url=url, api_key=KEY, api_user=USER, schema_cache_path=cache_dir, plugin_paths=[]
    )


def timed(function: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def bench_start(client: str, server: Server, repeat: int) -> Dict[str, float]:
    def cold() -> None:
        directory = tempfile.mkdtemp()
        make_session(client, server.url, directory).close()
        shutil.rmtree(directory)

    warm_dir = tempfile.mkdtemp()
    make_session(client, server.url, warm_dir).close()

    def warm() -> None:
        make_session(client, server.url, warm_dir).close()

    before = server.api_requests()
    warm()
    warm_requests = server.api_requests() - before
    before = server.api_requests()
    cold()
    cold_requests = server.api_requests() - before
    result = {
        "cold_start_s": timed(cold, repeat),
        "warm_start_s": timed(warm, repeat),
        "cold_start_requests": cold_requests,
        "warm_start_requests": warm_requests,
    }
    shutil.rmtree(warm_dir)
    return result


def seed_entities(server: Server, count: int) -> str:
    from ft_dcc.session import Session

    prefix = "bench-" + uuid.uuid4().hex[:8]
    with Session(server.url, KEY, USER, schema_cache_path=False, plugin_paths=[]) as session:
        for index in range(count):
            session.create("AssetType", {"name": f"{prefix}-{index:05d}", "short": f"s{index}"})
        session.commit()
    return prefix


def bench_populate(client: str, server: Server, prefix: str, count: int) -> Dict[str, float]:
    directory = tempfile.mkdtemp()
    session = make_session(client, server.url, directory)
    try:
        entities = session.query(f'select id from AssetType where name like "{prefix}%"').all()
        assert len(entities) == count, len(entities)
        before = server.api_requests()
        started = time.perf_counter()
        values = [entity["short"] for entity in entities]
        elapsed = time.perf_counter() - started
        assert len(set(values)) == count
        return {"populate_s": elapsed, "populate_requests": server.api_requests() - before}
    finally:
        session.close()
        shutil.rmtree(directory)


def bench_query_and_commit(
    client: str, server: Server, prefix: str, count: int
) -> Dict[str, float]:
    directory = tempfile.mkdtemp()
    session = make_session(client, server.url, directory)
    try:
        started = time.perf_counter()
        rows = session.query(
            f'select name, short, component from AssetType where name like "{prefix}%"'
        ).all()
        query_s = time.perf_counter() - started
        assert len(rows) == count
        tag = uuid.uuid4().hex[:8]
        started = time.perf_counter()
        for index in range(count):
            session.create("AssetType", {"name": f"c-{tag}-{index}", "short": f"c{index}"})
        session.commit()
        commit_s = time.perf_counter() - started
        return {"query_projected_s": query_s, "create_commit_s": commit_s}
    finally:
        session.close()
        shutil.rmtree(directory)


def upload_child(client: str, url: str, path: str) -> None:
    """Runs in a child process: one upload, printing time and memory as JSON."""
    directory = tempfile.mkdtemp()
    session = make_session(client, url, directory)
    baseline = reset_peak_rss()
    started = time.perf_counter()
    if client == "ours":
        component = session.create_component(path, {"name": "bench"})
    else:
        location = session.query('Location where name is "ftrack.server"').one()
        component = session.create_component(path, {"name": "bench"}, location=location)
        session.commit()
    elapsed = time.perf_counter() - started
    peak = read_status_kb("VmHWM")
    session.close()
    print(json.dumps({"id": component["id"], "upload_s": elapsed,
                      "upload_peak_rss_growth_mb": (peak - baseline) / 1024,
                      "upload_peak_rss_mb": peak / 1024}))  # fmt: skip


def read_status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak_rss() -> int:
    """Reset the kernel's RSS high-water mark (Linux) and return the current RSS in KiB."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
        clear_refs.write("5")
    return read_status_kb("VmRSS")


def bench_upload(client: str, server: Server, path: str) -> Dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child-upload", client, server.url, path],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    downloaded = requests.get(
        f"{server.url}/component/get",
        params={"id": result.pop("id"), "username": USER, "apiKey": KEY},
        timeout=120,
    )
    assert len(downloaded.content) == os.path.getsize(path), "upload incomplete"
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=200)
    parser.add_argument("--upload-mb", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child-upload", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_upload:
        upload_child(*args.child_upload)
        return 0

    base = Path(tempfile.mkdtemp(prefix="bench-session-"))
    server = Server(base)
    try:
        big = base / "upload.bin"
        with open(big, "wb") as handle:
            for _ in range(args.upload_mb):
                handle.write(os.urandom(1024 * 1024))
        prefix = seed_entities(server, args.entities)
        results: Dict[str, Dict[str, float]] = {}
        for client in ("ftrack_api", "ours"):
            row: Dict[str, float] = {}
            row.update(bench_start(client, server, args.repeat))
            row.update(bench_populate(client, server, prefix, args.entities))
            row.update(bench_query_and_commit(client, server, prefix, args.entities))
            row.update(bench_upload(client, server, str(big)))
            results[client] = row
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)

    print(f"python {sys.version.split()[0]}, {args.entities} entities, {args.upload_mb} MB upload, "
          f"median of {args.repeat} starts")  # fmt: skip
    print(f"{'metric':<28}{'ftrack_api':>14}{'ft_dcc':>14}{'genuine/ours':>14}")
    metrics: List[str] = list(results["ours"])
    for metric in metrics:
        theirs, mine = results["ftrack_api"][metric], results["ours"][metric]
        ratio = f"{theirs / mine:.1f}x" if mine else "-"
        print(f"{metric:<28}{theirs:>14.3f}{mine:>14.3f}{ratio:>14}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
