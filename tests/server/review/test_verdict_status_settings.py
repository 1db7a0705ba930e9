"""``ft-dcc settings check --project`` and ``settings push`` refuse a review status that is no
status of the project's workflow (nothing stored), and accept the workflow's own names."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any, Dict

import pytest
from support import open_session
from support.cli import run_ft_dcc

from ft_dcc.protocol import PROJECT_SETTINGS_KEY


def settings(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_ft_dcc(["settings", *args], env=dict(os.environ, **env), timeout=120)


@pytest.fixture
def env(embedded_server: Any, tmp_path: Path) -> Dict[str, str]:
    return dict(embedded_server.env, FTRACK_API_SCHEMA_CACHE_PATH=str(tmp_path / "schemas"))


def document(tmp_path: Path, values: Dict[str, Any]) -> str:
    path = tmp_path / f"{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps({"settings": values}), encoding="utf-8")
    return str(path)


def test_unknown_status_names_are_refused(
    env: Dict[str, str], embedded_server: Any, tmp_path: Path
) -> None:
    with open_session(embedded_server, tmp_path) as session:
        name = f"st{uuid.uuid4().hex[:8]}"
        project = session.create(
            "Project",
            {
                "name": name,
                "full_name": name,
                "project_schema": session.query("ProjectSchema").first(),
            },
        )
        session.commit()
        typo = document(tmp_path, {"review.status_on_approve": "Aproved"})
        for args in (("check", typo, "--project", name), ("push", typo, "--project", name)):
            done = settings(env, *args)
            assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
            assert (
                f"setting review.status_on_approve: 'Aproved' is no version status of project "
                f"{name}'s workflow" in done.stderr
            )
            assert "did you mean 'Approved'?" in done.stderr and "On Hold" in done.stderr
        # a task status is no version status: "Completed" is in the task workflow only
        wrong_kind = document(tmp_path, {"review": {"status_on_changes": "Completed"}})
        refused = settings(env, "push", wrong_kind, "--project", name)
        assert refused.returncode == 1 and "no version status" in refused.stderr
        task_typo = document(tmp_path, {"review.task_status_on_changes": "In progres"})
        refused = settings(env, "push", task_typo, "--project", name)
        assert (
            "no task status" in refused.stderr and "did you mean 'In progress'?" in refused.stderr
        )
        stored = session.query(
            f'select value from Metadata where parent_id is "{project["id"]}" '
            f'and key is "{PROJECT_SETTINGS_KEY}"'
        ).all()
        assert stored == []  # nothing refused was stored
        good = document(
            tmp_path,
            {"review.status_on_changes": "on hold", "review.task_status_on_approve": "Completed"},
        )
        assert settings(env, "check", good, "--project", name).returncode == 0
        pushed = settings(env, "push", good, "--project", name)
        assert pushed.returncode == 0, pushed.stderr
        offline = settings(env, "check", typo)  # without --project nothing is asked
        assert offline.returncode == 0 and "valid" in offline.stdout
