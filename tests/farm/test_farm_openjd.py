"""``ft-dcc farm submit`` writes a bundle that ``openjd run`` runs for real: the versions land
in one review session on the embedded server, a failed part publishes nothing of its scene, and
a re-run publishes nothing twice."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import Any, Set

import pytest
from farm_helpers import (
    OPENJD,
    farm_env,
    openjd_run,
    session_versions,
    step_names,
    submit,
    validate,
)
from support import open_session

from ft_dcc.farm.publish_step import ALREADY

#: a comment that looks like an option and an OpenJD format string: it must arrive as typed
HOSTILE = "--task={{Param.WorkDir}} x"


def comments(server: Any, tmp_path: Path, name: str) -> Set[str]:
    with open_session(server, tmp_path / "check") as session:
        objects = session.query(
            "select asset_version.comment from ReviewSessionObject "
            f'where review_session.name is "{name}"'
        ).all()
        return {o["asset_version"]["comment"] for o in objects}


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_openjd_run_publishes_three_scenes_into_one_session_and_a_rerun_nothing_twice(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(shots.settings))
    name = f"Farm dailies {uuid.uuid4().hex[:6]}"
    bundle = tmp_path / "bundle"
    done = submit(env, bundle, *map(str, shots.scenes), "--review-session", name,
                  f"--comment={HOSTILE}")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    validate(bundle)  # openjd-model: a valid template whose parameter values make a job
    for written in bundle.iterdir():  # nodes publish with their own credentials
        assert embedded_server.api_key not in written.read_text(encoding="utf-8")
    assert step_names(bundle) == [
        f"{index:02d}-{shot}_comp {what}"
        for index, shot in enumerate(("sh010", "sh020", "sh030"), start=1)
        for what in ("capture", "publish")
    ]
    run = openjd_run(bundle, env)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    expected = [
        {"asset": f"{shot}_comp", "task": f"{shots.project}/sq010/{shot}/comp"}
        for shot in ("sh010", "sh020", "sh030")
    ]
    assert session_versions(embedded_server, tmp_path, name) == expected
    assert comments(embedded_server, tmp_path, name) == {HOSTILE}  # passed on, never read

    again = openjd_run(bundle, env)
    assert again.returncode == 0, again.stdout[-4000:]
    assert again.stdout.count(f"{ALREADY}:") == 3
    assert session_versions(embedded_server, tmp_path, name) == expected


def task_versions(server: Any, tmp_path: Path, task_path: str) -> int:
    project, _sequence, shot, task = task_path.split("/")
    with open_session(server, tmp_path / "check") as session:
        return len(session.query(
            f'select id from AssetVersion where task.name is "{task}" and task.parent.name is '
            f'"{shot}" and task.project.name is "{project}"'
        ).all())  # fmt: skip


def test_a_failed_capture_part_fails_the_job_and_publishes_nothing_of_its_scene(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(shots.settings))
    bundle = tmp_path / "bundle"
    name = f"Farm broken {uuid.uuid4().hex[:6]}"
    done = submit(env, bundle, str(shots.scenes[1]), "--review-session", name)
    assert done.returncode == 0, done.stdout + done.stderr
    # frames gone after the submission (submit refuses a sequence with gaps)
    for frame in (1009, 1010):  # part 2 of 2 of sh020: 1007-1012
        Path(str(shots.scenes[1]) % frame).unlink()
    run = openjd_run(bundle, env)
    assert run.returncode != 0
    assert "frames 1009-1010 of" in run.stdout and "are missing (capture part 2 of 2)" in run.stdout
    assert task_versions(embedded_server, tmp_path, f"{shots.project}/sq010/sh020/comp") == 0
    assert session_versions(embedded_server, tmp_path, name) == []


#: docs/farm.md's loop: each scene's publish step with its captures, one scene failing alone
EACH_SCENE = """grep -o '"name": "[^"]* publish"' template.json | cut -d'"' -f4 |
while read -r step; do
  openjd run template.json --job-param "file://$PWD/openjd_params.json" \\
    --step "$step" --run-dependencies || echo "FAILED: $step"
done
"""


def test_run_scene_by_scene_a_failed_shot_leaves_the_others_published(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(shots.settings))
    bundle = tmp_path / "bundle"
    name = f"Farm each {uuid.uuid4().hex[:6]}"
    done = submit(env, bundle, *map(str, shots.scenes[:2]), "--review-session", name)
    assert done.returncode == 0, done.stdout + done.stderr
    Path(str(shots.scenes[0]) % 1010).unlink()  # sh010 breaks after the submission
    env["PATH"] = f"{Path(OPENJD).parent}:{env['PATH']}"
    run = subprocess.run(["bash", "-c", EACH_SCENE], cwd=bundle, env=env, capture_output=True,
                         text=True, timeout=1800)  # fmt: skip
    assert "FAILED: 01-sh010_comp publish" in run.stdout, run.stdout[-3000:]
    assert "FAILED: 02-" not in run.stdout
    assert session_versions(embedded_server, tmp_path, name) == [
        {"asset": "sh020_comp", "task": f"{shots.project}/sq010/sh020/comp"}
    ]
