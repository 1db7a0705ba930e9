"""The frame checks report every finding at once: a movie at the wrong rate AND of the wrong
range is refused once, naming both; with ``checks.frame_range: warn`` each finding, fps
included, is a warning of the published version (none is dropped)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from support import make_movie, make_task, open_session
from support.cli import run_ft_dcc

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish

RANGE = "differs from shot sh010's range 1001-1012"
RATE = "the frame rate 25.000 differs from shot sh010's 24.000 fps"


def _task(server: Any, tmp_path: Path) -> str:
    with open_session(server, tmp_path) as session:
        return make_task(session, fstart=1001, fend=1012, fps=24)


def test_block_mode_refuses_once_naming_the_range_and_the_rate(
    embedded_server: Any, tmp_path: Path, queue_dir: Path
) -> None:
    task_path = _task(embedded_server, tmp_path)
    movie = make_movie(tmp_path / "plate.mov", frames=6)  # 25 fps, frames 1-6
    with open_session(embedded_server, tmp_path) as session:
        report = publish(FilesHost(movie), task=task_path, session=session)
    assert not report.ok and not report.asset_version_id, str(report)
    errors = "\n".join(report.errors)
    assert RANGE in errors and RATE in errors, errors
    text = str(report)
    assert "--frames 1-6" in text and "--fps 24" in text, text  # a fix for each


def test_warn_mode_keeps_every_warning_fps_included(
    embedded_server: Any, tmp_path: Path, queue_dir: Path
) -> None:
    task_path = _task(embedded_server, tmp_path)
    movie = make_movie(tmp_path / "plate.mov", frames=6)
    studio = tmp_path / "studio.json"
    studio.write_text(json.dumps({"settings": {"checks.frame_range": "warn"}}))
    env = dict(
        os.environ,
        **embedded_server.env,
        FT_DCC_SETTINGS=str(studio),
        FT_DCC_QUEUE_DIR=str(queue_dir),
        PYBLISHPLUGINPATH="",
        FTRACK_CONTEXTID="",
    )
    done = run_ft_dcc(["publish", str(movie), "--task", task_path, "--json"], env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["asset_version_id"], report
    warnings = report["warnings"]
    assert any(RANGE in w for w in warnings), warnings
    assert any(RATE in w for w in warnings), warnings  # the fps finding is not dropped
    assert report["capture"]["fps"] == "25/1"  # warn: published as it is, and said so
