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
    keys = {"Metadata": "parent_id, key"}
    return {t: len(session.query(f"select {keys.get(t, 'id')} from {t}").all()) for t in types}


def open_session(server: Any, tmp_path: Path, **kwargs: Any) -> Any:
    """An ``ft_dcc.Session`` on an embedded server, with its own schema cache."""
    from ft_dcc.session import Session

    kwargs.setdefault("schema_cache_path", str(tmp_path / "schema-cache"))
    kwargs.setdefault("plugin_paths", [])
    return Session(
        server_url=server.url, api_key=server.api_key, api_user=server.api_user, **kwargs
    )


def make_task(
    session: Any,
    *,
    fstart: Optional[int] = 1001,
    fend: Optional[int] = 1012,
    fps: Optional[float] = None,
    task_name: str = "comp",
) -> str:
    """A new Project/sq010/sh010/<task> (shot range and fps set); returns the task path."""
    import uuid

    name = f"proj{uuid.uuid4().hex[:8]}"
    project = session.create(
        "Project",
        {"name": name, "full_name": name, "project_schema": session.query("ProjectSchema").first()},
    )
    sequence = session.create("Sequence", {"name": "sq010", "parent": project, "project": project})
    shot = session.create("Shot", {"name": "sh010", "parent": sequence, "project": project})
    session.create(
        "Task",
        {
            "name": task_name,
            "parent": shot,
            "project": project,
            "type": session.query('Type where name is "Compositing"').first(),
        },
    )
    session.commit()
    if fstart is not None:
        shot["custom_attributes"]["fstart"] = fstart
    if fend is not None:
        shot["custom_attributes"]["fend"] = fend
    if fps is not None:
        shot["custom_attributes"]["fps"] = fps
    session.commit()
    return f"{name}/sq010/sh010/{task_name}"
