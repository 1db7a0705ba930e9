"""Bad input to ``ft-dcc farm submit`` fails with one line before anything is written or sent;
a node without ft_dcc fails its task with one line saying what to install."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, List

from farm_helpers import farm_env, openjd_run, submit

from ft_dcc import __version__

#: what reading the settings and the task may send; never a write
READS = {"query_server_information", "query", "query_schemas"}


def error_lines(done: subprocess.CompletedProcess) -> List[str]:
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""
    return done.stderr.strip().splitlines()


def test_a_scene_that_does_not_exist_is_one_line_and_nothing_is_sent(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(shots.settings))
    missing = tmp_path / "jobs" / shots.project / "sq010" / "sh040" / "comp" / "sh040.blend"
    mark = embedded_server.log_mark()
    done = submit(env, tmp_path / "bundle", str(shots.scenes[0]), str(missing))
    assert error_lines(done) == [
        f"ft-dcc: error: {missing} does not exist (check the path; nothing was submitted)"
    ]
    assert not (tmp_path / "bundle").exists()
    assert embedded_server.requests_since(mark) == []


def test_a_path_template_naming_an_unknown_field_is_one_line_and_nothing_is_sent(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    settings = tmp_path / "typo.json"
    template = "jobs/{project}/{sequense}/{shot}/{task}/**"
    settings.write_text(json.dumps({"settings": {"paths.task_templates": [template]}}))
    env = farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(settings))
    mark = embedded_server.log_mark()
    lines = error_lines(submit(env, tmp_path / "bundle", *map(str, shots.scenes)))
    assert len(lines) == 1 and "{sequense}" in lines[0] and str(settings) in lines[0], lines
    assert not (tmp_path / "bundle").exists()
    assert embedded_server.requests_since(mark) == []


def test_a_path_no_template_matches_is_one_line_and_nothing_is_written(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(shots.settings))
    stray = tmp_path / "desktop" / "shot.####.png"
    stray.parent.mkdir()
    (stray.parent / "shot.0001.png").write_bytes(Path(str(shots.scenes[0]) % 1001).read_bytes())
    mark = embedded_server.log_mark()
    done = submit(env, tmp_path / "bundle", str(shots.scenes[0]), str(stray),
                  "--review-session", f"never {uuid.uuid4().hex[:6]}")  # fmt: skip
    lines = error_lines(done)
    assert len(lines) == 1 and "matches no path template" in lines[0], lines
    assert "give the task with --task" in lines[0]
    assert not (tmp_path / "bundle").exists()
    sent = {action for r in embedded_server.requests_since(mark) for action in r["actions"]}
    assert sent <= READS, sent


def test_a_node_without_ft_dcc_fails_its_task_with_one_line_saying_what_to_install(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(shots.settings))
    bundle = tmp_path / "bundle"
    done = submit(env, bundle, str(shots.scenes[0]), "--review-session", "never")
    assert done.returncode == 0, done.stderr
    bare = tmp_path / "bare-python"  # a Python without ft_dcc: a fresh venv, no packages
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    mark = embedded_server.log_mark()
    run = openjd_run(bundle, env, "--job-param", f"FtDccPython={bare / 'bin' / 'python'}")
    assert run.returncode != 0
    said = [line for line in run.stdout.splitlines() if "ft_dcc farm step:" in line]
    assert len(said) == 1, run.stdout
    assert "cannot run ft_dcc farm steps (No module named 'ft_dcc')" in said[0]
    assert f"install ft_dcc {__version__} or newer into it (pip install ft-dcc)" in said[0]
    assert "Traceback" not in run.stdout
    assert embedded_server.requests_since(mark) == []
