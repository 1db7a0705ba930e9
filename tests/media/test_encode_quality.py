"""The review movie looks like the frames it was made from: a quality floor for the encoder's
speed settings (SSIM measured by ffmpeg's ``ssim`` filter against the source PNGs)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from ft_dcc.media import encode_review
from ft_dcc.media.ffmpeg import ffmpeg_executable

FLOOR = 0.995  # ffmpeg's default libx264 encode (CRF 23, medium) of these frames stays below it


def _frames(folder: Path) -> str:
    """24 detailed frames (mandelbrot zoom, hard for an encoder) at 640x360."""
    pattern = folder / "f.%04d.png"
    subprocess.run(
        [ffmpeg_executable(), "-v", "error", "-y", "-f", "lavfi",
         "-i", "mandelbrot=size=640x360:rate=24", "-frames:v", "24", "-start_number", "1",
         str(pattern)],
        check=True,
    )  # fmt: skip
    return str(pattern)


def _ssim(movie: Path, pattern: str) -> float:
    done = subprocess.run(
        [ffmpeg_executable(), "-i", str(movie), "-framerate", "24", "-start_number", "1",
         "-i", pattern, "-lavfi", "[1]format=yuv420p[src];[0][src]ssim", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(re.search(r"SSIM .*All:([\d.]+)", done.stderr).group(1))


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    return _frames(tmp_path_factory.mktemp("quality"))


def test_the_review_movie_keeps_the_detail_of_its_frames(source, tmp_path):
    movie = encode_review(sorted(Path(source).parent.glob("f.*.png")), tmp_path / "r.mp4", 24)
    assert _ssim(movie, source) >= FLOOR


def test_the_floor_tells_a_default_encode_apart(source, tmp_path):
    plain = tmp_path / "plain.mp4"
    subprocess.run(
        [ffmpeg_executable(), "-v", "error", "-y", "-framerate", "24", "-start_number", "1",
         "-i", source, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(plain)],
        check=True,
    )  # fmt: skip
    assert _ssim(plain, source) < FLOOR
