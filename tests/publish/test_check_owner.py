"""A check's severity has one reader: the check itself, as the settings give it to its class
(``plugins`` and ``checks.*`` alike). Code that decides outside a publish's pipeline (a queued
publish at flush, the farm's submit) asks the plugin, so a check the settings leave out
(``enabled: false``) checks nothing there either, as in a live publish."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Dict

from support import make_movie, make_sequence, make_task, open_session
from support.cli import run_ft_dcc

from ft_dcc.publish import OfflineQueue
from ft_dcc.publish.common.report import EXIT_QUEUED

#: the studio's document leaving the frame check out
LEFT_OUT = {"plugins": {"ValidateFrameRange": {"enabled": False}}}


def _ft_dcc(server: Any, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    settings = tmp_path / "studio.json"
    settings.write_text(json.dumps(LEFT_OUT), encoding="utf-8")
    env = dict(
        os.environ, **server.env, FT_DCC_QUEUE_DIR=str(tmp_path / "queue"),
        FT_DCC_SETTINGS=str(settings), PYBLISHPLUGINPATH="", FTRACK_CONTEXTID="",
    )  # fmt: skip
    return run_ft_dcc([*args], env=env, timeout=300)


def test_the_checks_own_severity_is_what_code_outside_the_pipeline_reads() -> None:
    from ft_dcc.publish.pipeline.stages import severity_given

    assert severity_given("ValidateFrameRange", {}) == "block"
    warn: Dict[str, Dict[str, Any]] = {"ValidateFrameRange": {"severity": "warn"}}
    assert severity_given("ValidateFrameRange", warn) == "warn"
    assert severity_given("ValidateFrameRange", LEFT_OUT["plugins"]) == "off"
    assert severity_given("ValidateSceneSaved", LEFT_OUT["plugins"]) == "block"


def test_a_queued_publish_whose_frame_check_the_settings_leave_out_is_published_at_flush(
    fresh_server: Any, tmp_path: Path
) -> None:
    """A 25 fps movie for a 24 fps shot: a live publish with the frame check left out
    publishes it; queued offline, the flush publishes it too (it refused it as ``block``)."""
    with open_session(fresh_server, tmp_path) as session:
        live_task, queued_task = (make_task(session, fstart=1001, fend=1004, fps=24)
                                  for _ in range(2))  # fmt: skip
    movie = make_movie(tmp_path / "shot.mov", frames=4)  # 25 fps
    live = _ft_dcc(fresh_server, tmp_path, "publish", str(movie), "--task", live_task)
    assert live.returncode == 0, live.stdout + live.stderr
    fresh_server.stop()
    done = _ft_dcc(fresh_server, tmp_path, "publish", str(movie), "--task", queued_task)
    assert done.returncode == EXIT_QUEUED, done.stdout + done.stderr
    fresh_server.start()
    flushed = _ft_dcc(fresh_server, tmp_path, "queue", "flush", "--json")
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    (outcome,) = json.loads(flushed.stdout)["outcomes"]
    assert outcome["ok"] and not any("fps" in w for w in outcome["result"]["warnings"])
    assert OfflineQueue(tmp_path / "queue").entries() == []


def test_the_farm_submits_what_a_publish_whose_frame_check_is_left_out_publishes(
    embedded_server: Any, tmp_path: Path
) -> None:
    """Frames 1001-1012 for a shot of 1001-1008: refused with the frame check, published
    without it by ``ft-dcc publish``, and so submitted by ``ft-dcc farm submit``."""
    import sys

    with open_session(embedded_server, tmp_path) as session:
        task = make_task(session, fstart=1001, fend=1008, fps=25)
    frames = make_sequence(tmp_path / "render", frames=12, start=1001, name="sh010_comp")
    published = _ft_dcc(embedded_server, tmp_path, "publish", str(frames), "--task", task)
    assert published.returncode == 0, published.stdout + published.stderr
    bundle = tmp_path / "bundle"
    farmed = _ft_dcc(embedded_server, tmp_path, "farm", "submit", str(frames), "--task", task,
                     "--output", str(bundle), "--python", sys.executable)  # fmt: skip
    assert farmed.returncode == 0, farmed.stdout + farmed.stderr
    assert (bundle / "template.json").is_file()
