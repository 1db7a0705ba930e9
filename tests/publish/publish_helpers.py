"""Helpers for publish tests: real image sequences made with ffmpeg, real ffprobe checks."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from fractions import Fraction
from pathlib import Path
from typing import Any, Dict, List, Optional

from ft_dcc.media.ffmpeg import ffmpeg_executable


def make_sequence(
    folder: Path, *, frames: int = 12, start: int = 1001, size: str = "320x240", name: str = "shot"
) -> Path:
    """A PNG sequence ``folder/<name>.%04d.png`` of ``frames`` frames from ``start``."""
    folder.mkdir(parents=True, exist_ok=True)
    pattern = folder / f"{name}.%04d.png"
    subprocess.run(
        [
            ffmpeg_executable(), "-loglevel", "error", "-f", "lavfi",
            "-i", f"testsrc2=size={size}:rate=25", "-frames:v", str(frames),
            "-start_number", str(start), str(pattern),
        ],
        check=True,
    )  # fmt: skip
    return pattern


def closed_port() -> int:
    """A loopback port nobody listens on (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ffprobe(path: Path) -> Dict[str, Any]:
    """The real ffprobe's view of the first video stream, with counted frames."""
    exe = shutil.which("ffprobe")
    assert exe, "Debian's ffprobe is needed for this test"
    out = subprocess.run(
        [
            exe, "-v", "error", "-select_streams", "v:0", "-count_frames",
            "-show_entries",
            "stream=codec_name,profile,pix_fmt,width,height,r_frame_rate,avg_frame_rate,"
            "nb_read_frames",
            "-of", "json", str(path),
        ],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(out)["streams"][0]


def top_level_boxes(path: Path) -> List[str]:
    """The MP4 top-level box names in file order (``moov`` before ``mdat`` = faststart)."""
    boxes: List[str] = []
    data = path.read_bytes()
    offset = 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        boxes.append(kind)
        if size < 8:
            break
        offset += size
    return boxes


def rate(text: str) -> Fraction:
    num, den = text.split("/")
    return Fraction(int(num), int(den))


def count_entities(session: Any, types: Optional[List[str]] = None) -> Dict[str, int]:
    """How many entities of each type the server holds (fresh queries, no cache)."""
    types = types or [
        "Asset", "AssetVersion", "Component", "ComponentLocation", "ReviewSession",
        "ReviewSessionObject", "ReviewSessionInvitee", "Metadata",
    ]  # fmt: skip
    return {t: len(session.query(f"select id from {t}").all()) for t in types}
