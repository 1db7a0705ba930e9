"""Benchmark stills: publishing a 4K EXR as a still against a one-frame movie publish of the same
file, and the review page's first paint of a 6K still against the browser showing the image alone.

Usage: ``.venv/bin/python bench/bench_still.py [--repeat 3] [--size 3840x2160] [--page-size
6144x3456] [--no-page]``

Starts ``ft-dcc server`` on a free 127.0.0.1 port with a temporary data dir, writes one
scene-linear EXR (``plate.1001.exr``, ffmpeg's ``testsrc2`` as float) and a Project/Shot/Task,
then publishes it ``--repeat`` times per variant, alternating, each run in its own child process:

- ``still``: ``publish(FilesHost(exr, still=True))``: the OCIO view to a full-size PNG (the
  ``ftrackreview-image``), its thumbnail, the original uploaded beside it;
- ``movie``: ``publish(FilesHost(exr))``: the same frame as a one-frame sequence, through the
  same OCIO view into an H.264 ``ftrackreview-mp4``, verified, its thumbnail.

Measured per run: wall time (session start to done), the peak RSS of the publishing Python
process, the review files made (MB). Prints the medians and the
ratios still/movie (< 1: the still is faster or smaller).

The page part publishes a 6K PNG still and opens the session's room link in headless Chromium
(Playwright) ``--repeat`` times: the time from navigation to the still's picture decoded and
painted (``still.js`` placed it, then one animation frame), against the time the same browser
takes to show the same image URL alone (an image document: decode and paint). No timing is
asserted anywhere: this is a benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

HERE = Path(__file__).resolve().parent
#: the browser the tests use (Debian's), or another
CHROMIUM = os.environ.get("FT_DCC_TEST_CHROMIUM", "/usr/bin/chromium-headless-shell")
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_publish import KEY, USER, make_task, read_status_kb  # noqa: E402
from embedded_server import Server  # noqa: E402


def make_exr(path: Path, size: str) -> Path:
    from ft_dcc.media.ffmpeg import ffmpeg_executable

    subprocess.run(
        [ffmpeg_executable(), "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={size}",
         "-frames:v", "1", "-vf", "format=gbrpf32le", "-c:v", "exr", str(path)],
        check=True,
    )  # fmt: skip
    return path


def run_child(variant: str, url: str, task_id: str, source: str, work: str) -> None:
    """Runs in a child process: one publish, printing its measurements as JSON."""
    from ft_dcc.host.files import FilesHost
    from ft_dcc.publish.api import publish
    from ft_dcc.session import Session

    started = time.perf_counter()
    session = Session(url, KEY, USER, schema_cache_path=str(Path(work) / "cache"),
                      plugin_paths=[])  # fmt: skip
    try:
        report = publish(FilesHost(source, still=variant == "still"), task=task_id,
                         session=session, work_dir=str(Path(work) / "w"),
                         review_session_name="Bench stills")  # fmt: skip
    finally:
        session.close()
    assert report.ok, str(report)
    uploaded = sum(p.stat().st_size for p in (Path(work) / "w").rglob("*") if p.is_file()
                   and p.suffix in (".png", ".mp4", ".jpg"))  # fmt: skip
    print(json.dumps({
        "wall_s": time.perf_counter() - started,
        "python_peak_rss_mb": read_status_kb("VmHWM") / 1024,
        "made_mb": uploaded / 1e6,
    }))  # fmt: skip


def one_publish(variant: str, url: str, task_id: str, source: Path, work: Path) -> Dict[str, Any]:
    work.mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, __file__, "--child", variant, url, task_id, str(source), str(work)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"{variant} publish failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def median(runs: List[Dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def publishes(base: Path, server: Server, size: str, repeat: int) -> None:
    task_id = make_task(server.url, base / "setup-cache", 1)
    source = make_exr(base / "plate.1001.exr", size)
    runs: Dict[str, List[Dict[str, Any]]] = {"still": [], "movie": []}
    for index in range(repeat):
        for variant in ("still", "movie"):
            runs[variant].append(one_publish(variant, server.url, task_id, source,
                                             base / f"{variant}-{index}"))  # fmt: skip
    print(f"publishing one {size} EXR ({source.stat().st_size / 1e6:.1f} MB), median of {repeat}:")
    for key in ("wall_s", "python_peak_rss_mb", "made_mb"):
        still, movie = median(runs["still"], key), median(runs["movie"], key)
        print(f"  {key:20} still {still:9.2f}   one-frame movie {movie:9.2f}   "
              f"still/movie {still / movie:5.2f}")  # fmt: skip


#: the still's picture decoded and placed by still.js (polled every animation frame)
PAINTED = (
    "() => { const i = document.querySelector('img.still-image');"
    " return !!(i && i.complete && i.naturalWidth && i.dataset.placed); }"
)
#: the image document's picture decoded
ALONE = "() => { const i = document.images[0]; return !!(i && i.complete && i.naturalWidth); }"


def painted_at(page: Any, url: str, ready: str) -> float:
    """Milliseconds from navigating to ``url`` until ``ready`` holds (the page's own clock)."""
    page.goto(url, wait_until="commit")
    page.wait_for_function(ready, polling="raf", timeout=120_000)
    return float(page.evaluate("performance.now()"))


def first_paint(base: Path, server: Server, size: str, repeat: int) -> None:
    from playwright.sync_api import sync_playwright

    from ft_dcc.host.files import FilesHost
    from ft_dcc.media.ffmpeg import ffmpeg_executable
    from ft_dcc.publish.api import publish
    from ft_dcc.session import Session

    still = base / "matte.png"
    subprocess.run([ffmpeg_executable(), "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size={size}", "-frames:v", "1", str(still)], check=True)  # fmt: skip
    task_id = make_task(server.url, base / "page-cache", 1)
    with Session(server.url, KEY, USER, schema_cache_path=str(base / "page-cache"),
                 plugin_paths=[]) as session:  # fmt: skip
        report = publish(FilesHost(still), task=task_id, session=session,
                         review_session_name="Bench 6K still")  # fmt: skip
    assert report.ok, str(report)
    page_ms: List[float] = []
    alone_ms: List[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for _ in range(repeat):
                context = browser.new_context(viewport={"width": 1600, "height": 1000})
                page = context.new_page()
                page_ms.append(painted_at(page, report.review_url, PAINTED))
                image_url = page.evaluate("document.querySelector('img.still-image').src")
                fresh = browser.new_context(viewport={"width": 1600, "height": 1000})
                alone_ms.append(painted_at(fresh.new_page(), image_url, ALONE))
                context.close()
                fresh.close()
        finally:
            browser.close()
    ours, bare = statistics.median(page_ms), statistics.median(alone_ms)
    print(f"first paint of a {size} still, median of {repeat} (ms from navigation):")
    print(f"  review page {ours:8.0f}   the image alone {bare:8.0f}   "
          f"page/alone {ours / bare:5.2f}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", default="3840x2160")
    parser.add_argument("--page-size", default="6144x3456")
    parser.add_argument("--no-page", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-still-") as folder:
        base = Path(folder)
        server = Server(base)
        try:
            publishes(base, server, args.size, args.repeat)
            if not args.no_page:
                first_paint(base, server, args.page_size, args.repeat)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        run_child(*sys.argv[2:7])
    else:
        sys.exit(main())
