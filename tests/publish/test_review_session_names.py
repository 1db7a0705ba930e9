"""A misspelt review session name is caught: within two edits (case-insensitive) of an OPEN
session of the project, ``ft-dcc publish`` fails naming it (unless ``--new-review-session``)
and a host with a UI asks; a clearly new name is created as always."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, List, Tuple

import pytest
from support import make_sequence, make_task, open_session
from support.cli import run_ft_dcc

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish
from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.review import sessions as review
from ft_dcc.review.names import close_matches, edit_distance, misspelt_session_of

OPEN = "Dailies 2026-11-22"
TYPO = "Dailes 2026-11-22"


def test_close_matches_are_case_insensitive_and_at_most_two_edits() -> None:
    assert edit_distance("dailes", "dailies") == 1
    names = [OPEN, "Dailies 2026-11-21", "Lookdev", "dailies 2026-11-22 "]
    assert close_matches(TYPO, names) == [OPEN, "dailies 2026-11-22 ", "Dailies 2026-11-21"]
    assert close_matches("DAILIES 2026-11-22", [OPEN]) == [OPEN]  # only the case differs
    assert close_matches(OPEN, [OPEN]) == []  # the name itself is no typo
    assert close_matches("Daily 2026-11-22", [OPEN]) == []  # three edits: a new name
    assert close_matches("Lookdev wk48", names) == []


@pytest.fixture
def task(embedded_server: Any, tmp_path: Path) -> Tuple[Any, str, Any]:
    """(setup session, task id, project) with OPEN open and "Old wk47" closed in the project."""
    setup = open_session(embedded_server, tmp_path / "setup")
    task = resolve_task(setup, None, make_task(setup, fstart=1001, fend=1006, fps=25.0))
    project = setup.get("Project", task["project_id"])
    review.find_or_create_review_session(setup, project, OPEN)
    old = review.find_or_create_review_session(setup, project, "Old wk47")
    review.close_review_session(setup, old)
    return setup, task["id"], project


def session_names(setup: Any, project: Any) -> List[str]:
    rows = setup.query(f'select name from ReviewSession where project_id is "{project["id"]}"')
    return sorted(r["name"] for r in rows.all())


def ft_dcc_publish(server: Any, queue_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return run_ft_dcc(
        ["publish", *args],
        env=dict(os.environ, **server.env, FT_DCC_QUEUE_DIR=str(queue_dir), PYBLISHPLUGINPATH=""),
        timeout=300,
    )


def test_the_cli_refuses_a_misspelt_name_then_creates_it_when_told(
    embedded_server: Any, tmp_path: Path, queue_dir: Path, task: Tuple[Any, str, Any]
) -> None:
    setup, task_id, project = task
    frames = make_sequence(tmp_path / "frames", frames=6, start=1001)
    common = ("--host", "files", "--task", task_id, "--fps", "25", "--review-session", TYPO)
    refused = ft_dcc_publish(embedded_server, queue_dir, str(frames), *common)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    said = refused.stdout + refused.stderr
    assert f"no review session is called {TYPO!r}, but {OPEN!r} is open" in said
    assert "--new-review-session" in said
    assert session_names(setup, project) == [OPEN, "Old wk47"]  # nothing created
    versions = f'select id from AssetVersion where task_id is "{task_id}"'
    assert setup.query(versions).all() == []

    done = ft_dcc_publish(
        embedded_server, queue_dir, str(frames), *common, "--new-review-session", "--json"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["review_session_name"] == TYPO
    assert session_names(setup, project) == [TYPO, OPEN, "Old wk47"]


class AskingHost(FilesHost):
    """A files host with a UI: records each question and gives ``answer``."""

    def __init__(self, *args: Any, answer: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answer = answer
        self.questions: List[str] = []

    def ask(self, question: str, default: bool = False) -> bool:
        self.questions.append(question)
        return self.answer


@pytest.mark.parametrize("answer", [False, True])
def test_a_gui_host_is_asked(
    embedded_server: Any, tmp_path: Path, queue_dir: Path, task: Tuple[Any, str, Any], answer: bool
) -> None:
    setup, task_id, project = task
    host = AskingHost(
        make_sequence(tmp_path / "frames", frames=6, start=1001), fps=25, answer=answer
    )
    typo = "dailies 2026-11-22"  # only the case differs from the open session
    with open_session(embedded_server, tmp_path / "s") as session:
        report = publish(
            host, task=task_id, review_session_name=typo, session=session, queue_dir=queue_dir
        )
    assert host.questions == [
        f"No review session is called {typo!r}, but {OPEN!r} is open. "
        f"Create a new session {typo!r} anyway?"
    ]
    assert report.ok is answer, str(report)
    assert misspelt_session_of(report) == (None if answer else typo)  # what GUIs offer to create
    expected = sorted([OPEN, "Old wk47", *([typo] if answer else [])])
    assert session_names(setup, project) == expected


@pytest.mark.parametrize("name", ["Lookdev wk48", "Old wk48"])
def test_new_names_and_names_close_to_closed_sessions_are_created(
    embedded_server: Any, tmp_path: Path, queue_dir: Path, task: Tuple[Any, str, Any], name: str
) -> None:
    setup, task_id, project = task
    host = AskingHost(
        make_sequence(tmp_path / "frames", frames=6, start=1001), fps=25, answer=False
    )
    with open_session(embedded_server, tmp_path / "s") as session:
        report = publish(
            host, task=task_id, review_session_name=name, session=session, queue_dir=queue_dir
        )
    assert report.ok, str(report)
    assert host.questions == []  # "Old wk48" is one edit from "Old wk47", which is closed
    assert name in session_names(setup, project)
