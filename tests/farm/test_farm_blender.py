"""A real Blender scene through the farm: two capture parts in background Blenders, then one
encode + publish of the frames they staged."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from farm_helpers import farm_env, openjd_run, submit, validate
from ft_dcc_hosts.blender.demo_template import write_demo_scene
from support import download_component, ffprobe, make_task, open_session
from support.machine_tmp import assert_nothing_left_in_machine_tmp

pytestmark = [
    pytest.mark.slow,
    pytest.mark.blender,
    pytest.mark.skipif(shutil.which("blender") is None, reason="needs the blender executable"),
]


def blender_scene(tmp_path: Path) -> Path:
    """The demo scene, 1001-1012 at 25 fps, small, saved by Blender 3.4: the shipped template
    with those written in (blender-asset-tracer), not a background Blender start building it."""
    return write_demo_scene(
        tmp_path / "sh010_anim_v003.blend", frame_start=1001, frame_end=1012, fps=25, width=320,
        height=180,
    )  # fmt: skip


def test_a_blender_scene_captures_in_two_parts_and_publishes_one_version(
    embedded_server: Any, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = farm_env(embedded_server, tmp_path, HOME=str(home))
    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"farmbl{uuid.uuid4().hex[:6]}", 1001, 1012, fps=25)
    blend = blender_scene(tmp_path)
    bundle = tmp_path / "bundle"
    name = f"Farm blender {uuid.uuid4().hex[:6]}"
    done = submit(env, bundle, str(blend), "--task", task, "--review-session", name)
    assert done.returncode == 0, done.stderr
    job = validate(bundle)
    capture = job.steps[0]
    assert capture.name == "01-sh010_anim capture"
    assert job.steps[1].dependencies[0].dependsOn == capture.name

    run = openjd_run(bundle, env)
    assert run.returncode == 0, run.stdout[-5000:]
    assert f"captured part 1 of 2 of {blend}: frames 1001-1006" in run.stdout
    assert f"captured part 2 of 2 of {blend}: frames 1007-1012" in run.stdout
    with open_session(embedded_server, tmp_path / "check") as session:
        version = session.query(
            "select id, asset.name, components.id, components.name from AssetVersion where "
            f'review_session_objects.review_session.name is "{name}"'
        ).one()
        assert version["asset"]["name"] == "sh010_anim"
        movie_id = next(c["id"] for c in version["components"] if c["name"] == "ftrackreview-mp4")
    stream = ffprobe(download_component(embedded_server, movie_id, tmp_path / "review.mp4"))
    assert int(stream["nb_read_frames"]) == 12 and stream["r_frame_rate"] == "25/1"
    assert_nothing_left_in_machine_tmp(tmp_path)
