"""The farm's outage contract: a publish step that cannot reach the server keeps the work in its
scene's work folder and exits 75 (down before the step starts, or lost during its commit), and
``ft-dcc farm flush`` (or a re-run of the job) sends it once."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, List

import pytest
from farm_helpers import farm_env, ft_dcc, openjd_run, session_versions, submit
from support import make_sequence, make_task, open_session
from support.stopping import stop_server_plugin

from ft_dcc.farm.publish_step import ALREADY
from ft_dcc.publish.common.report import EXIT_QUEUED
from ft_dcc.publish.offline.queue import OfflineQueue


def journals(bundle: Path) -> List[Any]:
    return [e for queue in (bundle / "work").glob("*/queue") for e in OfflineQueue(queue).entries()]


def kept(run: Any) -> str:
    """The step's line saying the work is kept, and the exit status OpenJD saw."""
    (line,) = [s for s in run.stdout.splitlines() if "the server cannot be reached:" in s]
    assert f"(exit {EXIT_QUEUED})" in line and "ft-dcc farm flush" in line, line
    assert f"exited with code: {EXIT_QUEUED} " in run.stdout  # what OpenJD saw of the step
    return line


def bundle_of_one_scene(server: Any, tmp_path: Path) -> Any:
    with open_session(server, tmp_path) as session:
        task = make_task(session, f"farmdown{uuid.uuid4().hex[:6]}", 1001, 1006, fps=25)
    frames = make_sequence(tmp_path / "render", frames=6, start=1001, name="sh010_comp")
    name = f"Farm outage {uuid.uuid4().hex[:6]}"
    bundle = tmp_path / "bundle"
    env = farm_env(server, tmp_path)
    done = submit(env, bundle, str(frames), "--task", task, "--review-session", name)
    assert done.returncode == 0, done.stdout + done.stderr
    return env, bundle, name


@pytest.mark.slow  # the step waits out the client's retries
def test_server_down_when_the_step_starts_exits_75_and_farm_flush_sends_it_once(
    fresh_server: Any, tmp_path: Path
) -> None:
    env, bundle, name = bundle_of_one_scene(fresh_server, tmp_path)
    fresh_server.stop()
    run = openjd_run(bundle, env)
    assert run.returncode != 0
    kept(run)
    assert len(journals(bundle)) == 1  # kept in the scene's work folder, not lost
    again = ft_dcc(env, "farm", "flush", str(bundle))  # still down: kept, 75
    assert again.returncode == EXIT_QUEUED, again.stdout + again.stderr
    fresh_server.start()
    flushed = ft_dcc(env, "farm", "flush", str(bundle))
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert journals(bundle) == []
    assert len(session_versions(fresh_server, tmp_path, name)) == 1
    rerun = openjd_run(bundle, env)  # the job run again afterwards publishes nothing twice
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert f"{ALREADY}:" in rerun.stdout
    assert len(session_versions(fresh_server, tmp_path, name)) == 1


@pytest.mark.slow
def test_server_lost_during_the_steps_commit_exits_75_and_the_rerun_sends_it_once(
    fresh_server: Any, tmp_path: Path
) -> None:
    env, bundle, name = bundle_of_one_scene(fresh_server, tmp_path)
    studio = tmp_path / "plugins"
    stop_server_plugin(studio, fresh_server)  # returns once the server refuses connections
    run = openjd_run(bundle, dict(env, PYBLISHPLUGINPATH=str(studio)))
    assert run.returncode != 0
    kept(run)
    assert len(journals(bundle)) == 1
    fresh_server.process.wait(timeout=30)
    fresh_server.start()
    rerun = openjd_run(bundle, env)  # the job run again resumes the journal
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert "resumed: " in rerun.stdout
    assert journals(bundle) == []
    assert len(session_versions(fresh_server, tmp_path, name)) == 1
    flushed = ft_dcc(env, "farm", "flush", str(bundle))  # nothing left: nothing sent twice
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    assert len(session_versions(fresh_server, tmp_path, name)) == 1
