"""ft_dcc.review on the real embedded server: sessions, versions, invitees, feedback, closing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Tuple

import pytest
from support import open_session

from ft_dcc.exceptions import ReviewSessionClosedError
from ft_dcc.protocol.feedback import note_frame
from ft_dcc.review import feedback
from ft_dcc.review import sessions as review


@pytest.fixture
def session(embedded_server, tmp_path: Path) -> Any:
    with open_session(embedded_server, tmp_path) as opened:
        yield opened


def project_and_version(session: Any) -> Tuple[Any, Any]:
    name = f"review{uuid.uuid4().hex[:8]}"
    project = session.create(
        "Project",
        {"name": name, "full_name": name, "project_schema": session.query("ProjectSchema").first()},
    )
    asset_type = session.query('AssetType where short is "upload"').one()
    asset = session.create("Asset", {"name": "sh010_anim", "parent": project, "type": asset_type})
    version = session.create("AssetVersion", {"asset": asset, "comment": "blocking"})
    session.commit()
    version = session.query(
        f'select id, version from AssetVersion where id is "{version["id"]}"'
    ).one()
    return project, version


def test_find_or_create_is_idempotent_and_dated_by_default(session: Any) -> None:
    project, _ = project_and_version(session)
    name = review.default_review_session_name()
    assert name.startswith("Dailies 20")
    first = review.find_or_create_review_session(session, project, name)
    again = review.find_or_create_review_session(session, project, name)
    assert first["id"] == again["id"]
    found = session.query(
        f'select id from ReviewSession where project_id is "{project["id"]}"'
    ).all()
    assert len(found) == 1
    assert review.is_open(again)


def test_add_version_is_idempotent(session: Any) -> None:
    project, version = project_and_version(session)
    target = review.find_or_create_review_session(session, project, "Weekly")
    added = review.add_version(session, target, version, description="please look at the arm")
    again = review.add_version(session, target, version)
    assert added["id"] == again["id"]
    rows = session.query(
        "select id, name, version, description from ReviewSessionObject "
        f'where review_session_id is "{target["id"]}"'
    ).all()
    assert [(r["name"], r["version"], r["description"]) for r in rows] == [
        ("sh010_anim", "v001", "please look at the arm")
    ]


def test_closed_session_takes_nothing_more(session: Any) -> None:
    project, version = project_and_version(session)
    target = review.find_or_create_review_session(session, project, "Final")
    review.close_review_session(session, target)
    reread = review.find_review_session(session, project, "Final")
    assert not review.is_open(reread)
    computed = session.query(f'select is_open from ReviewSession where id is "{target["id"]}"')
    assert computed.one()["is_open"] is False  # the server agrees: closed
    with pytest.raises(ReviewSessionClosedError, match="Final") as raised:
        review.add_version(session, reread, version)
    assert "reopen" in str(raised.value)
    count = session.query(
        f'select id from ReviewSessionObject where review_session_id is "{target["id"]}"'
    ).all()
    assert count == []
    review.reopen_review_session(session, reread)
    computed = session.query(f'select is_open from ReviewSession where id is "{target["id"]}"')
    assert computed.one()["is_open"] is True
    assert review.add_version(session, reread, version)["id"]


def test_private_session_with_invitees_and_invites(session: Any) -> None:
    project, _ = project_and_version(session)
    target = review.find_or_create_review_session(session, project, "Client")
    invited = review.make_private(
        session, target, ["ana@example.com", {"name": "Bo", "email": "bo@example.com"}]
    )
    again = review.add_invitees(session, target, ["ANA@example.com"])
    assert again[0]["id"] == invited[0]["id"]
    rows = session.query(
        f'select name, email from ReviewSessionInvitee where review_session_id is "{target["id"]}"'
    ).all()
    assert sorted((r["name"], r["email"]) for r in rows) == [
        ("Bo", "bo@example.com"),
        ("ana", "ana@example.com"),
    ]
    shared = session.query(
        f'select shareable_url_enabled from ReviewSession where id is "{target["id"]}"'
    ).one()
    assert shared["shareable_url_enabled"] is False
    review.send_review_session_invites(session, invited)  # the server accepts them


def test_session_feedback_gives_notes_with_frames_and_statuses(
    session: Any, embedded_server: Any
) -> None:
    project, version = project_and_version(session)
    target = review.find_or_create_review_session(session, project, "Notes")
    obj = review.add_version(session, target, version)
    (invitee,) = review.add_invitees(session, target, ["cd@example.com"])
    user = session.query(f'User where username is "{session.api_user}"').one()
    note = session.create(
        "Note",
        {
            "content": "the arm pops here",
            "parent_id": obj["id"],
            "parent_type": "ReviewSessionObject",
            "user_id": user["id"],
        },
    )
    plain = session.create(
        "Note",
        {
            "content": "nice overall",
            "parent_id": obj["id"],
            "parent_type": "ReviewSessionObject",
            "user_id": user["id"],
        },
    )
    session.commit()
    session.create(
        "Metadata",
        {
            "parent_id": note["id"],
            "parent_type": "Note",
            "key": "reviewFrame",
            "value": json.dumps({"number": 1012}),
        },
    )
    session.create(
        "ReviewSessionObjectStatus",
        {
            "review_session_object_id": obj["id"],
            "review_session_invitee_id": invitee["id"],
            "status": "require_changes",
        },
    )
    session.commit()
    mark = embedded_server.log_mark()
    (item,) = feedback.session_feedback(session, target)
    assert len(embedded_server.api_requests_since(mark)) <= 8  # never one query per note
    assert item.review_session_object_id == obj["id"] and item.version == 1
    assert item.version_id == version["id"] and item.review_session == "Notes"
    frames = {n.content: n.frame for n in item.notes}
    assert frames == {"the arm pops here": 1012, "nice overall": None}
    assert {n.author_email for n in item.notes} == {user["email"] or ""}
    full_name = " ".join(p for p in (user["first_name"], user["last_name"]) if p)
    assert {n.author for n in item.notes} == {full_name or session.api_user}
    assert [(s.status, s.email) for s in item.statuses] == [("require_changes", "cd@example.com")]
    assert plain["id"] in {n.id for n in item.notes}


@pytest.mark.parametrize(
    ("metadata", "frame"),
    [
        ({"frame": "12"}, 12),
        ({"frame_number": 7}, 7),
        ({"reviewFrame": '{"number": 1001}'}, 1001),
        ({"reviewFrame": "not json {"}, None),
        ({}, None),
    ],
)
def test_note_frame_reads_the_known_keys(metadata: dict, frame: Any) -> None:
    assert note_frame(metadata) == frame
