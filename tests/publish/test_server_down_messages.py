"""Server down, as a person at the terminal meets it: one plain line per situation, offline
checks marked as done later, and a flush while the server is still down says so plainly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support.cli import run_ft_dcc
from support.media import make_sequence

from ft_dcc.publish.common.report import EXIT_QUEUED


def _publish_offline(tmp_path: Path) -> subprocess.CompletedProcess:
    frames = make_sequence(tmp_path / "seq", frames=6)
    return run_ft_dcc(
        ["publish", str(frames), "--task", "demo/sq/sh/comp", "--fps", "25"], timeout=None
    )


def test_an_unreachable_server_is_one_plain_line(offline_env, tmp_path):
    done = _publish_offline(tmp_path)
    assert done.returncode == EXIT_QUEUED, done.stderr
    for raw in ("HTTPConnectionPool", "Errno", "NewConnectionError", "Max retries"):
        assert raw not in done.stderr + done.stdout, done.stderr
    said = (done.stderr + done.stdout).splitlines()
    unreachable = [line for line in said if "reach the ftrack server" in line]
    assert len(unreachable) == 1, done.stderr + done.stdout  # once: in the report
    assert "connection refused" in unreachable[0]


def test_offline_checks_are_marked_as_done_later(offline_env, tmp_path):
    done = _publish_offline(tmp_path)
    report = done.stdout
    assert "[ok  ] validate  ftrack task exists" not in report, report
    assert "[later] validate  ftrack task exists" in report, report
    assert "[later] validate  Review session open" in report, report


@pytest.mark.slow  # takes seconds: handed out with the long tests (support/scheduling.py)
def test_a_flush_while_still_down_says_so(offline_env, tmp_path):
    assert _publish_offline(tmp_path).returncode == EXIT_QUEUED
    flush = run_ft_dcc(["queue", "flush"], timeout=None)
    text = flush.stdout + flush.stderr
    assert flush.returncode == EXIT_QUEUED, text  # still waiting, as the publish was
    assert "still cannot be reached" in text, text
    assert "1 publish stays queued" in text, text
    assert "can be queued" not in text and "HTTPConnectionPool" not in text, text
