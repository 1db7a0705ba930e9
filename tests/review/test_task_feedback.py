"""The feedback the DCC views show (``ft_dcc.host.feedback``), read from the real embedded server:
the task's latest versions only, statuses, then notes in timeline order with their frames."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from support import make_task, open_session
from support.feedback import seed_feedback

from ft_dcc.exceptions import ValidationError
from ft_dcc.host.feedback import NOTE, fetch_task_feedback, note_frames
from ft_dcc.publish.tasks import resolve_task


def seeded_task(server: Any, cache: Path) -> Tuple[Any, str]:
    session = open_session(server, cache)
    path = make_task(session, fstart=1001, fend=1012)
    task = resolve_task(session, None, path)
    seed_feedback(session, session.get("Project", task["project_id"]), task)
    return session, path


def test_latest_versions_feedback_as_rows(embedded_server: Any, tmp_path: Path) -> None:
    session, path = seeded_task(embedded_server, tmp_path)
    found = fetch_task_feedback(path, session)
    assert found.task == path
    assert [(v.asset, v.version) for v in found.versions] == [("sh010_anim", 2)]  # not v001
    labels = [row.label for row in found.rows()]
    assert labels == [
        "sh010_anim v002  (Feedback)",
        "  Approved: Ana Lee",
        "  Changes requested: bob",
        "  1003  Bob: nice arc, keep it [1 drawing]",
        "  1010  Ana Lee: arm pops here",
        "     -    test user: fixed in the next take",
    ]
    assert note_frames(found.rows()) == [None, None, None, 1003, 1010, None]
    assert [r.depth for r in found.rows() if r.kind == NOTE] == [0, 0, 1]


def test_environment_task_and_errors(
    embedded_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, path = seeded_task(embedded_server, tmp_path)
    task_id = resolve_task(session, None, path)["id"]
    for name, value in embedded_server.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FTRACK_CONTEXTID", task_id)
    monkeypatch.setenv("FTRACK_API_SCHEMA_CACHE_PATH", str(tmp_path / "schemas"))
    found = fetch_task_feedback()  # its own session, the task from FTRACK_CONTEXTID
    assert [v.version for v in found.versions] == [2]
    with pytest.raises(ValidationError, match="no ftrack project called 'Nope'"):
        fetch_task_feedback("Nope/Task", session)
    empty = fetch_task_feedback(make_task(session, task_name="lighting"), session)
    assert [row.text for row in empty.rows()] == ["nothing published for review yet"]


def _unsigned(feedback: List[Dict[str, Any]]) -> str:
    """``feedback`` as text with each drawing URL's signature left out: a signed URL carries its
    expiry in seconds, so two reads a second apart sign the same drawing differently."""
    text = repr(feedback)
    assert "token=" in text  # both sides signed their drawings
    return re.sub(r"&token=[\w.=-]+", "&token=<signed>", text)


def test_the_genuine_client_reads_the_same_feedback(embedded_server: Any, tmp_path: Path) -> None:
    """Only standard ftrack API calls: the genuine ``ftrack_api`` session gives the same result."""
    from support import genuine_sessions

    from ft_dcc.review.feedback import session_feedback

    session = open_session(embedded_server, tmp_path / "ours")
    project = session.create(
        "Project",
        {"name": f"g{tmp_path.name[-8:]}", "full_name": "g",
         "project_schema": session.query("ProjectSchema").first()},
    )  # fmt: skip
    session.commit()
    target = seed_feedback(session, project)["review_session"]
    ours = [v.to_dict() for v in session_feedback(session, target["id"])]
    with genuine_sessions(embedded_server, tmp_path / "genuine") as make:
        theirs = [v.to_dict() for v in session_feedback(make(), target["id"])]
    assert _unsigned(theirs) == _unsigned(ours)
    assert [len(v["notes"]) for v in ours] == [1, 2]
