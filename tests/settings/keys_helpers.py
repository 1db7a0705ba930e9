"""Shared by the tests/settings/test_keys_*.py tests: ``ft-dcc publish`` run for real (a
subprocess) with a settings file as ``$FT_DCC_SETTINGS``, against the test's own server."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict

from support import download_component
from support.cli import run_ft_dcc


def publish_with(
    server: Any,
    tmp_path: Path,
    name: str,
    settings: Dict[str, Any],
    *args: str,
    ok: bool = True,
) -> Dict[str, Any]:
    """``ft-dcc publish ARGS --json`` with ``{"settings": settings}`` as the studio file;
    returns the report (the publish must succeed, or fail when ``ok`` is False)."""
    studio = tmp_path / f"{name}.json"
    studio.write_text(json.dumps({"settings": settings}), encoding="utf-8")
    env = dict(
        os.environ,
        **server.env,
        FT_DCC_SETTINGS=str(studio),
        FT_DCC_QUEUE_DIR=str(tmp_path / "queue"),
        PYBLISHPLUGINPATH="",
        FTRACK_CONTEXTID="",
    )
    done = run_ft_dcc(["publish", *args, "--json"], env=env, timeout=300)
    assert (done.returncode == 0) == ok, done.stdout[-3000:] + done.stderr[-3000:]
    report: Dict[str, Any] = json.loads(done.stdout)
    return report


def review_movie(server: Any, report: Dict[str, Any], target: Path) -> Path:
    """The published review movie, downloaded over HTTP."""
    return download_component(server, report["component_ids"]["ftrackreview-mp4"], target)
