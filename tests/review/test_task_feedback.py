"""The feedback the DCC views show (``ft_dcc.host.feedback``), read from the real embedded server:
the task's latest versions only, statuses, then notes in timeline order with their frames."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Tuple

import pytest
import requests
from support import make_task, open_session
from support.feedback import seed_feedback

from ft_dcc.exceptions import ValidationError
from ft_dcc.host.feedback import NOTE, fetch_task_feedback, note_frames
from ft_dcc.publish.context.tasks import resolve_task


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
    # a signed drawing URL carries its expiry second: two reads a second apart differ there only
    assert _unsigned(theirs) == _unsigned(ours)
    assert [len(v["notes"]) for v in ours] == [1, 2]
    for found in (ours, theirs):  # each signature is the server's: the seeded drawing has no file
        (url,) = [u for v in found for n in v["notes"] for u in n["drawings"]]
        assert requests.get(url, timeout=60).status_code == 404
        assert requests.get(url[:-4] + "AAAA", timeout=60).status_code in (401, 403)


def _unsigned(value: Any) -> Any:
    """``value`` with each URL's ``token=…`` query value replaced by a placeholder."""
    if isinstance(value, dict):
        return {k: _unsigned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unsigned(v) for v in value]
    if isinstance(value, str) and "token=" in value:
        return re.sub(r"token=[^&]*", "token=…", value)
    return value


def test_note_rows_carry_the_camera_their_version_was_captured_through(
    embedded_server: Any, tmp_path: Path
) -> None:
    """The feedback read says which camera each note's version was captured through, so a host
    showing a drawing opens no session on the click (the Blender eye button ran three queries
    on Blender's main thread for it)."""
    import json

    session, path = seeded_task(embedded_server, tmp_path)
    version = fetch_task_feedback(path, session).versions[0]
    component = session.create(
        "FileComponent",
        {"name": "ftrackreview-mp4", "version_id": version.version_id, "file_type": ".mp4"},
    )
    session.commit()
    session.create("Metadata", {
        "parent_id": component["id"], "parent_type": "FileComponent",
        "key": "ft_dcc_capture", "value": json.dumps({"camera": "turntableCam"}),
    })  # fmt: skip
    session.commit()
    notes = [row for row in fetch_task_feedback(path, session).rows() if row.kind == NOTE]
    assert notes and {row.camera for row in notes} == {"turntableCam"}
    other, other_path = seeded_task(embedded_server, tmp_path / "other")  # no capture record
    bare = [row for row in fetch_task_feedback(other_path, other).rows() if row.kind == NOTE]
    assert bare and all(row.camera is None for row in bare)
