"""Real media for tests: ffmpeg-made frames, and real ffprobe checks of published movies."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Dict, Tuple

import requests

from ft_dcc.media.ffmpeg import ffmpeg_executable

#: the test-pattern frames ffmpeg made in this process, by (size, rate, count): frame N of
#: ``testsrc2`` is the same bytes whatever the start number, so a sequence asked again is copied
_MADE: Dict[Tuple[str, str, int], Path] = {}


def make_sequence(
    folder: Path,
    *,
    frames: int = 12,
    start: int = 1001,
    size: str = "320x240",
    rate: str = "25",
    name: str = "shot",
) -> Path:
    """A PNG sequence ``folder/<name>.%04d.png``: ``frames`` test-pattern frames from ``start``
    (``rate`` only shapes ffmpeg's pattern; PNG frames carry no rate). ffmpeg makes each
    (size, rate, count) once per process; later sequences of it are copies of its files."""
    folder.mkdir(parents=True, exist_ok=True)
    made = _made_frames(size, rate, frames)
    for index in range(frames):
        shutil.copyfile(made / f"f.{index + 1:04d}.png", folder / f"{name}.{start + index:04d}.png")
    return folder / f"{name}.%04d.png"


def _made_frames(size: str, rate: str, frames: int) -> Path:
    """The folder of ffmpeg's ``frames`` test-pattern frames ``f.0001.png``... of this size
    and rate (made on first use, in a folder removed when the process ends)."""
    key = (size, rate, frames)
    if key not in _MADE:
        made = Path(tempfile.mkdtemp(prefix="ft_dcc-test-frames-"))
        atexit.register(_remove, made, os.getpid())
        subprocess.run(
            [
                ffmpeg_executable(), "-loglevel", "error", "-f", "lavfi",
                "-i", f"testsrc2=size={size}:rate={rate}", "-frames:v", str(frames),
                "-start_number", "1", str(made / "f.%04d.png"),
            ],
            check=True,
        )  # fmt: skip
        _MADE[key] = made
    return _MADE[key]


def _remove(folder: Path, owner: int) -> None:
    """Remove ``folder`` at the exit of the process that made it (not of a forked child)."""
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


def make_movie(path: Path, *, frames: int, size: str = "320x180", codec: str = "mjpeg") -> Path:
    """A ``frames``-frame 25 fps test-pattern movie of ``size`` in ``codec`` (a source movie,
    not a review one: mjpeg by default)."""
    subprocess.run(
        [
            ffmpeg_executable(), "-loglevel", "error", "-f", "lavfi",
            "-i", f"testsrc2=size={size}:rate=25", "-frames:v", str(frames),
            "-c:v", codec, str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def ffprobe(path: Path) -> Dict[str, Any]:
    """Debian's ffprobe view of the first video stream of ``path``, frames counted."""
    exe = shutil.which("ffprobe")
    assert exe, "Debian's ffprobe is needed for this test (make system-deps installs it)"
    output = subprocess.run(
        [
            exe, "-v", "error", "-select_streams", "v:0", "-count_frames",
            "-show_entries",
            "stream=codec_name,profile,pix_fmt,width,height,r_frame_rate,avg_frame_rate,"
            "nb_read_frames",
            "-of", "json", str(path),
        ],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(output)["streams"][0]


def download_component(server: Any, component_id: str, target: Path) -> Path:
    """Download a component's file from ``server`` over real HTTP into ``target``."""
    response = requests.get(
        f"{server.url}/component/get",
        params={"id": component_id},
        headers={"ftrack-user": server.api_user, "ftrack-api-key": server.api_key},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:300]
    target.write_bytes(response.content)
    return target


def assert_review_movie(
    server: Any,
    component_id: str,
    target: Path,
    *,
    frames: int = 12,
    rate: str = "25/1",
    size: Tuple[int, int] = (320, 180),
) -> Dict[str, Any]:
    """Download a published review movie and assert ffprobe sees browser-playable H.264
    (yuv420p) at ``rate`` fps with ``frames`` frames of ``size``; returns the stream."""
    stream = ffprobe(download_component(server, component_id, target))
    assert stream["codec_name"] == "h264"
    assert stream["pix_fmt"] == "yuv420p"
    assert stream["r_frame_rate"] == rate
    assert int(stream["nb_read_frames"]) == frames
    assert (stream["width"], stream["height"]) == size
    return stream
