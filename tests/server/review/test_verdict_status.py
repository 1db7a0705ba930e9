"""A verdict that counts on the review page moves the version's workflow status (and, when the
settings say so, its task's), over HTTP against the real embedded server; a project's settings
change the mapping; no other way lets a reviewer change a status (refusals leave the database as
it was).

Two verdicts: a studio member's (their own page) is the internal one and moves the status; a
client's (an invitee's link) is the client's ``ReviewSessionObjectStatus`` and moves nothing
unless the session's client rule ``client_verdict_sets_status`` maps it -- the mapping tests
here turn that rule on (``room``); ``test_a_clients_verdict_is_the_clients`` keeps it off.
Seen failing first: a client's "Request changes" turned the version to Requires Changes."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import attr
import pytest
import requests
from support import genuine_sessions, make_task, open_session
from web.feedback_fixtures import Page, link, personal_link

from ft_dcc.protocol import PROJECT_SETTINGS_KEY
from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.review.feedback import session_feedback


@attr.s(auto_attribs=True)
class Room:
    session: Any
    project: Any
    task: Any
    review_session: Any
    objects: List[Any]  # v001, v002 of one asset in the task
    versions: List[Any]
    ann: Page
    bob: Page
    owner: Page  # the session's own link: acts as its maker, not an invitee


@pytest.fixture
def room(embedded_server: Any, tmp_path: Path) -> Iterator[Room]:
    """The verdict room with the client rule that maps clients' verdicts turned on."""
    yield from _room(embedded_server, tmp_path, client_rule=True)


@pytest.fixture
def client_room(embedded_server: Any, tmp_path: Path) -> Iterator[Room]:
    """The verdict room as a session starts: clients' verdicts are theirs."""
    yield from _room(embedded_server, tmp_path, client_rule=False)


def _room(embedded_server: Any, tmp_path: Path, client_rule: bool) -> Iterator[Room]:
    with open_session(embedded_server, tmp_path) as session:
        task = resolve_task(session, None, make_task(session, f"vs{uuid.uuid4().hex[:8]}"))
        project = session.get("Project", task["project_id"])
        asset_type = session.query('AssetType where short is "upload"').one()
        asset = session.create(
            "Asset",
            {"name": "sh010_anim", "parent": session.get("TypedContext", task["parent_id"]),
             "type": asset_type},
        )  # fmt: skip
        versions = [
            session.create("AssetVersion", {"asset": asset, "task": task, "version": n})
            for n in (1, 2)
        ]
        review_session = session.create(
            "ReviewSession",
            {
                "name": "Verdicts",
                "project": project,
                "end_date": dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1),
            },
        )
        objects = [
            session.create(
                "ReviewSessionObject",
                {
                    "review_session": review_session,
                    "asset_version": v,
                    "name": "sh010_anim",
                    "version": f"v{n:03d}",
                    "sort_order": n,
                },
            )
            for n, v in enumerate(versions, 1)
        ]
        invitees = [
            session.create(
                "ReviewSessionInvitee",
                {"review_session": review_session, "name": who, "email": f"{who.lower()}@x.org"},
            )
            for who in ("Ann", "Bob")
        ]
        if client_rule:
            session.create("EntitySetting", {
                "parent_id": review_session["id"], "parent_type": "ReviewSession",
                "group": "review", "name": "client_verdict_sets_status", "value": "true",
            })  # fmt: skip
        session.commit()
        yield Room(
            session, project, task, review_session, objects, versions,
            link(session, invitees[0]), link(session, invitees[1]), link(session, review_session),
        )  # fmt: skip


def statuses(room: Room) -> Tuple[List[str], str]:
    """(each version's status name, the task's), read fresh from the server."""
    ids = ", ".join(f'"{v["id"]}"' for v in room.versions)
    rows = room.session.call(
        [
            {
                "action": "query",
                "expression": f"select id, status.name from AssetVersion where id in ({ids})",
            },
            {
                "action": "query",
                "expression": f'select status.name from Task where id is "{room.task["id"]}"',
            },
        ]
    )
    by_id = {r["id"]: r["status"]["name"] for r in rows[0]["data"]}
    return [by_id[v["id"]] for v in room.versions], rows[1]["data"][0]["status"]["name"]


def verdict(page: Page, item: Any, status: str) -> requests.Response:
    return page.post("/status", {"object_id": item["id"], "status": status})


def give(page: Page, item: Any, status: str) -> None:
    answer = verdict(page, item, status)
    assert answer.status_code == 200, answer.text


def set_project_settings(room: Room, settings: Dict[str, Any]) -> None:
    room.project["metadata"][PROJECT_SETTINGS_KEY] = json.dumps(
        {"version": 1, "settings": settings}
    )
    room.session.commit()


def test_verdicts_move_the_version_status(room: Room) -> None:
    v1, v2 = room.objects
    assert statuses(room) == (["Pending Review", "Pending Review"], "Not started")
    give(room.ann, v1, "approved")
    assert statuses(room) == (["Approved", "Pending Review"], "Not started")  # task: not set
    give(room.ann, v2, "require_changes")
    assert statuses(room)[0] == ["Approved", "Requires Changes"]
    give(room.bob, v2, "approved")  # Ann still asks for changes: that holds
    assert statuses(room)[0] == ["Approved", "Requires Changes"]
    give(room.ann, v2, "approved")  # now everyone approves
    assert statuses(room)[0] == ["Approved", "Approved"]
    give(room.bob, v1, "require_changes")  # a change of mind moves it back
    assert statuses(room)[0] == ["Requires Changes", "Approved"]


def test_project_settings_change_the_mapping_and_move_the_task(room: Room) -> None:
    v1, v2 = room.objects
    set_project_settings(
        room,
        {
            "review": {"status_on_changes": "on hold", "task_status_on_changes": "In progress"},
            "review.task_status_on_approve": "Completed",
        },
    )
    give(room.ann, v2, "require_changes")
    assert statuses(room) == (["Pending Review", "On Hold"], "In progress")
    give(room.ann, v2, "approved")
    assert statuses(room) == (["Pending Review", "Approved"], "Completed")
    give(room.ann, v1, "require_changes")  # an older take: its status moves, the task does not
    assert statuses(room) == (["On Hold", "Approved"], "Completed")


def test_a_status_outside_the_workflow_is_not_applied(room: Room) -> None:
    v1, _v2 = room.objects
    # "Completed" is a task status, not one of the version workflow; "Aproved" is no status
    set_project_settings(
        room, {"review.status_on_approve": "Completed", "review.status_on_changes": "Aproved"}
    )
    give(room.ann, v1, "approved")
    give(room.bob, v1, "require_changes")
    assert statuses(room)[0] == ["Pending Review", "Pending Review"]
    assert verdict_rows(room) == 2  # verdicts kept


def verdict_rows(room: Room) -> int:
    ids = ", ".join(f'"{o["id"]}"' for o in room.objects)
    return len(
        room.session.query(
            f"select id from ReviewSessionObjectStatus where review_session_object_id in ({ids})"
        ).all()
    )


def test_no_other_way_changes_a_status(room: Room, embedded_server: Any) -> None:
    v1, _v2 = room.objects
    before = statuses(room), verdict_rows(room)
    # the session's own link gives no verdict, so moves no status
    assert verdict(room.owner, v1, "approved").status_code == 403
    # a status name, a status id or an unknown verdict instead of approved / require_changes
    for status in ("Approved", "Omitted", room.versions[0]["status_id"], None, ["approved"]):
        answer = verdict(room.ann, v1, status)
        assert answer.status_code == 400 and "status must be one of" in answer.json()["error"]
    smuggled = room.ann.post(
        "/notes", {"object_id": v1["id"], "content": "ok", "status_id": "x", "status": "Approved"}
    )
    assert smuggled.status_code == 201
    # the link's token is no API key
    update = {
        "action": "update",
        "entity_type": "AssetVersion",
        "entity_key": [room.versions[0]["id"]],
        "entity_data": {"status_id": room.versions[1]["status_id"]},
    }
    headers = {"ftrack-user": "ann@x.org", "ftrack-api-key": room.ann.token}
    api = requests.post(
        embedded_server.url + "/api",
        json=[update],
        headers=dict(headers, **{"ftrack-strict-api": "true"}),
        timeout=30,
    )
    assert api.status_code == 401
    # a closed session takes no verdict
    room.review_session["end_date"] = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    room.session.commit()
    assert verdict(room.ann, v1, "approved").status_code == 403  # its client links open nothing
    assert (statuses(room), verdict_rows(room)) == before


def test_a_clients_verdict_is_the_clients(client_room: Room, embedded_server: Any,
                                          tmp_path: Path) -> None:  # fmt: skip
    """Without the client rule a client's verdict is their invitee's ReviewSessionObjectStatus
    (read so by the genuine ``ftrack_api`` client) and the version's status stays; the studio's
    own verdict (a personal link) moves it; the studio sees both, the client only their own."""
    room = client_room
    v1, v2 = room.objects
    give(room.ann, v1, "require_changes")
    assert statuses(room) == (["Pending Review", "Pending Review"], "Not started")
    studio = personal_link(room.session, room.review_session)
    give(studio, v2, "approved")  # the internal verdict moves its version as before
    give(room.bob, v2, "require_changes")  # and a client's does not hold it back
    assert statuses(room) == (["Pending Review", "Approved"], "Not started")
    with genuine_sessions(embedded_server, tmp_path / "genuine") as make:
        genuine = make()
        rows = genuine.query(
            "select status, invitee.name, review_session_object_id "
            f"from ReviewSessionObjectStatus where review_session_object_id is {v1['id']}"
        ).all()
        assert [(r["status"], r["invitee"]["name"]) for r in rows] == [("require_changes", "Ann")]
        version = genuine.query(f"select status.name from AssetVersion where id is "
                                f"{room.versions[0]['id']}").one()  # fmt: skip
        assert version["status"]["name"] == "Pending Review"
    seen = studio.feedback()["objects"][v2["id"]]
    kinds = sorted((s["name"], s["kind"], s["status"]) for s in seen["statuses"])
    assert kinds == [("Bob", "client", "require_changes"),
                     ("test user", "studio", "approved")] or kinds[0][:2] == ("Bob", "client")
    assert seen["version_status"]["name"] == "Approved"
    # the export (ft-dcc review export: CSV, HTML, PDF, OTIO) marks the studio's internal one
    [exported] = [f for f in session_feedback(room.session, room.review_session["id"])
                  if f.review_session_object_id == v2["id"]]  # fmt: skip
    assert sorted((s.studio, s.status) for s in exported.statuses) == [
        (False, "require_changes"), (True, "approved")]  # fmt: skip
    client = room.bob.feedback()["objects"][v2["id"]]
    assert [(s["name"], s["status"]) for s in client["statuses"]] == [("Bob", "require_changes")]
    assert client["version_status"] is None
