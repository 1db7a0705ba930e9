"""``ft-dcc publish`` without ``--task``: the path templates name the task, matched against the
server's project names (a template starting with ``{project}`` fits at any folder of the path,
so without the names it would take the path's first folder, e.g. "tmp", for the project)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import make_sequence, make_task, open_session
from test_publish_requests import MAX_API_REQUESTS, _count

#: the templates are known only once the studio settings are read: the task is then read in a
#: request of its own
TEMPLATE_READ = 1


def test_a_cli_publish_finds_its_task_by_a_template_starting_with_the_project(
    embedded_server, ftrack_env, tmp_path: Path, queue_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ft_dcc.cli import main

    studio = {"settings": {"paths.task_templates": ["{project}/{sequence}/{shot}/{task}/**"]}}
    settings = tmp_path / "studio.json"
    settings.write_text(json.dumps(studio), encoding="utf-8")
    monkeypatch.setenv("FT_DCC_SETTINGS", str(settings))
    setup = open_session(embedded_server, tmp_path / "setup")
    task = make_task(setup, fstart=1001, fend=1012, fps=25.0)  # <project>/sq010/sh010/comp
    frames = make_sequence(tmp_path / "work" / task / "renders", frames=12, start=1001)
    report = tmp_path / "report.json"
    mark = embedded_server.log_mark()
    assert main(["publish", str(frames), "--fps", "25", "--report", str(report)]) == 0
    assert json.loads(report.read_text(encoding="utf-8"))["task"] == task
    count = _count(embedded_server.requests_since(mark))
    assert count["api"] <= MAX_API_REQUESTS + TEMPLATE_READ, count
