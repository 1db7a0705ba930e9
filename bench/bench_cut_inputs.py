"""What the server's conform of a cut spends learning its movies (size and sound) before its one
ffmpeg runs: each movie probed with ffmpeg (as every build did) against the size the server
recorded for it, confirmed by the movie's own MP4 header (no process), on the same 60 movies in
one run; then the whole build each way.

    .venv/bin/python bench/bench_cut_inputs.py [--shots 60] [--rounds 3]

Movies: 320x180 24 fps H.264 with and without sound (half each), 48 frames, made by ffmpeg; the
cut plays 12 frames of each. Wall time and the CPU time of the processes run (children), each
way, and their ratio; on a loaded machine read the CPU and the ratio, not the wall time.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import types
from functools import partial
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import imageio_ffmpeg  # noqa: E402

from ft_dcc.server.review.cut.cut_conform import Conformer, conform_id  # noqa: E402


def movies(folder: Path, count: int) -> None:
    for index in range(count):
        sound = ["-f", "lavfi", "-i", "sine=f=440:d=2"] if index % 2 else []
        subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
             "testsrc=s=320x180:r=24:d=2", *sound, "-c:v", "libx264", "-preset", "ultrafast",
             "-pix_fmt", "yuv420p", "-shortest", "-movflags", "+faststart", "-f", "mp4",
             str(folder / f"m{index}")],
            check=True,
        )  # fmt: skip


def plan(count: int, recorded: bool) -> Dict[str, Any]:
    segments = []
    for index in range(count):
        segment = {"object_id": f"o{index}", "movie_id": f"m{index}", "movie": "/m",
                   "label": f"sh{index:03d} comp v001", "source_in": 1003, "source_out": 1015,
                   "record_in": 86400 + 12 * index, "record_out": 86412 + 12 * index,
                   "frame_in": 1001, "frame_end": 1049, "movie_rate": 24,
                   "refused": ""}  # fmt: skip
        if recorded:
            segment.update(movie_width=320, movie_height=180)
        segments.append(segment)
    return {"rate": 24.0, "revision": 1 if recorded else 2, "segments": segments}


def timed(work: Callable[[], Any]) -> Tuple[float, float]:
    """(wall seconds, children's CPU seconds) of ``work``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    work()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shots", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_cut_inputs_") as temp:
        files = Path(temp) / "files"
        files.mkdir()
        movies(files, args.shots)
        store = types.SimpleNamespace(root=files, path_for=lambda ident: files / ident)
        conformer = Conformer(store)  # type: ignore[arg-type]
        results: Dict[str, List[Tuple[float, float]]] = {"probed": [], "recorded": []}
        for _ in range(args.rounds):  # alternately, so the machine's load falls on both
            for way in ("probed", "recorded"):
                the_plan = plan(args.shots, way == "recorded")
                results[way].append(timed(partial(conformer._inputs, the_plan)))
        for way, runs in results.items():
            wall = min(r[0] for r in runs)
            cpu = min(r[1] for r in runs)
            print(f"inputs {way:8}: best of {args.rounds}: {wall * 1000:8.1f} ms wall, "
                  f"{cpu * 1000:8.1f} ms CPU of processes run", flush=True)  # fmt: skip
        builds = {}
        for way in ("probed", "recorded"):
            the_plan = plan(args.shots, way == "recorded")
            ident = conform_id(way, the_plan)
            builds[way] = timed(partial(conformer.build, way, ident, the_plan))
            print(f"build  {way:8}: {builds[way][0]:6.2f} s wall, {builds[way][1]:6.2f} s CPU "
                  f"of processes run", flush=True)  # fmt: skip
        probed, recorded = builds["probed"], builds["recorded"]
        print(
            f"build recorded / probed: wall x{recorded[0] / probed[0]:.2f}, "
            f"CPU x{recorded[1] / max(probed[1], 1e-9):.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
