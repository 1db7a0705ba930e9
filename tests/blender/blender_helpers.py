"""Helpers for the real-Blender tests: every Blender runs in a subprocess (a GL failure aborts
the whole process) with HOME and the XDG folders in a temp dir (``blender_env`` fixture)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

SCRIPTS = Path(__file__).resolve().parent / "scripts"
ROOT = Path(__file__).resolve().parents[2]


def has_bpy() -> bool:
    return importlib.util.find_spec("bpy") is not None


needs_bpy = pytest.mark.skipif(not has_bpy(), reason="the bpy module is not installed")
needs_gui_blender = pytest.mark.skipif(
    not (shutil.which("blender") and shutil.which("xvfb-run")),
    reason="Debian blender and xvfb-run are not installed (make system-deps)",
)


def script_result(output: str) -> Dict[str, Any]:
    """The JSON a test script printed on its ``RESULT`` line."""
    for line in reversed(output.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise AssertionError(f"the script printed no RESULT line; its output:\n{output[-4000:]}")


def run_bpy(
    script: str, args: List[Any], env: Dict[str, str], timeout: float = 600
) -> Dict[str, Any]:
    """Run ``scripts/<script>`` with the bpy module in a fresh Python; return its RESULT."""
    command = [sys.executable, str(SCRIPTS / script), "--", *map(str, args)]
    return _run(command, env, timeout)


def run_blender(
    script: str,
    args: List[Any],
    env: Dict[str, str],
    gui: bool = False,
    blend: Optional[Path] = None,
    timeout: float = 600,
) -> Dict[str, Any]:
    """Run ``scripts/<script>`` in Debian's blender: background, or with a window under Xvfb."""
    command = ["blender"]
    if not gui:
        command.append("-b")
    if blend is not None:
        command.append(str(blend))
    else:
        command.append("--factory-startup")
    command += ["--python-exit-code", "1", "-P", str(SCRIPTS / script), "--", *map(str, args)]
    if gui:
        command.insert(1, "--enable-event-simulate")
        command = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", *command]
    return _run(command, env, timeout)


def _run(command: List[str], env: Dict[str, str], timeout: float) -> Dict[str, Any]:
    process = subprocess.run(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )
    result = script_result(process.stdout)
    result["_returncode"] = process.returncode
    result["_output"] = process.stdout
    return result


def build_addon_zip(dest: Path) -> Path:
    """The add-on zip, built by the real ``ft-dcc host install blender`` command."""
    process = subprocess.run(
        [sys.executable, "-m", "ft_dcc", "host", "install", "blender", "--dest", str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    (built,) = sorted(dest.glob("ft_dcc_blender-*.zip"))
    return built


def make_task(
    session: Any, project_name: str, start: int = 1001, end: int = 1012, shot: bool = True
) -> str:
    """A Project/sq010/sh010/anim task whose shot has the range ``start``-``end``; without
    ``shot``, a Project/anim task (no shot range or fps to match)."""
    project = session.create(
        "Project",
        {
            "name": project_name,
            "full_name": project_name,
            "project_schema": session.query("ProjectSchema").first(),
        },
    )
    if not shot:
        session.create("Task", {"name": "anim", "parent": project})
        session.commit()
        return f"{project_name}/anim"
    sequence = session.create("Sequence", {"name": "sq010", "parent": project})
    shot_entity = session.create("Shot", {"name": "sh010", "parent": sequence})
    shot_entity["custom_attributes"]["fstart"] = start
    shot_entity["custom_attributes"]["fend"] = end
    session.create("Task", {"name": "anim", "parent": shot_entity})
    session.commit()
    return f"{project_name}/sq010/sh010/anim"


def count_entities(session: Any) -> Dict[str, int]:
    """How many publish-related entities the server holds (fresh queries)."""
    types = ["Asset", "AssetVersion", "Component", "ReviewSessionObject"]
    return {t: len(session.query(f"select id from {t}").all()) for t in types}


def ffprobe(path: Path) -> Dict[str, Any]:
    """Debian's ffprobe view of the first video stream, frames counted."""
    output = subprocess.run(
        [
            "ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
            "-show_entries",
            "stream=codec_name,profile,pix_fmt,width,height,r_frame_rate,nb_read_frames",
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


def write_json(path: Path, data: Dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
