"""A scene-linear EXR chart, what OpenColorIO itself makes of it, and what a movie shows of it.

The chart is a grid of flat 32x32 patches: a stepped grey ramp from 0 to 8.0 (18% grey and
values above 1.0 included) and a row of colours, some above 1.0. Patches are flat so the
movie's 4:2:0 chroma does not blur their centres.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, List, Tuple

from ft_dcc.media.ffmpeg import ffmpeg_executable

PATCH = 32
GREYS = [0.0, 0.005, 0.02, 0.05, 0.1, 0.18, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0, 8.0]
COLOURS = [
    (0.18, 0.05, 0.02), (0.02, 0.18, 0.05), (0.05, 0.02, 0.18), (0.6, 0.3, 0.1),
    (1.5, 0.3, 0.1), (0.1, 1.2, 0.4), (0.2, 0.4, 2.5), (3.0, 3.0, 0.5),
    (0.9, 0.9, 0.9), (0.01, 0.01, 0.01), (0.4, 0.18, 0.18), (0.18, 0.18, 0.4),
    (6.0, 1.0, 1.0), (0.0, 0.0, 0.0),
]  # fmt: skip
PATCHES: List[Tuple[float, float, float]] = [(g, g, g) for g in GREYS] + COLOURS
COLUMNS = len(GREYS)
SIZE = (COLUMNS * PATCH, 2 * PATCH)


def chart_pixels() -> Any:
    """The chart as a float32 (height, width, 3) numpy array of scene-linear RGB."""
    import numpy

    image = numpy.zeros((SIZE[1], SIZE[0], 3), dtype=numpy.float32)
    for index, rgb in enumerate(PATCHES):
        row, column = divmod(index, COLUMNS)
        image[row * PATCH : (row + 1) * PATCH, column * PATCH : (column + 1) * PATCH] = rgb
    return image


def write_exr_chart(directory: Path, frames: int = 3, start: int = 1001) -> Path:
    """``frames`` identical float EXR frames of the chart; returns the ``%04d`` pattern."""
    directory.mkdir(parents=True, exist_ok=True)
    image = chart_pixels()
    planes = image.transpose(2, 0, 1)[[1, 2, 0]]  # ffmpeg's gbrpf32le plane order: G, B, R
    pattern = directory / "chart.%04d.exr"
    subprocess.run(
        [ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "rawvideo", "-pix_fmt", "gbrpf32le", "-s", f"{SIZE[0]}x{SIZE[1]}",
         "-framerate", "24", "-i", "pipe:0", "-frames:v", str(frames),
         "-c:v", "exr", "-format", "float", "-compression", "zip1",
         "-start_number", str(start), str(pattern)],
        input=planes.astype("<f4").tobytes() * frames, check=True,
    )  # fmt: skip
    return pattern


def ocio_expected(config: str, colorspace: str, display: str, view: str) -> List[List[int]]:
    """Per patch, the 8-bit code values OpenColorIO's own CPU processor gives."""
    import numpy
    import PyOpenColorIO as ocio

    cfg = ocio.Config.CreateFromFile(config)
    processor = cfg.getProcessor(
        ocio.DisplayViewTransform(src=colorspace, display=display, view=view)
    ).getDefaultCPUProcessor()
    values = numpy.array(PATCHES, dtype=numpy.float32)
    processor.applyRGB(values)
    return [[round(min(max(c, 0.0), 1.0) * 255) for c in rgb] for rgb in values.tolist()]


def movie_patches(movie: Path, frame: int = 0) -> List[List[int]]:
    """Per patch, the mean 8-bit RGB of its central 16x16 pixels in ``movie``'s frame ``frame``
    (decoded with the movie's BT.709 matrix, limited range, by ffmpeg)."""
    import numpy

    raw = subprocess.run(
        [ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-i", str(movie),
         "-vf", f"select=eq(n\\,{frame}),scale=in_color_matrix=bt709:in_range=tv:"
         "flags=accurate_rnd+full_chroma_int,format=rgb24",
         "-frames:v", "1", "-f", "rawvideo", "pipe:1"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    image = numpy.frombuffer(raw, dtype=numpy.uint8).reshape(SIZE[1], SIZE[0], 3)
    found = []
    for index in range(len(PATCHES)):
        row, column = divmod(index, COLUMNS)
        y, x = row * PATCH + 8, column * PATCH + 8
        found.append([round(float(v)) for v in image[y : y + 16, x : x + 16].mean(axis=(0, 1))])
    return found


def worst_difference(found: List[List[int]], expected: List[List[int]]) -> int:
    return max(abs(a - b) for f, e in zip(found, expected) for a, b in zip(f, e))
