"""The genuine ``ftrack_api`` client cannot add anything to a closed review session.

Runs on the shared SQLite server and on PostgreSQL with 4 workers (``compat/conftest.py``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Tuple

import ftrack_api
import pytest


def _open_session(session: Any) -> Tuple[Any, Any, Any]:
    """A project, a version and an open review session holding it (one object)."""
    name = f"rules{uuid.uuid4().hex[:8]}"
    project = session.create(
        "Project",
        {"name": name, "full_name": name, "project_schema": session.query("ProjectSchema").first()},
    )
    asset_type = session.query('AssetType where short is "upload"').one()
    asset = session.create("Asset", {"name": "sh010", "parent": project, "type": asset_type})
    version = session.create("AssetVersion", {"asset": asset})
    review_session = session.create(
        "ReviewSession",
        {
            "name": "Dailies",
            "project": project,
            "end_date": dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1),
        },
    )
    item = session.create(
        "ReviewSessionObject",
        {"review_session": review_session, "asset_version": version, "name": "sh010",
         "version": "v001"},
    )  # fmt: skip
    invitee = session.create(
        "ReviewSessionInvitee",
        {"review_session": review_session, "name": "Ann", "email": f"ann-{name}@example.com"},
    )
    session.commit()
    return review_session, item, invitee


def _note(session: Any, item: Any, user_id: str, content: str) -> Any:
    data = {"content": content, "parent_id": item["id"], "parent_type": "ReviewSessionObject"}
    return session.create("Note", dict(data, user_id=user_id))


def _close(session: Any, review_session: Any) -> None:
    review_session["end_date"] = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)
    session.commit()


def _refused(session: Any) -> str:
    with pytest.raises(ftrack_api.exception.ServerError) as caught:
        session.commit()
    session.reset()  # drop the refused operations
    message = str(caught.value)
    assert "PermissionError" in message or "is closed" in message
    assert "is closed" in message and "Reopen" in message, message
    return message


def test_an_open_session_takes_objects_notes_and_statuses(session: Any) -> None:
    _review_session, item, invitee = _open_session(session)
    note = _note(session, item, session.query("User").first()["id"], "ok")
    status = session.create(
        "ReviewSessionObjectStatus",
        {"review_session_object": item, "invitee": invitee, "status": "approved"},
    )
    session.commit()
    fresh = session.query(f'ReviewSessionObject where id is "{item["id"]}"').one()
    assert [n["id"] for n in fresh["notes"]] == [note["id"]]
    assert [s["id"] for s in fresh["statuses"]] == [status["id"]]


def test_a_closed_session_refuses_objects_notes_and_statuses(make_session: Any) -> None:
    session = make_session()
    review_session, item, invitee = _open_session(session)
    version = item["asset_version"]
    user = session.query(f'User where username is "{session.api_user}"').one()
    _close(session, review_session)
    reader = make_session()
    assert reader.get("ReviewSession", review_session["id"])["is_open"] is False

    session.create(
        "ReviewSessionObject",
        {"review_session": review_session, "asset_version": version, "name": "again",
         "version": "v001"},
    )  # fmt: skip
    _refused(session)
    _note(session, item, user["id"], "late")
    _refused(session)
    session.create(
        "ReviewSessionObjectStatus",
        {"review_session_object": item, "invitee": invitee, "status": "approved"},
    )
    _refused(session)

    reader = make_session()
    objects = reader.query(
        f'ReviewSessionObject where review_session_id is "{review_session["id"]}"'
    ).all()
    assert [o["id"] for o in objects] == [item["id"]]
    assert list(objects[0]["notes"]) == [] and list(objects[0]["statuses"]) == []


def test_a_closed_session_refuses_a_drawing_on_an_earlier_note(
    make_session: Any, tmp_path: Any
) -> None:
    session = make_session()
    review_session, item, _invitee = _open_session(session)
    user = session.query(f'User where username is "{session.api_user}"').one()
    note = _note(session, item, user["id"], "before closing")
    session.commit()
    drawing = tmp_path / "drawing.png"
    drawing.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    server_location = session.query('Location where name is "ftrack.server"').one()
    component = session.create_component(
        str(drawing), {"name": "annotation"}, location=server_location
    )
    _close(session, review_session)
    session.create("NoteComponent", {"note_id": note["id"], "component_id": component["id"]})
    _refused(session)
    assert list(make_session().get("Note", note["id"])["note_components"]) == []


def test_reopening_a_session_takes_notes_again(session: Any) -> None:
    review_session, item, _invitee = _open_session(session)
    user = session.query(f'User where username is "{session.api_user}"').one()
    _close(session, review_session)
    review_session["end_date"] = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    session.commit()
    _note(session, item, user["id"], "back")
    session.commit()
