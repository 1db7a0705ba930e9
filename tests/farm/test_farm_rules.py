"""The farm holds ``ft-dcc publish``'s rules: what a publish refuses (a range outside the shot's,
a 25 fps scene on a 24 fps shot) the farm refuses with the same message and a non-zero exit,
at submission where the scene can be read there, else in the publish step."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from farm_helpers import farm_env, ft_dcc, openjd_run, session_versions, submit
from support import make_sequence, make_task, open_session
from support.machine_tmp import assert_nothing_left_in_machine_tmp

RANGE = re.compile(r"the publish range \d+-\d+ differs from shot \w+'s range \d+-\d+ set in ftrack")
RATE = re.compile(r"the frame rate [\d.]+ differs from shot \w+'s [\d.]+ fps in ftrack")


def blend(tmp_path: Path, name: str, start: int, end: int, fps: int) -> Path:
    """The demo's Blender 3.4 scene with this range and rate (written without Blender)."""
    from ft_dcc_hosts.blender.demo_template import write_demo_scene

    return write_demo_scene(tmp_path / name, frame_start=start, frame_end=end, fps=fps,
                            width=160, height=90)  # fmt: skip


def said(pattern: re.Pattern, text: str) -> str:
    found = pattern.search(text)
    assert found, text[-3000:]
    return found.group(0)


@pytest.mark.slow
@pytest.mark.blender
@pytest.mark.skipif(shutil.which("blender") is None, reason="needs the blender executable")
def test_submit_refuses_the_blender_scenes_ft_dcc_publish_refuses_with_its_message(
    embedded_server: Any, tmp_path: Path
) -> None:
    env = farm_env(embedded_server, tmp_path, HOME=str(tmp_path))
    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"farmrules{uuid.uuid4().hex[:6]}", 1001, 1054, fps=24)
    scenes: Dict[str, Path] = {
        "range": blend(tmp_path, "sh010_long.blend", 1001, 1070, 24),
        "rate": blend(tmp_path, "sh010_pal.blend", 1001, 1054, 25),
    }
    for what, pattern in (("range", RANGE), ("rate", RATE)):
        published = ft_dcc(env, "publish", str(scenes[what]), "--host", "blender",
                           "--task", task, "--review-session", "never")  # fmt: skip
        assert published.returncode == 1, published.stdout + published.stderr
        message = said(pattern, published.stdout + published.stderr)
        bundle = tmp_path / f"bundle-{what}"
        farmed = submit(env, bundle, str(scenes[what]), "--task", task,
                        "--review-session", "never")  # fmt: skip
        assert farmed.returncode == 1, farmed.stdout + farmed.stderr
        assert message in farmed.stderr, farmed.stderr  # the same words, before any capture
        assert not bundle.exists()
    assert_nothing_left_in_machine_tmp(tmp_path)
    # the same scene inside the shot's range and rate is submitted
    fine = blend(tmp_path, "sh010_ok.blend", 1001, 1054, 24)
    done = submit(env, tmp_path / "bundle-ok", str(fine), "--task", task, "--review-session", "x")
    assert done.returncode == 0, done.stdout + done.stderr


def test_submit_refuses_an_image_sequence_outside_its_shot_as_ft_dcc_publish_does(
    embedded_server: Any, tmp_path: Path
) -> None:
    env = farm_env(embedded_server, tmp_path)
    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"farmrules{uuid.uuid4().hex[:6]}", 1001, 1008, fps=25)
    frames = make_sequence(tmp_path / "render", frames=12, start=1001, name="sh010_comp")
    published = ft_dcc(env, "publish", str(frames), "--task", task, "--review-session", "never")
    assert published.returncode == 1, published.stdout + published.stderr
    message = said(RANGE, published.stdout + published.stderr)
    farmed = submit(env, tmp_path / "bundle", str(frames), "--task", task)
    assert farmed.returncode == 1, farmed.stdout + farmed.stderr
    assert message in farmed.stderr and "nothing was submitted" in farmed.stderr
    # as with ft-dcc publish, --frames publishes the range asked for
    done = submit(env, tmp_path / "bundle", str(frames), "--task", task, "--frames", "1001-1008")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_publish_step_refuses_what_ft_dcc_publish_refuses(
    embedded_server: Any, tmp_path: Path
) -> None:
    """The shot changed after the submission: the step refuses, publishing nothing, and the
    same frames through ft-dcc publish are refused with the same words."""
    env = farm_env(embedded_server, tmp_path)
    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, f"farmrules{uuid.uuid4().hex[:6]}", 1001, 1012, fps=25)
    frames = make_sequence(tmp_path / "render", frames=12, start=1001, name="sh010_comp")
    name = f"Farm rules {uuid.uuid4().hex[:6]}"
    bundle = tmp_path / "bundle"
    done = submit(env, bundle, str(frames), "--task", task, "--review-session", name)
    assert done.returncode == 0, done.stdout + done.stderr
    with open_session(embedded_server, tmp_path / "edit") as session:
        project, _, shot_name, _ = task.split("/")
        shot = session.query(
            f'Shot where name is "{shot_name}" and project.name is "{project}"'
        ).one()
        shot["custom_attributes"]["fend"] = 1008  # the editor cut the shot
        session.commit()
    run = openjd_run(bundle, env)
    assert run.returncode != 0
    message = said(RANGE, run.stdout)
    assert session_versions(embedded_server, tmp_path, name) == []
    published = ft_dcc(env, "publish", str(frames), "--task", task, "--review-session", name)
    assert published.returncode == 1
    assert said(RANGE, published.stdout + published.stderr) == message
