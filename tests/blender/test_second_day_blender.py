"""``ft-dcc publish SCENE.blend --host blender`` on the second day: the settings' name for today
("Dailies 2026-11-26") is created beside yesterday's open session, in the headless Blender's
publish as in the CLI's; a typed misspelling is still refused there. "Today" is
``FT_DCC_TODAY``."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from blender_helpers import ROOT, headless_ft_dcc, needs_bpy, server_env, write_json
from support import make_task, open_session

from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.review import sessions as review
from ft_dcc.settings.templates import ENV_TODAY

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]


def bpy_scene(tmp_path: Path, env: Dict[str, str]) -> Path:
    """The demo scene saved by the bpy module: frames 1-4 at 25 fps, small."""
    blend = tmp_path / "sh010_anim_v001.blend"
    options = {"path": str(blend), "width": 160, "height": 90, "frame_start": 1, "frame_end": 4,
               "fps": 25}  # fmt: skip
    arguments = write_json(tmp_path / "scene.json", options)
    demo = ROOT / "hosts" / "blender" / "demo_scene.py"
    subprocess.run([sys.executable, str(demo), "--", str(arguments)], env=env, check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    return blend


def publish(env: Dict[str, str], blend: Path, task: str, *extra: str) -> Any:
    return headless_ft_dcc(
        env, "publish", str(blend), "--host", "blender", "--task", task, "--json", *extra
    )


def test_headless_blender_publishes_into_day_twos_session_beside_day_ones(
    tmp_path: Path, blender_env: Dict[str, str], embedded_server: Any
) -> None:
    setup = open_session(embedded_server, tmp_path)
    task = make_task(setup, f"blday{uuid.uuid4().hex[:8]}", 1, 4, fps=25)
    project = setup.get("Project", resolve_task(setup, None, task)["project_id"])
    for older in ("Dailies 2026-11-25", "Dailies 2026-11-24", "Dailies 2026-11-16"):
        review.find_or_create_review_session(setup, project, older)
    env = dict(server_env(blender_env, embedded_server), **{ENV_TODAY: "2026-11-26"})
    env.pop("FT_DCC_SETTINGS", None)
    blend = bpy_scene(tmp_path, env)

    refused = publish(env, blend, task, "--review-session", "Dailies 2026-11-2")
    assert refused.returncode == 1, refused.stderr[-3000:]
    said = refused.stdout + refused.stderr
    assert "no review session is called 'Dailies 2026-11-2', but 'Dailies 2026-11-2" in said

    done = publish(env, blend, task)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["ok"] and report["review_session_name"] == "Dailies 2026-11-26"
    rows = setup.query(
        f'select name from ReviewSession where project_id is "{project["id"]}"'
    ).all()
    assert sorted(r["name"] for r in rows) == [
        "Dailies 2026-11-16",
        "Dailies 2026-11-24",
        "Dailies 2026-11-25",
        "Dailies 2026-11-26",
    ]
