"""Every figure of issue 12's table, each as a ratio against its baseline measured in the same run.

Usage: ``.venv/bin/python bench/bench_roundtrips.py [--quick]``

Runs, one after the other (each starts its own embedded server on 127.0.0.1):

- ``bench/bench_publish.py --repeat 3``: requests of one publish and its end-to-end time against
  the documented ``ftrack_api`` way (same frames, same server);
- ``bench/bench_upload.py --mb 1024 --repeat 3``: ft_dcc's upload against ``curl -T`` to the
  same kind of signed upload URL, with the client's and the server's peak RSS;
- ``bench/bench_reads.py --versions 1000 --starts 7``: 1,000 AssetVersions with asset, task and
  status names read by plain attribute access, and a warm start as a whole process, both
  against ``ftrack_api.Session``.

``--quick`` runs smaller sizes (1 publish, 256 MiB, 3 starts) to check the script itself. The
headless Blender row (capture ∥ encode) is measured by ``bench/bench_blender.py``. Each child's
full output is printed first; the table comes last. Nothing is asserted: this is a benchmark.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> Dict[str, Any]:
    """Run ``bench/<script>`` and return the JSON of its last output line."""
    command = [sys.executable, str(HERE / script), *args]
    print(f"$ {' '.join(command[1:])}", flush=True)
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    print(done.stdout, flush=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def rows(publish: Dict[str, Any], upload: Dict[str, Any], reads: Dict[str, Any]) -> List[List[str]]:
    ours, theirs = publish["medians"]["ft_dcc"], publish["medians"]["ftrack_api"]
    uploads = ours["requests"] - ours["api_requests"]
    curl = statistics.median(upload["curl_s"])
    mine = statistics.median(upload["ours_s"])
    read = reads["results"]
    start_ours, start_theirs = (read[c]["warm_start_process_s"] for c in ("ft_dcc", "ftrack_api"))
    return [
        ["HTTP requests, one publish",
         f"{ours['api_requests']} /api + {uploads} other (PUTs, hub)",
         f"{theirs['api_requests']} /api + {theirs['requests'] - theirs['api_requests']} other",
         f"{ours['api_requests'] / theirs['api_requests']:.2f}x /api", "<= 6 /api + uploads"],
        ["end-to-end publish", f"{ours['wall_s']:.2f} s", f"{theirs['wall_s']:.2f} s",
         f"{ours['wall_s'] / theirs['wall_s']:.2f}x", "<= 0.8x"],
        ["upload (throughput)", f"{mine:.2f} s", f"curl {curl:.2f} s", f"{curl / mine:.2f}x",
         ">= 0.9x"],
        ["upload peak RSS", f"client {max(upload['client_rss_mb']):.0f} MB",
         f"server {max(upload['server_rss_mb']):.0f} MB", "-", "client <= 100 MB"],
        ["read 1,000 versions + names",
         f"{read['ft_dcc']['read_requests']} req, {read['ft_dcc']['read_s']:.2f} s",
         f"{read['ftrack_api']['read_requests']} req, {read['ftrack_api']['read_s']:.2f} s",
         f"{read['ft_dcc']['read_s'] / read['ftrack_api']['read_s']:.3f}x time",
         "<= 2 requests"],
        ["warm start, whole process", f"{start_ours:.3f} s", f"{start_theirs:.3f} s",
         f"{start_ours / start_theirs:.2f}x", "<= 0.5x"],
    ]  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script")
    args = parser.parse_args()
    quick = args.quick
    publish = run("bench_publish.py", "--repeat", "1" if quick else "3")
    upload = run("bench_upload.py", "--mb", "256" if quick else "1024", "--repeat", "3")
    reads = run("bench_reads.py", "--starts", "3" if quick else "7")
    table = [["figure", "ft_dcc", "baseline", "ratio", "goal"], *rows(publish, upload, reads)]
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    print("issue 12, measured in this run (baselines: ftrack_api, curl -T; same server):")
    for row in table:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
