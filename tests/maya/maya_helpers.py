"""Paths for the Maya adapter tests."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any, Dict

import requests

ROOT = Path(__file__).resolve().parents[2]
FAKES = ROOT / "tests" / "fakes" / "maya"


def open_session(server: Any, tmp_path: Path) -> Any:
    """An ``ft_dcc.Session`` on an embedded server with its own schema cache."""
    from ft_dcc.session import Session

    return Session(
        server_url=server.url,
        api_key=server.api_key,
        api_user=server.api_user,
        schema_cache_path=str(tmp_path / "schema-cache"),
        plugin_paths=[],
    )


def make_task(session: Any, *, fstart: int, fend: int, fps: float) -> str:
    """A new ``<project>/sq010/sh010/anim`` task whose shot has this range and fps."""
    name = f"maya{uuid.uuid4().hex[:8]}"
    project = session.create(
        "Project",
        {"name": name, "full_name": name, "project_schema": session.query("ProjectSchema").first()},
    )
    sequence = session.create("Sequence", {"name": "sq010", "parent": project})
    shot = session.create("Shot", {"name": "sh010", "parent": sequence})
    session.create("Task", {"name": "anim", "parent": shot})
    session.commit()
    shot["custom_attributes"]["fstart"] = fstart
    shot["custom_attributes"]["fend"] = fend
    shot["custom_attributes"]["fps"] = fps
    session.commit()
    return f"{name}/sq010/sh010/anim"


def count_versions(session: Any) -> int:
    return len(session.query("select id from AssetVersion").all())


def download_component(server: Any, component_id: str, target: Path) -> Path:
    response = requests.get(
        f"{server.url}/component/get",
        params={"id": component_id},
        headers={"ftrack-user": server.api_user, "ftrack-api-key": server.api_key},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:300]
    target.write_bytes(response.content)
    return target


def ffprobe(path: Path) -> Dict[str, Any]:
    """The real ffprobe's view of the first video stream, frames counted."""
    exe = shutil.which("ffprobe")
    assert exe, "Debian's ffprobe is needed for this test"
    output = subprocess.run(
        [
            exe, "-v", "error", "-select_streams", "v:0", "-count_frames",
            "-show_entries",
            "stream=codec_name,pix_fmt,width,height,r_frame_rate,nb_read_frames",
            "-of", "json", str(path),
        ],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return json.loads(output)["streams"][0]
