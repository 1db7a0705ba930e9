"""Benchmark ft_dcc.media.encode_review against a plain ffmpeg libx264 encode, in the same run.

Usage: ``.venv/bin/python bench/bench_encode.py [--frames 100] [--size 1920x1080] [--repeat 3]``

Makes a PNG sequence with ffmpeg's ``testsrc2`` pattern, then encodes it, each run in its own
child process (so peak memory is that process tree's own): the baseline is
``ffmpeg -framerate 24 -i seq.%04d.png -c:v libx264 out.mp4`` with the same ffmpeg; ours is
``encode_review`` (BT.709 conversion, even-size padding, exact CFR, +faststart, progress, and
the post-encode frame-count check). Peak memory is the largest resident set of any process in
the tree (ru_maxrss of the children). Also runs the usual review recipe
(``-pix_fmt yuv420p -profile:v high -crf 18 -movflags +faststart``) as a like-for-like
reference. Prints medians (wall, CPU, peak RSS, output size) and ratios ours/baseline and
ours/recipe (< 1 means ft_dcc is faster or smaller).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, subprocess, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
mode, frames_dir, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
from ft_dcc.media.ffmpeg import ffmpeg_executable
start = time.perf_counter()
if mode in ("baseline", "recipe"):
    extra = []
    if mode == "recipe":
        extra = ["-pix_fmt", "yuv420p", "-profile:v", "high", "-crf", "18",
                 "-movflags", "+faststart"]
    subprocess.run([ffmpeg_executable(), "-v", "error", "-y", "-framerate", "24",
                    "-i", str(frames_dir / "seq.%04d.png"), "-c:v", "libx264", *extra,
                    str(out)], check=True)
else:
    from ft_dcc.media import encode_review
    files = sorted(frames_dir.glob("seq.*.png"))
    encode_review(files, out, 24)
seconds = time.perf_counter() - start
children = resource.getrusage(resource.RUSAGE_CHILDREN)
own = resource.getrusage(resource.RUSAGE_SELF)
cpu = children.ru_utime + children.ru_stime + own.ru_utime + own.ru_stime
peak_kb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
              resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
size = out.stat().st_size
print(json.dumps({{"seconds": seconds, "cpu": cpu, "peak_mb": peak_kb / 1024, "bytes": size}}))
"""


def measure(mode: str, frames_dir: Path, out: Path) -> Dict[str, float]:
    code = CHILD.format(root=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", code, mode, str(frames_dir), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from ft_dcc.media.ffmpeg import ffmpeg_executable
    from ft_dcc.media.probe import probe_movie

    with tempfile.TemporaryDirectory(prefix="bench_encode_") as scratch:
        frames_dir = Path(scratch) / "frames"
        frames_dir.mkdir()
        subprocess.run(
            [
                ffmpeg_executable(),
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size={args.size}:rate=24",
                "-frames:v",
                str(args.frames),
                str(frames_dir / "seq.%04d.png"),
            ],
            check=True,
        )
        modes = ("baseline", "recipe", "ours")
        runs: Dict[str, List[Dict[str, float]]] = {mode: [] for mode in modes}
        for index in range(args.repeat):
            for mode in modes:  # interleaved, so drift in machine load hits all alike
                out = Path(scratch) / f"{mode}_{index}.mp4"
                runs[mode].append(measure(mode, frames_dir, out))
        infos = {mode: probe_movie(Path(scratch) / f"{mode}_0.mp4") for mode in modes}

    def median(mode: str, key: str) -> float:
        return statistics.median(run[key] for run in runs[mode])

    print(f"{args.frames} PNG frames {args.size}, {args.repeat} runs each (median)")
    print("baseline = ffmpeg -i seq -c:v libx264; recipe = + yuv420p High crf 18 +faststart")
    print(f"{'':10}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}{'MB out':>8}  profile/pix_fmt/faststart")
    for mode in modes:
        info = infos[mode]
        print(
            f"{mode:10}{median(mode, 'seconds'):8.2f}{median(mode, 'cpu'):8.2f}"
            f"{median(mode, 'peak_mb'):9.0f}{median(mode, 'bytes') / 1e6:8.2f}  "
            f"{info.profile}/{info.pix_fmt}/{info.faststart}"
        )
    for reference in ("baseline", "recipe"):
        ratios = ", ".join(
            f"{label} {median('ours', key) / median(reference, key):.2f}"
            for key, label in (
                ("seconds", "wall"),
                ("cpu", "cpu"),
                ("peak_mb", "peak memory"),
                ("bytes", "size"),
            )
        )
        print(f"ours/{reference}: {ratios}")


if __name__ == "__main__":
    main()
