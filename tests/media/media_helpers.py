"""Media test helpers: make real frames and movies with ffmpeg, judge them with real ffprobe."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ft_dcc.media.ffmpeg import ffmpeg_executable

#: Frame k of a "numbered" clip is a flat colour whose red channel is k * STEP (then wraps).
STEP = 7


def ffmpeg(*args: str) -> None:
    subprocess.run(
        [ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True
    )


def make_frames(
    directory: Path,
    count: int,
    *,
    start: int = 1001,
    size: Tuple[int, int] = (64, 48),
    name: str = "shot.%04d.png",
    source: str = "numbered",
) -> List[Path]:
    """Write ``count`` PNG frames numbered from ``start``; frame k has red = (k - start) * STEP.

    ``source="testsrc"`` writes ffmpeg's test pattern instead of flat numbered colours.
    """
    directory.mkdir(parents=True, exist_ok=True)
    width, height = size
    if source == "numbered":
        graph = (
            f"color=black:s={width}x{height}:r=25,format=rgb24,"
            f"geq=r='mod(N*{STEP},256)':g='128':b='255-mod(N*{STEP},256)'"
        )
    else:
        graph = f"testsrc=size={width}x{height}:rate=25"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        graph,
        "-frames:v",
        str(count),
        "-start_number",
        str(start),
        str(directory / name),
    )
    return [directory / (name % frame) for frame in range(start, start + count)]


def make_movie(
    path: Path,
    count: int,
    *,
    fps: str = "25",
    size: Tuple[int, int] = (64, 48),
    extra: Optional[List[str]] = None,
) -> Path:
    """A movie of ``count`` numbered flat-colour frames (see :func:`make_frames`)."""
    width, height = size
    graph = (
        f"color=black:s={width}x{height}:r={fps},format=rgb24,"
        f"geq=r='mod(N*{STEP},256)':g='128':b='255-mod(N*{STEP},256)'"
    )
    args = extra if extra is not None else ["-c:v", "libx264", "-pix_fmt", "yuv420p"]
    ffmpeg("-f", "lavfi", "-i", graph, "-frames:v", str(count), *args, str(path))
    return path


def decode_rgb(movie: Path, video_filter: str, *args: str) -> bytes:
    """The frames of ``movie`` after ``video_filter``, decoded to raw rgb24 bytes by ffmpeg."""
    return subprocess.run(
        [
            ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-i", str(movie),
            "-vf", video_filter, *args, "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
        ],
        check=True,
        capture_output=True,
    ).stdout  # fmt: skip


def ffprobe_streams(ffprobe: str, path: Path, *args: str) -> List[Dict[str, Any]]:
    """The ``streams`` of ffprobe's JSON answer for ``path`` (``args`` choose and select)."""
    out = subprocess.run(
        [ffprobe, "-v", "error", *args, "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)["streams"]


def red_levels(movie: Path, size: Tuple[int, int] = (16, 12), channel: int = 0) -> List[float]:
    """The mean red (or ``channel``) level of every decoded frame of ``movie``."""
    return [levels[channel] for levels in rgb_levels(movie, size)]


def rgb_levels(movie: Path, size: Tuple[int, int] = (16, 12)) -> List[Tuple[float, ...]]:
    """The mean (red, green, blue) levels of every decoded frame of ``movie`` (one decode)."""
    width, height = size
    raw = decode_rgb(movie, f"scale={width}:{height}:flags=area", "-fps_mode", "passthrough")
    frame_bytes = width * height * 3
    levels = []
    for offset in range(0, len(raw), frame_bytes):
        frame = raw[offset : offset + frame_bytes]
        levels.append(tuple(sum(frame[channel::3]) / (width * height) for channel in range(3)))
    return levels


def frame_indices(movie: Path, reference: Optional[List[float]] = None) -> List[int]:
    """Which numbered source frame each frame of ``movie`` shows (by its red level).

    ``reference`` gives the source's own decoded levels (for lossy sources); by default frame
    k is expected at red = k * STEP.
    """
    levels = reference if reference is not None else [k * STEP for k in range(256 // STEP)]
    return [
        min(range(len(levels)), key=lambda k: abs(levels[k] - level)) for level in red_levels(movie)
    ]


#: what :func:`ffprobe_stream` asks of the first video stream (frames counted by decoding)
_STREAM_ENTRIES = [
    "-select_streams", "v:0", "-count_frames", "-show_entries",
    "stream=codec_name,profile,pix_fmt,width,height,r_frame_rate,avg_frame_rate,"
    "nb_read_frames,color_space,color_primaries,color_transfer",
]  # fmt: skip


def ffprobe_stream(ffprobe: str, path: Path) -> Dict[str, Any]:
    """Real ffprobe's view of the first video stream, frames counted by decoding."""
    return ffprobe_streams(ffprobe, path, *_STREAM_ENTRIES)[0]


def ffprobe_stream_and_boxes(ffprobe: str, path: Path) -> Tuple[Dict[str, Any], List[str]]:
    """:func:`ffprobe_stream` of ``path`` and the MP4's top-level boxes in file order, as
    ffprobe's trace log reports them, from one ffprobe run (JSON on stdout, the log on stderr)."""
    done = subprocess.run(
        [ffprobe, "-v", "trace", *_STREAM_ENTRIES, "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    boxes = re.findall(r"type:'(\w{4})' parent:'root'", done.stderr)
    return json.loads(done.stdout)["streams"][0], boxes
