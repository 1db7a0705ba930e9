"""``capture.shading`` reaches a real Blender publish: ``ft-dcc publish SCENE.blend --host
blender`` (the bpy module, a background Workbench capture) with a settings file asking for
wireframe publishes a movie that is mostly background, where the scene's own solid shading
fills the objects in."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from blender_helpers import needs_bpy, server_env
from support import download_component, make_task, open_session
from test_headless import build_scene, publish

from ft_dcc.media.ffmpeg import ffmpeg_executable

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]


def not_background(movie: Path) -> float:
    """The share of the first frame's pixels that differ from its most common grey level."""
    raw = subprocess.run(
        [ffmpeg_executable(), "-loglevel", "error", "-i", str(movie), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    counts = [0] * 256
    for value in raw:
        counts[value] += 1
    background = counts.index(max(counts))
    near = sum(counts[max(0, background - 8) : background + 9])
    return 1.0 - near / len(raw)


def published(env: Dict[str, str], blend: Path, task: str, tmp_path: Path, name: str,
              settings: Dict[str, Any], server: Any) -> Path:  # fmt: skip
    studio = tmp_path / f"{name}.json"
    studio.write_text(json.dumps({"settings": settings}), encoding="utf-8")
    process = publish(dict(env, FT_DCC_SETTINGS=str(studio)), blend, task)
    assert process.returncode == 0, process.stderr[-3000:]
    report = json.loads(process.stdout)
    assert report["capture"]["display"]["viewport"]["shading"] == settings.get(
        "capture.shading", "scene"
    )
    return download_component(
        server, report["component_ids"]["ftrackreview-mp4"], tmp_path / f"{name}.mp4"
    )


def test_capture_shading_wireframe_in_a_blender_publish(
    tmp_path: Path, blender_env: Dict[str, str], embedded_server: Any
) -> None:
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blkey{uuid.uuid4().hex[:8]}", 1001, 1003)
    env = server_env(blender_env, embedded_server)
    blend = build_scene(tmp_path, env, "bpy", frame_start=1001, frame_end=1003, fps=25)
    scene = published(env, blend, task, tmp_path, "scene", {}, embedded_server)
    wire = published(env, blend, task, tmp_path, "wire", {"capture.shading": "wireframe"},
                     embedded_server)  # fmt: skip
    solid_share, wire_share = not_background(scene), not_background(wire)
    assert solid_share > 0.05, solid_share  # the objects fill part of the picture
    assert wire_share < 0.5 * solid_share, (wire_share, solid_share)  # only their edges
