"""Upload a large file: ft_dcc's ``upload_file`` vs ``curl -T`` to the same kind of upload URL.

Usage: ``.venv/bin/python bench/bench_upload.py [--mb 1024] [--repeat 3] [--mode auto]``
(``--mode single|parts`` forces one PUT or a multipart upload).

Starts the embedded server, writes a random file of ``--mb`` MiB, then interleaves ``curl -T``
(one PUT to a fresh signed URL from ``get_upload_metadata``) with ft_dcc uploads (in a child
process, so its peak RSS is its own). Prints throughput as a ratio against curl's in the same run
(≥ 1 means ft_dcc is as fast), the client's and the server's peak RSS. Temporary files are
removed at the end.
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
from typing import Any, Dict, List

import requests
from embedded_server import KEY, USER, Server

MiB = 1024 * 1024


def read_status_kb(field: str, pid: str = "self") -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def reset_peak_rss(pid: str = "self") -> None:
    """Reset the kernel's RSS high-water mark of ``pid`` (Linux)."""
    with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as clear_refs:
        clear_refs.write("5")


def api_call(url: str, operations: List[Dict[str, Any]]) -> List[Any]:
    response = requests.post(
        url + "/api",
        json=operations,
        headers={"ftrack-user": USER, "ftrack-api-key": KEY},
        timeout=120,
    )
    response.raise_for_status()
    return response.json()


def curl_upload(url: str, path: str) -> float:
    size = os.path.getsize(path)
    meta = api_call(
        url,
        [{"action": "get_upload_metadata", "component_id": str(uuid.uuid4()),
          "file_name": "curl.bin", "file_size": size}],
    )[0]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(
        ["curl", "-sS", "-f", "-o", "/dev/null", "-T", path, meta["url"]],
        check=True,
    )
    return time.perf_counter() - started


def child(url: str, path: str, mode: str) -> None:
    """In a child process: one ft_dcc upload; prints seconds and peak RSS as JSON."""
    from ft_dcc.session import Session

    directory = tempfile.mkdtemp()
    options: Dict[str, Any] = {}
    if mode == "single":
        options["upload_multipart_threshold"] = 1 << 62
    elif mode == "parts":
        options["upload_multipart_threshold"] = 1
    session = Session(url, KEY, USER, schema_cache_path=directory, plugin_paths=[], **options)
    reset_peak_rss()
    started = time.perf_counter()
    component_id = session.upload_file(path)
    elapsed = time.perf_counter() - started
    peak = read_status_kb("VmHWM")
    session.close()
    shutil.rmtree(directory, ignore_errors=True)
    print(json.dumps({"id": component_id, "seconds": elapsed, "peak_rss_mb": peak / 1024}))


def ours_upload(server: Server, path: str, mode: str) -> Dict[str, Any]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", server.url, path, mode],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mode", default="auto", choices=["auto", "single", "parts"])
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    base = Path(tempfile.mkdtemp(prefix="bench-upload-", dir=os.environ.get("BENCH_TMP")))
    server = Server(base)
    pid = str(server.process.pid)
    curl_s: List[float] = []
    ours_s: List[float] = []
    client_rss: List[float] = []
    server_rss: List[float] = []
    try:
        big = base / "upload.bin"
        with open(big, "wb") as handle:
            for _ in range(args.mb):
                handle.write(os.urandom(MiB))
        for _ in range(args.repeat):
            curl_s.append(curl_upload(server.url, str(big)))
            reset_peak_rss(pid)
            result = ours_upload(server, str(big), args.mode)
            server_rss.append(read_status_kb("VmHWM", pid) / 1024)
            ours_s.append(result["seconds"])
            client_rss.append(result["peak_rss_mb"])
            shutil.rmtree(base / "data" / "files", ignore_errors=True)
            (base / "data" / "files" / ".incoming").mkdir(parents=True, exist_ok=True)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)
    curl_median, ours_median = statistics.median(curl_s), statistics.median(ours_s)
    size_mib = args.mb
    print(f"upload {size_mib} MiB, mode {args.mode}, median of {args.repeat} interleaved runs")
    print(f"  curl -T      {curl_median:7.2f} s  {size_mib / curl_median:7.1f} MiB/s")
    print(f"  ft_dcc       {ours_median:7.2f} s  {size_mib / ours_median:7.1f} MiB/s")
    print(f"  throughput ratio ft_dcc/curl: {curl_median / ours_median:.2f}x (goal >= 0.9x)")
    print(f"  client peak RSS {max(client_rss):.0f} MB (goal <= 100 MB), "
          f"server peak RSS {max(server_rss):.0f} MB")  # fmt: skip
    print(json.dumps({"curl_s": curl_s, "ours_s": ours_s, "client_rss_mb": client_rss,
                      "server_rss_mb": server_rss}))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
