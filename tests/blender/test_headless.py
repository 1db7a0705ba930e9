"""``ft-dcc publish SCENE.blend --host blender``: Debian's blender when it can open the file,
else the bpy module in a subprocess; rational fps survive into the movie."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from blender_helpers import (
    ROOT,
    cached_blend,
    headless_ft_dcc,
    needs_bpy,
    needs_gui_blender,
    run_bpy,
    server_env,
    write_json,
)
from ft_dcc_hosts.blender.demo_template import write_demo_scene
from ft_dcc_hosts.blender.runner import blend_file_version
from gui_window import build_scene_34
from support import download_component, ffprobe, make_task, open_session

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]
DEMO_SCENE = ROOT / "hosts" / "blender" / "demo_scene.py"


def build_scene(tmp_path: Path, env, executable: str, **options) -> Path:
    """``tmp_path/scene-<executable>.blend``: the demo scene with ``options`` (320x180 unless
    they say), saved by Debian's Blender 3.4 (``blender``: the shipped template with the options
    written in, as :func:`gui_window.build_scene_34`) or by the ``bpy`` module (a bpy start);
    built once per test process for each executable and options, each test gets a copy."""
    scene = dict({"width": 320, "height": 180}, **options)

    def build(path: Path) -> None:
        if executable == "blender":
            write_demo_scene(path, **scene)
            return
        arguments = str(write_json(path.with_suffix(".json"), dict(scene, path=str(path))))
        command = [sys.executable, str(DEMO_SCENE), "--", arguments]
        subprocess.run(command, env=env, check=True, capture_output=True)

    key = json.dumps(["test_headless", executable, options], sort_keys=True)
    return cached_blend(tmp_path / f"scene-{executable}.blend", key, build)


def publish(env, blend: Path, task: str, *extra: str) -> subprocess.CompletedProcess:
    return headless_ft_dcc(
        env, "-v", "publish", str(blend), "--host", "blender", "--task", task,
        "--review-session", "Farm dailies", "--json", *extra,
    )  # fmt: skip


@needs_gui_blender
def test_blender_34_file_publishes_with_the_blender_executable(
    tmp_path, blender_env, embedded_server
):
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blhl{uuid.uuid4().hex[:8]}", 1001, 1012)
    env = server_env(blender_env, embedded_server)
    blend = build_scene_34(tmp_path)  # 1001-1012 at 25 fps, 320x180, saved by Blender 3.4
    assert blend_file_version(blend) == (3, 4)

    process = publish(env, blend, task, "--comment", "farm render")
    assert process.returncode == 0, process.stderr[-3000:]
    blender = shutil.which("blender")
    assert f"running {blender} -b --factory-startup --python-exit-code 2" in process.stderr
    assert "finishing the encode of 12 streamed frames" in process.stderr  # encoded meanwhile
    report = json.loads(process.stdout)
    assert report["ok"] and report["status"] == "published"
    assert report["review_session_name"] == "Farm dailies"
    movie = download_component(
        embedded_server, report["component_ids"]["ftrackreview-mp4"], tmp_path / "farm.mp4"
    )
    stream = ffprobe(movie)
    assert int(stream["nb_read_frames"]) == 12 and stream["r_frame_rate"] == "25/1"


def test_blender_50_file_at_23976_falls_back_to_bpy(tmp_path, blender_env, embedded_server):
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blhl{uuid.uuid4().hex[:8]}", in_shot=False)
    env = server_env(blender_env, embedded_server)
    blend = build_scene(tmp_path, env, "bpy", frame_start=1, frame_end=12, fps=24, fps_base=1.001)
    assert blend_file_version(blend) == (5, 0)

    process = publish(env, blend, task)
    assert process.returncode == 0, process.stderr[-3000:]
    assert f"running {sys.executable} " in process.stderr
    report = json.loads(process.stdout)
    assert report["capture"]["fps"] == "24000/1001"
    movie = download_component(
        embedded_server, report["component_ids"]["ftrackreview-mp4"], tmp_path / "ntsc.mp4"
    )
    stream = ffprobe(movie)
    assert stream["r_frame_rate"] == "24000/1001"
    assert int(stream["nb_read_frames"]) == 12
    assert (stream["codec_name"], stream["pix_fmt"]) == ("h264", "yuv420p")


def test_frames_are_handed_over_as_blender_writes_them(tmp_path, blender_env):
    """What lets a headless publish encode while capturing: each frame reaches the
    encoder complete, in order, before Blender has written the next one."""
    result = run_bpy("stream_handover.py", [tmp_path], blender_env)
    assert result["streams"] is True
    names = [f"frame_{n:04d}.png" for n in range(1, 7)]
    assert [h["name"] for h in result["handed"]] == result["files"] == names
    assert all(h["complete"] and not h["next_exists"] for h in result["handed"]), result


def test_streaming_can_be_turned_off(tmp_path, blender_env, embedded_server):
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blhl{uuid.uuid4().hex[:8]}", 1, 4)
    env = dict(server_env(blender_env, embedded_server), FT_DCC_STREAM_ENCODE="0")
    blend = build_scene(tmp_path, env, "bpy", frame_start=1, frame_end=4, fps=25)
    process = publish(env, blend, task)
    assert process.returncode == 0, process.stderr[-3000:]
    assert "streamed frames" not in process.stderr  # captured first, then encoded
    assert json.loads(process.stdout)["ok"]


def logging_blender(folder: Path) -> Path:
    """A ``blender`` that logs each start (one line of arguments) before running Debian's."""
    folder.mkdir(parents=True, exist_ok=True)
    wrapper, log = folder / "blender", folder / "starts.log"
    real = shutil.which("blender")
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec {real} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return wrapper


def blender_starts(wrapper: Path) -> list:
    log = wrapper.parent / "starts.log"
    return log.read_text(encoding="utf-8").splitlines() if log.is_file() else []


@needs_gui_blender
def test_one_headless_publish_starts_blender_once(tmp_path, blender_env, embedded_server):
    """No ``blender --version`` before the publishing Blender: one start, cold or warm
    version cache; a file too new for this Blender is published with bpy, and once that is
    known no Blender is started for it at all."""
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"blhl{uuid.uuid4().hex[:8]}", 1001, 1003)
    wrapper = logging_blender(tmp_path / "bin")
    env = dict(server_env(blender_env, embedded_server), FT_DCC_BLENDER=str(wrapper))
    blend = build_scene(tmp_path, env, "blender", frame_start=1001, frame_end=1003, fps=25)

    for publish_number in (1, 2):  # the first with a cold cache, the second with a warm one
        process = publish(env, blend, task)
        assert process.returncode == 0, process.stderr[-3000:]
        starts = blender_starts(wrapper)
        assert len(starts) == publish_number, starts
        assert starts[-1].startswith("-b --factory-startup"), starts

    newer = build_scene(tmp_path, env, "bpy", frame_start=1001, frame_end=1003, fps=25)
    (tmp_path / "cold").mkdir()
    env["XDG_CACHE_HOME"] = str(tmp_path / "cold")  # Blender's version unknown again
    for expected_starts in (1, 0):  # 3.4 is tried once and says it is too old; then known
        before = len(blender_starts(wrapper))
        process = publish(env, newer, task)
        assert process.returncode == 0, process.stderr[-3000:]
        assert f"running {sys.executable} " in process.stderr
        assert len(blender_starts(wrapper)) - before == expected_starts, blender_starts(wrapper)


def test_missing_scene_is_a_clear_error(tmp_path, blender_env, embedded_server):
    env = server_env(blender_env, embedded_server)
    process = publish(env, tmp_path / "nope.blend", "Any/task")
    assert process.returncode != 0
    assert "does not exist" in process.stderr
