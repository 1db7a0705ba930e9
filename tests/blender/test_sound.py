"""Sound in sync: a Blender scene's sound strip is mixed down over the publish range
and lands in the review movie; a click at frame N is at N/fps (± 1 frame) in the decoded sound.
Runs headless through ``ft-dcc publish SCENE.blend --host blender`` with the real bpy module."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from blender_helpers import needs_bpy, server_env
from support import download_component, make_task, open_session
from support.audio import CLICK_FRAME, FPS, click_wav, decoded_click
from test_headless import build_scene, publish

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]
ADD_SOUND = Path(__file__).parent / "scripts" / "add_sound.py"
STRIP_START = 5  # the strip's first frame: the click (12 frames into the file) is at frame 17


def test_sound_strip_click_is_on_its_frame(tmp_path, blender_env, embedded_server):
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blsnd{uuid.uuid4().hex[:8]}", in_shot=False)
    env = server_env(blender_env, embedded_server)
    blend = build_scene(tmp_path, env, "bpy", frame_start=1, frame_end=24, fps=FPS)
    wav = click_wav(tmp_path / "click.wav")
    subprocess.run([sys.executable, str(ADD_SOUND), "--", str(blend), str(wav), str(STRIP_START)],
                   env=env, check=True, capture_output=True)  # fmt: skip

    process = publish(env, blend, task)
    assert process.returncode == 0, process.stderr[-3000:]
    report = json.loads(process.stdout)
    colour = report["capture"]["display"]["colour"]  # the scene's look, kept and recorded
    assert (colour["view_transform"], colour["exposure"]) == ("Standard", 0.5)
    movie = download_component(
        embedded_server, report["component_ids"]["ftrackreview-mp4"], tmp_path / "sound.mp4"
    )
    found = decoded_click(movie)
    assert found is not None, "the scene's sound strip did not reach the review movie"
    click, length = found
    expected = (STRIP_START + CLICK_FRAME - 1) / FPS  # frame 1 is time 0
    assert abs(click - expected) <= 1 / FPS, (click, expected)
    assert abs(length - 24 / FPS) <= 1 / FPS
