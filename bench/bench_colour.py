"""Benchmark the review colour path: the OCIO transform's cost per 1080p frame vs the encode's.

Usage: ``.venv/bin/python bench/bench_colour.py [--frames 24] [--size 1920x1080] [--repeat 3]``

Writes a scene-linear float EXR sequence (a gradient from 0 to 8.0, so the view transform's
highlight roll-off is exercised), then measures, in the same run and on the same ffmpeg:

- ``ocio_numpy``: OpenColorIO's CPU processor on one frame's float planes (in process);
- ``encode_raw``: ``encode_review`` of the EXRs with no transform (the encode's own cost: the
  baseline);
- ``encode_ocio``: ``encode_review`` with the OCIO transform (decode → numpy/OCIO → encode, the
  path ft_dcc uses);
- ``encode_lut``: the same encode with the transform baked into a 65³ cinespace LUT with an
  ACEScct shaper, applied by ffmpeg's ``lut3d`` (the alternative the issue names; an ACEScct
  shaper suits AP1 inputs only: OCIO refuses a shaper with channel crosstalk).

Prints medians per frame and ratios against ``encode_raw``, plus how far the baked LUT lands
from OCIO's own values on a chart (8-bit code values): speed and accuracy of both choices.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

CONFIG = "ocio://studio-config-latest"
SOURCE, DISPLAY, VIEW = "ACEScg", "sRGB - Display", "ACES 2.0 - SDR 100 nits (Rec.709)"


def write_sequence(folder: Path, frames: int, width: int, height: int) -> Path:
    import numpy

    from ft_dcc.media.ffmpeg import ffmpeg_executable

    x = numpy.linspace(0.0, 8.0, width, dtype=numpy.float32) ** 2 / 8.0
    y = numpy.linspace(0.2, 1.0, height, dtype=numpy.float32)[:, None]
    red, green, blue = x * y, (x * y) ** 0.9, numpy.broadcast_to(x[::-1] * 0.5, (height, width))
    planes = numpy.stack([green, blue, red]).astype("<f4").tobytes()
    pattern = folder / "seq.%04d.exr"
    subprocess.run(
        [ffmpeg_executable(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "gbrpf32le",
         "-s", f"{width}x{height}", "-framerate", "24", "-i", "pipe:0",
         "-frames:v", str(frames), "-c:v", "exr", "-compression", "zip1", "-start_number", "1",
         str(pattern)],
        input=planes * frames, check=True,
    )  # fmt: skip
    return pattern


def bake_lut(folder: Path) -> Path:
    import PyOpenColorIO as ocio

    baker = ocio.Baker()
    baker.setConfig(ocio.Config.CreateFromFile(CONFIG))
    baker.setFormat("cinespace")
    baker.setInputSpace(SOURCE)
    baker.setShaperSpace("ACEScct")  # a log shaper: values above 1.0 keep their precision
    baker.setDisplayView(DISPLAY, VIEW)
    baker.setShaperSize(4096)
    baker.setCubeSize(65)
    path = folder / "review.csp"
    path.write_text(baker.bake(), encoding="utf-8")
    return path


def lut_encode(pattern: Path, lut: Path, out: Path, frames: int, start: int = 1) -> None:
    from ft_dcc.media.encode import _h264_arguments
    from ft_dcc.media.ffmpeg import run_ffmpeg

    graph = (f"format=gbrpf32le,lut3d=file={lut}:interp=tetrahedral,"
             "scale=out_color_matrix=bt709:out_range=tv:flags=accurate_rnd+full_chroma_int,"
             "format=yuv420p")  # fmt: skip
    run_ffmpeg(["-framerate", "24", "-start_number", str(start), "-i", str(pattern), "-vf", graph,
                *_h264_arguments(__import__("fractions").Fraction(24), 18),
                "-frames:v", str(frames), str(out)], what="LUT encode")  # fmt: skip


def transform():  # -> ColourTransform
    from ft_dcc.media.colour import ColourSettings, ColourTransform, resolve_colour

    settings = ColourSettings(config=CONFIG, input_colorspace=SOURCE, display=DISPLAY, view=VIEW)
    return ColourTransform(resolve_colour(settings))


def timed(run: Callable[[], None], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def ocio_frame_cost(width: int, height: int, repeat: int) -> float:
    import numpy

    colour = transform()
    planes = numpy.random.default_rng(1).random((3, height * width), dtype=numpy.float32) * 4

    def run() -> None:
        frame = planes.copy()
        colour.apply_planar(frame[2], frame[0], frame[1], width, height)

    return timed(run, repeat)


def lut_accuracy(folder: Path, lut: Path) -> int:
    """Worst 8-bit difference between the baked LUT and OCIO on the test chart."""
    from support.colour import movie_patches, ocio_expected, worst_difference, write_exr_chart

    chart = write_exr_chart(folder / "chart", frames=1)
    movie = folder / "chart_lut.mp4"
    lut_encode(chart, lut, movie, 1, start=1001)
    return worst_difference(movie_patches(movie), ocio_expected(CONFIG, SOURCE, DISPLAY, VIEW))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=24)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    from ft_dcc.media import encode_review

    colour = transform()
    with tempfile.TemporaryDirectory(prefix="bench_colour_") as scratch:
        folder = Path(scratch)
        pattern = write_sequence(folder, args.frames, width, height)
        lut = bake_lut(folder)
        n = args.frames
        per_frame: Dict[str, float] = {
            "ocio_numpy": ocio_frame_cost(width, height, args.repeat),
            "encode_raw": timed(lambda: encode_review(pattern, folder / "raw.mp4", 24),
                                args.repeat) / n,
            "encode_ocio": timed(lambda: encode_review(pattern, folder / "ocio.mp4", 24,
                                                       colour=colour), args.repeat) / n,
            "encode_lut": timed(lambda: lut_encode(pattern, lut, folder / "lut.mp4", n),
                                args.repeat) / n,
        }  # fmt: skip
        worst_lut = lut_accuracy(folder, lut)
    base = per_frame["encode_raw"]
    print(f"{n} frames {width}x{height}, median of {args.repeat}; OCIO {CONFIG}, "
          f"{SOURCE} -> {DISPLAY} / {VIEW}")  # fmt: skip
    lines: List[str] = []
    for name, seconds in per_frame.items():
        ratio = seconds / base
        lines.append(f"  {name:12s} {seconds * 1000:8.1f} ms/frame  {ratio:5.2f}x encode_raw")
    print("\n".join(lines))
    print(f"  baked LUT vs OCIO on the chart: worst {worst_lut} code values "
          "(the numpy path is OCIO itself: within 2 after the YUV round trip)")


if __name__ == "__main__":
    main()
