"""Paths and helpers for the Nuke adapter tests (real ffprobe, real HTTP to the embedded server)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict

ROOT = Path(__file__).resolve().parents[2]
FAKES = ROOT / "tests" / "fakes" / "nuke"


def make_task(
    session: Any, project_name: str, start: int = 1001, end: int = 1012, fps: float = 25.0
) -> str:
    """A Project/sq010/sh010/comp task whose shot has the range ``start``-``end`` at ``fps``."""
    project = session.create(
        "Project",
        {
            "name": project_name,
            "full_name": project_name,
            "project_schema": session.query("ProjectSchema").first(),
        },
    )
    sequence = session.create("Sequence", {"name": "sq010", "parent": project})
    shot = session.create("Shot", {"name": "sh010", "parent": sequence})
    session.create("Task", {"name": "comp", "parent": shot})
    session.commit()
    shot["custom_attributes"]["fstart"] = start  # inherited attributes: set once committed
    shot["custom_attributes"]["fend"] = end
    shot["custom_attributes"]["fps"] = fps
    session.commit()
    return f"{project_name}/sq010/sh010/comp"


def open_session(server: Any, cache_dir: Path) -> Any:
    """An ``ft_dcc.Session`` on ``server`` (schema cached in ``cache_dir``)."""
    from ft_dcc import Session

    return Session(
        server_url=server.url,
        api_user=server.api_user,
        api_key=server.api_key,
        schema_cache_path=str(cache_dir / "schema-cache"),
        plugin_paths=[],
    )


def count_entities(session: Any) -> Dict[str, int]:
    """How many publish-related entities the server holds (fresh queries)."""
    types = ["Asset", "AssetVersion", "Component", "ReviewSessionObject"]
    return {t: len(session.query(f"select id from {t}").all()) for t in types}


def ffprobe(path: Path) -> Dict[str, Any]:
    """Debian's ffprobe view of the first video stream, frames counted."""
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


def download_component(server: Any, component_id: str, target: Path) -> Path:
    import requests

    response = requests.get(
        f"{server.url}/component/get",
        params={"id": component_id},
        headers={"ftrack-user": server.api_user, "ftrack-api-key": server.api_key},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:300]
    target.write_bytes(response.content)
    return target
