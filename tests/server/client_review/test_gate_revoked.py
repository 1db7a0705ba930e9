"""A session's revocation marks end its client links, over HTTP against a real server.

``EntitySetting`` rows under the ReviewSession (group ``review``): ``links_revoked_at`` ends
every client link issued before it, ``invitee_links_revoked_at:<invitee id>`` one invitee's;
a link made afterwards opens again. Only someone who may manage the session writes those rows
(a refusal stores nothing), and a write ends the open streams resting on the session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Iterator, List

import pytest
from support.trust import call
from web.feedback_fixtures import another_user

from .gate_world import Dailies, audit_acts, get, make_owner, raw_rows
from .test_gate_window import Stream


@pytest.fixture(scope="module")
def world(gate_backend_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    base = tmp_path_factory.mktemp("gate-revoked")
    for owner in make_owner(gate_backend_server, base):
        yield {"server": gate_backend_server, "owner": owner, "base": base}


def mark(name: str, rs: str, action: str = "create") -> Dict[str, Any]:
    """An operation writing the revocation mark ``name`` of session ``rs`` (now)."""
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    key = [rs, "review", name]
    if action == "delete":
        return {"action": "delete", "entity_type": "EntitySetting", "entity_key": key}
    if action == "update":
        return {"action": "update", "entity_type": "EntitySetting", "entity_key": key,
                "entity_data": {"value": now}}  # fmt: skip
    return {"action": "create", "entity_type": "EntitySetting", "entity_data": {
        "parent_id": rs, "parent_type": "ReviewSession", "group": "review", "name": name,
        "value": now}}  # fmt: skip


def settings(server: Any, rs: str) -> List[Any]:
    return sorted(raw_rows(server, f'select name, value from EntitySetting '
                                   f'where parent_id is "{rs}"'), key=repr)  # fmt: skip


def test_revoking_a_sessions_links_ends_those_issued_before(world: Dict[str, Any]) -> None:
    server = world["server"]
    session = Dailies(server, world["owner"], world["base"])
    ann, room, owner_page = session.invitee("ann"), session.room(), session.personal()
    stream = Stream(session.invitee("bob"))
    try:
        answer = call(server, [mark("links_revoked_at", session.id)])
        assert answer.status_code == 200, answer.text
        stream.wait_ended()  # the open stream of a revoked link ends
    finally:
        stream.close()
    for page in (ann, room):
        shown = get(page)
        assert shown.status_code == 403 and "revoked" in shown.text, shown.text[-800:]
        refused = get(page, "/feedback")
        assert refused.status_code == 403 and "revoked" in refused.json()["error"]
        assert get(page, session.media()).status_code == 403
    refused = audit_acts(server, session.id, ["access.refused"])
    assert {e["detail"].get("reason") for e in refused if e["act"] == "access.refused"} == {
        "revoked"
    }, refused
    assert get(owner_page, "/feedback").status_code == 200  # the studio's own access
    assert get(session.invitee("ann"), "/feedback").status_code == 200  # a new link opens


def test_revoking_one_invitees_links(world: Dict[str, Any]) -> None:
    server = world["server"]
    session = Dailies(server, world["owner"], world["base"])
    ann, bob = session.invitee("ann"), session.invitee("bob")
    ann_id = session.dailies.ann["id"]
    answer = call(server, [mark(f"invitee_links_revoked_at:{ann_id}", session.id)])
    assert answer.status_code == 200, answer.text
    assert get(ann, "/feedback").status_code == 403
    assert get(bob, "/feedback").status_code == 200
    assert get(session.invitee("ann"), "/feedback").status_code == 200


def test_only_a_manager_writes_a_sessions_settings(world: Dict[str, Any], tmp_path: Any) -> None:
    from support import genuine_sessions

    server = world["server"]
    session = Dailies(server, world["owner"], world["base"])
    answer = call(server, [mark("links_revoked_at", session.id)])
    assert answer.status_code == 200, answer.text
    before = settings(server, session.id)
    with genuine_sessions(server, tmp_path / "cache") as make:
        mallory = another_user(server, make)
        user, key = mallory.api_user, mallory.api_key
    for operation in (mark("links_revoked_at", session.id, "update"),
                      mark("links_revoked_at", session.id, "delete"),
                      mark("download_policy", session.id)):  # fmt: skip
        refused = call(server, [operation], user=user, key=key)
        assert refused.status_code == 403, (operation["action"], refused.text)
        assert "Only those who manage the review" in refused.text
    assert settings(server, session.id) == before
