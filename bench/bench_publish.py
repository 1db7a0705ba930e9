"""Benchmark one "Publish for review" end to end: ft_dcc's ``publish()`` against the genuine
ftrack-python-api way a studio script would do it, on a local embedded server.

Usage: ``.venv/bin/python bench/bench_publish.py [--frames 48] [--size 1280x720] [--repeat 3]``

Starts ``ft-dcc server`` on a free 127.0.0.1 port with a temporary data dir, renders one PNG
sequence with ffmpeg (``testsrc2``), creates a Project/Sequence/Shot/Task, then publishes the
sequence ``--repeat`` times per variant, each run in its own child process:

- ``ft_dcc``: ``publish(FilesHost(pattern, fps=...), task=..., review_session=...,
  session=ft_dcc.Session(...))``.
- ``ftrack_api``: a naive local ``ffmpeg -i seq -c:v libx264 -pix_fmt yuv420p out.mp4`` and a
  first-frame JPEG thumbnail, then ``ftrack_api.Session``: Asset + AssetVersion,
  ``create_component(..., {'name': 'ftrackreview-mp4'}, location=ftrack.server)`` with
  ``ftr_meta``, ``create_thumbnail``, ReviewSession + ReviewSessionObject, commit.

Measured per run: wall time (in the child, session creation to done), the HTTP requests the
server logged, the peak RSS of the publishing Python process and of its biggest child (ffmpeg).
Prints the medians and the ratios ours/baseline (< 1 means ft_dcc is faster or smaller).
No timing is asserted: this is a benchmark.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
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

FPS = 24
START_FRAME = 1001
REVIEW_SESSION = "Bench dailies"
VARIANTS = ("ft_dcc", "ftrack_api")


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def make_sequence(folder: Path, frames: int, size: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pattern = folder / "shot.%04d.png"
    subprocess.run(
        [ffmpeg(), "-loglevel", "error", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={FPS}",
         "-frames:v", str(frames), "-start_number", str(START_FRAME), str(pattern)],
        check=True,
    )  # fmt: skip
    return pattern


def make_task(url: str, cache_dir: Path, frames: int) -> str:
    """A new ``<project>/sq010/sh010/comp`` task with the shot's range and fps; returns its id."""
    from ft_dcc.session import Session

    with Session(url, KEY, USER, schema_cache_path=str(cache_dir), plugin_paths=[]) as session:
        name = f"bench{uuid.uuid4().hex[:8]}"
        project = session.create(
            "Project",
            {"name": name, "full_name": name,
             "project_schema": session.query("ProjectSchema").first()},
        )  # fmt: skip
        task_type = session.query('Type where name is "Compositing"').first()
        sequence = session.create("Sequence", {"name": "sq010", "parent": project,
                                               "project": project})  # fmt: skip
        shot = session.create("Shot", {"name": "sh010", "parent": sequence, "project": project})
        task = session.create(
            "Task", {"name": "comp", "parent": shot, "project": project, "type": task_type}
        )
        session.commit()
        for key, value in (("fstart", START_FRAME), ("fend", START_FRAME + frames - 1),
                           ("fps", float(FPS))):  # fmt: skip
            shot["custom_attributes"][key] = value
        session.commit()
        return task["id"]


# --- child processes: one publish each ----------------------------------------------------


def child_ft_dcc(url: str, task_id: str, pattern: str, work: Path) -> Dict[str, Any]:
    from ft_dcc.host.files import FilesHost
    from ft_dcc.publish.api import publish
    from ft_dcc.session import Session

    started = time.perf_counter()
    session = Session(url, KEY, USER, schema_cache_path=str(work / "cache"), plugin_paths=[])
    try:
        report = publish(
            FilesHost(pattern, fps=FPS),
            task=task_id,
            review_session=REVIEW_SESSION,
            session=session,
            queue_dir=work / "queue",
        )
    finally:
        session.close()
    elapsed = time.perf_counter() - started
    if not report.ok or report.queued:
        raise RuntimeError(f"ft_dcc publish failed: {report.errors} (queued={report.queued})")
    stages: Dict[str, float] = {}
    for step in report.steps:
        stages[step.stage] = stages.get(step.stage, 0.0) + step.duration_ms / 1000
    return {
        "wall_s": elapsed,
        "movie_id": report.component_ids.get("ftrackreview-mp4"),
        "stages_s": stages,
    }


def child_ftrack_api(url: str, task_id: str, pattern: str, work: Path) -> Dict[str, Any]:
    import ftrack_api

    started = time.perf_counter()
    movie = work / "review.mp4"
    thumbnail = work / "thumbnail.jpg"
    subprocess.run(
        [ffmpeg(), "-y", "-loglevel", "error", "-framerate", str(FPS),
         "-start_number", str(START_FRAME), "-i", pattern,
         "-c:v", "libx264", "-pix_fmt", "yuv420p", str(movie)],
        check=True,
    )  # fmt: skip
    subprocess.run(
        [ffmpeg(), "-y", "-loglevel", "error", "-start_number", str(START_FRAME), "-i", pattern,
         "-frames:v", "1", "-vf", "scale=-2:300", str(thumbnail)],
        check=True,
    )  # fmt: skip
    frames = len(list(Path(pattern).parent.glob("shot.*.png")))
    session = ftrack_api.Session(
        server_url=url, api_key=KEY, api_user=USER, schema_cache_path=str(work / "cache"),
        plugin_paths=[], auto_connect_event_hub=False,
    )  # fmt: skip
    try:
        task = session.get("Task", task_id)
        project = task["project"]
        location = session.query('Location where name is "ftrack.server"').one()
        asset_type = session.query('AssetType where short is "upload"').one()
        asset = session.query(
            f'Asset where name is "{task["parent"]["name"]}" and parent.id is '
            f'"{task["parent"]["id"]}" and type.short is "upload"'
        ).first()
        if asset is None:
            asset = session.create(
                "Asset", {"name": task["parent"]["name"], "type": asset_type,
                          "parent": task["parent"]},
            )  # fmt: skip
        version = session.create("AssetVersion", {"asset": asset, "task": task})
        session.commit()
        component = version.create_component(
            str(movie), {"name": "ftrackreview-mp4"}, location=location
        )
        component["metadata"]["ftr_meta"] = json.dumps(
            {"frameIn": 0, "frameOut": frames, "frameRate": FPS}
        )
        session.commit()
        version.create_thumbnail(str(thumbnail))
        review = session.query(
            f'ReviewSession where name is "{REVIEW_SESSION}" and project_id is "{project["id"]}"'
        ).first()
        if review is None:
            review = session.create("ReviewSession", {"name": REVIEW_SESSION, "project": project})
        session.create(
            "ReviewSessionObject",
            {"review_session": review, "asset_version": version, "name": asset["name"],
             "version": f"Version {version['version']}"},
        )  # fmt: skip
        session.commit()
        movie_id = component["id"]
    finally:
        session.close()
    return {"wall_s": time.perf_counter() - started, "movie_id": movie_id}


def read_status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def run_child(variant: str, url: str, task_id: str, pattern: str, work: str) -> None:
    """Runs in a child process: one publish, printing its measurements as JSON."""
    publish_with = child_ft_dcc if variant == "ft_dcc" else child_ftrack_api
    result = publish_with(url, task_id, pattern, Path(work))
    result["python_peak_rss_mb"] = read_status_kb("VmHWM") / 1024
    result["ffmpeg_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(result))


# --- the driver ---------------------------------------------------------------------------


def measure(variant: str, server: Server, task_id: str, pattern: Path, work: Path) -> Dict:
    before = len(server.requests_logged())
    run_work = Path(tempfile.mkdtemp(dir=work))
    (run_work / "cache").symlink_to(work / "cache")  # schema cache warm after the first run
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, __file__, "--child", variant, server.url, task_id, str(pattern),
         str(run_work)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    process_s = time.perf_counter() - started
    if completed.returncode != 0:
        raise RuntimeError(f"the {variant} child failed:\n{completed.stderr[-3000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    logged = server.requests_logged()[before:]
    result["process_s"] = process_s
    result["requests"] = len(logged)
    result["api_requests"] = sum(1 for entry in logged if entry["path"] == "/api")
    result["request_kinds"] = sorted(request_kind(entry) for entry in logged)
    return result


def request_kind(entry: Dict[str, Any]) -> str:
    """``POST /api[query,create]``-style label of one logged request."""
    actions = ",".join(entry.get("actions") or [])
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", entry["path"])
    return f"{entry['method']} {path}" + (f"[{actions}]" if actions else "")


def describe_movie(server: Server, component_id: str, target: Path) -> Dict[str, Any]:
    """Download the published movie and probe it with ``ft_dcc.media.probe_movie``."""
    from ft_dcc.media import probe_movie

    response = requests.get(
        f"{server.url}/component/get",
        params={"id": component_id, "username": USER, "apiKey": KEY},
        timeout=120,
    )
    response.raise_for_status()
    target.write_bytes(response.content)
    info = probe_movie(target)
    return {
        "codec": f"{info.codec}/{info.profile}/{info.pix_fmt}",
        "size_mb": len(response.content) / 1e6,
        "frames": info.frame_count,
        "fps": str(info.fps),
        "faststart": info.faststart,
    }


DELIVERS = {
    "ft_dcc": "verifies frame count, fps, H.264/yuv420p and faststart before upload; integrate "
    "undone on a server error (no half-published version), offline queue when the server is "
    "unreachable; thumbnail, "
    "ftr_meta, review session found-or-created",
    "ftrack_api": "no check of the movie before upload; several commits (a failure leaves a "
    "half-made version); thumbnail, ftr_meta, review session found-or-created",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(*args.child)
        return 0

    base = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    server = None
    try:
        server = Server(base)
        pattern = make_sequence(base / "frames", args.frames, args.size)
        task_id = make_task(server.url, base / "setup-cache", args.frames)
        samples: Dict[str, List[Dict[str, Any]]] = {variant: [] for variant in VARIANTS}
        for variant in VARIANTS:
            (base / variant / "cache").mkdir(parents=True)
        for _ in range(args.repeat):  # interleaved, so both see the same machine load
            for variant in VARIANTS:
                samples[variant].append(measure(variant, server, task_id, pattern, base / variant))
        movies = {
            variant: describe_movie(server, samples[variant][-1]["movie_id"],
                                    base / f"{variant}-download.mp4")
            for variant in VARIANTS
        }  # fmt: skip
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(base, ignore_errors=True)

    metrics = ["wall_s", "process_s", "requests", "api_requests", "python_peak_rss_mb",
               "ffmpeg_peak_rss_mb"]  # fmt: skip
    medians = {
        variant: {m: statistics.median(s[m] for s in samples[variant]) for m in metrics}
        for variant in VARIANTS
    }
    print(f"python {sys.version.split()[0]}, {args.frames} PNG frames {args.size} @ {FPS} fps, "
          f"median of {args.repeat} publishes per variant (each in its own process)")  # fmt: skip
    print(f"{'metric':<22}{'ft_dcc':>12}{'ftrack_api':>12}{'ours/baseline':>15}")
    for metric in metrics:
        mine, theirs = medians["ft_dcc"][metric], medians["ftrack_api"][metric]
        ratio = f"{mine / theirs:.2f}x" if theirs else "-"
        print(f"{metric:<22}{mine:>12.2f}{theirs:>12.2f}{ratio:>15}")
    print("published movie (downloaded back and probed with ft_dcc.media.probe_movie):")
    for variant in VARIANTS:
        movie = movies[variant]
        print(f"  {variant:<11} {movie['codec']}, {movie['frames']} frames @ {movie['fps']} fps, "
              f"{movie['size_mb']:.2f} MB, faststart={movie['faststart']}")  # fmt: skip
        if not movie["faststart"]:
            print(f"  {'':<11} NOT faststart: the browser must fetch the whole file before play")
    stages = samples["ft_dcc"][-1].get("stages_s", {})
    print("ft_dcc stages (last run, s): " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    print("requests of the last run of each variant:")
    for variant in VARIANTS:
        kinds = samples[variant][-1]["request_kinds"]
        counted = {kind: kinds.count(kind) for kind in dict.fromkeys(kinds)}
        print(f"  {variant:<11} " + "; ".join(f"{n}x {kind}" for kind, n in counted.items()))
    print("what each variant delivers:")
    for variant in VARIANTS:
        print(f"  {variant:<11} {DELIVERS[variant]}")
    print(json.dumps({"medians": medians, "movies": movies}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
