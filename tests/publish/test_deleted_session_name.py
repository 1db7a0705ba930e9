"""A deleted review session's name is published into again; a removed invitee is invited again.

A publish derives the id of the day's session from its project and name (racing publishes
converge on one row) and the server never accepts the id of a deleted row again (its audit trail
and links hang off it). So after its manager deleted "Dailies <date>", every publish into that
name was refused for the rest of the day. Now the server's refusal says so in a typed field
(``error_code``), and the publish makes the session again under the next generation of its
derived id; the deleted session's trail and links stay with the old id, still refused. The same
for an invitee removed from the session and invited again by the session's owner. Artists (not
administrators) publish; the session's manager deletes through the genuine ``ftrack_api``
client. On the shared SQLite
server and the PostgreSQL one (4 workers).

Seen failing first: before the generations, the second publish raised ``PublishError`` ("the
server refused the publish: … belonged to a deleted entity …").
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Sequence

import pytest
from support import make_movie
from support.entities import genuine_sessions
from support.trust import add_api_user, call, create, make_task, query

from ft_dcc.publish.common.manifest import ComponentSpec, IntegrateManifest
from ft_dcc.publish.integrate.commit import IntegrateOutcome, integrate_manifest
from ft_dcc.review import sessions as review
from ft_dcc.session import Session

CLIENT = "client@studio.example"


def _artist(server: Any, tmp_path: Path, name: str) -> Dict[str, str]:
    user = name + uuid.uuid4().hex[:6]
    user_id, key = add_api_user(server, user)
    return {"user": user, "key": key, "id": user_id, "cache": str(tmp_path / user)}


def _publish(server: Any, artist: Dict[str, str], task: str, movie: Path, name: str,
             invitees: Sequence[str] = ()) -> IntegrateOutcome:  # fmt: skip
    session = Session(server_url=server.url, api_user=artist["user"], api_key=artist["key"],
                      schema_cache_path=artist["cache"], plugin_paths=[])  # fmt: skip
    manifest = IntegrateManifest(
        task_id=task, asset_name="comp", comment=f"by {artist['user']}",
        components=[ComponentSpec(name="ftrackreview-mp4", file=str(movie), file_type=".mp4")],
        review_session_name=name, invitees=[{"email": e, "name": e} for e in invitees],
    )  # fmt: skip
    try:
        return integrate_manifest(session, manifest, announce=False)
    finally:
        session.close()


def _objects(server: Any, session_id: str) -> List[str]:
    rows = query(server, "select version_id from ReviewSessionObject where "
                         f'review_session_id is "{session_id}"')  # fmt: skip
    return sorted(r["version_id"] for r in rows)


def _sessions(server: Any, project: str, name: str) -> List[str]:
    rows = query(server, f'select id from ReviewSession where project_id is "{project}" '
                         f'and name is "{name}"')  # fmt: skip
    return [r["id"] for r in rows]


def _delete_as(genuine: Any, artist: Dict[str, str], entity_type: str, ident: str) -> None:
    """The manager deletes through the genuine client, as a studio's script would."""
    manager = genuine(api_user=artist["user"], api_key=artist["key"])
    manager.delete(manager.get(entity_type, ident))
    manager.commit()


@pytest.fixture
def genuine(server_on_each_backend: Any, tmp_path: Path) -> Any:
    with genuine_sessions(server_on_each_backend, tmp_path / "schemas") as make:
        yield make


def test_a_deleted_sessions_name_is_published_into_again(
    server_on_each_backend: Any, genuine: Any, tmp_path: Path
) -> None:
    server = server_on_each_backend
    ann, ben = _artist(server, tmp_path, "ann"), _artist(server, tmp_path, "ben")
    ids = make_task(server)
    movie = make_movie(tmp_path / "review.mp4", frames=2)
    name = f"Dailies {tmp_path.name}"
    first = _publish(server, ann, ids["task"], movie, name)
    assert first.review_session_id == review.review_session_id_for(ids["project"], name)
    assert _objects(server, first.review_session_id) == [first.asset_version_id]

    _delete_as(genuine, ann, "ReviewSession", first.review_session_id)  # ann made it: she manages
    assert _sessions(server, ids["project"], name) == []

    second = _publish(server, ben, ids["task"], movie, name)
    assert second.review_session_id not in (None, first.review_session_id)
    assert _sessions(server, ids["project"], name) == [second.review_session_id]
    assert _objects(server, second.review_session_id) == [second.asset_version_id]
    third = _publish(server, ann, ids["task"], movie, name)  # the live session is found by name
    assert third.review_session_id == second.review_session_id
    assert _objects(server, second.review_session_id) == sorted(
        [second.asset_version_id, third.asset_version_id])  # fmt: skip

    # the deleted session's trail and links stay with its id: still refused to everyone but
    # the administrators, and its id is still never given to a new row
    for who in (ann, ben):
        audit = {"action": "ft_dcc.audit", "review_session_id": first.review_session_id}
        trail = call(server, [audit], user=who["user"], key=who["key"])
        assert trail.status_code == 403, trail.text
        link = call(server, [{"action": "get_widget_url", "name": "review_session",
                              "entity_type": "ReviewSession",
                              "entity_key": [first.review_session_id]}],
                    user=who["user"], key=who["key"])  # fmt: skip
        assert link.status_code >= 400, link.text
    again = create("ReviewSession", id=first.review_session_id, name=name,
                   project_id=ids["project"])  # fmt: skip
    refused = call(server, [again], user=ann["user"], key=ann["key"])
    assert refused.status_code == 409 and refused.json()["error_code"] == "deleted_id"


def test_a_removed_invitee_is_invited_again(
    server_on_each_backend: Any, genuine: Any, tmp_path: Path
) -> None:
    server = server_on_each_backend
    ann = _artist(server, tmp_path, "ann")
    ids = make_task(server)
    movie = make_movie(tmp_path / "review.mp4", frames=2)
    name = f"Dailies {tmp_path.name}"
    first = _publish(server, ann, ids["task"], movie, name, [CLIENT])
    session_id = first.review_session_id
    where = f'review_session_id is "{session_id}" and email is "{CLIENT}"'
    invitees = f"select id from ReviewSessionInvitee where {where}"
    (removed,) = [r["id"] for r in query(server, invitees)]
    assert removed == review.derived_id("ReviewSessionInvitee", session_id, CLIENT)

    _delete_as(genuine, ann, "ReviewSessionInvitee", removed)
    second = _publish(server, ann, ids["task"], movie, name, [CLIENT])  # who may invite: hers
    assert second.review_session_id == session_id
    invited = [r["id"] for r in query(server, invitees)]
    assert len(invited) == 1 and invited[0] != removed
    assert _objects(server, session_id) == sorted([first.asset_version_id,
                                                   second.asset_version_id])  # fmt: skip
    again = create("ReviewSessionInvitee", id=removed, name=CLIENT, email=CLIENT,
                   review_session_id=session_id)  # fmt: skip
    refused = call(server, [again], user=ann["user"], key=ann["key"])
    assert refused.status_code == 409 and refused.json()["error_code"] == "deleted_id"


def test_racing_publishes_into_a_deleted_sessions_name_make_one_session(
    server_on_each_backend: Any, genuine: Any, tmp_path: Path
) -> None:
    """Racing publishes walk the same generations, so they still meet on one new session."""
    server, racers = server_on_each_backend, 4
    ann = _artist(server, tmp_path, "ann")
    ids = make_task(server)
    movie = make_movie(tmp_path / "review.mp4", frames=2)
    name = f"Dailies {tmp_path.name}"
    first = _publish(server, ann, ids["task"], movie, name)
    _delete_as(genuine, ann, "ReviewSession", first.review_session_id)
    start = threading.Barrier(racers)

    def run(index: int) -> Any:
        start.wait()
        try:
            return _publish(server, dict(ann, cache=f"{ann['cache']}-{index}"), ids["task"],
                            movie, name)  # fmt: skip
        except Exception as exc:  # reported below, with every other racer's outcome
            return exc

    with ThreadPoolExecutor(racers) as pool:
        outcomes = list(pool.map(run, range(racers)))
    assert all(isinstance(o, IntegrateOutcome) for o in outcomes), outcomes
    (session_id,) = _sessions(server, ids["project"], name)
    assert session_id == review.review_session_id_for(ids["project"], name, 1)
    assert {o.review_session_id for o in outcomes} == {session_id}
    assert _objects(server, session_id) == sorted(o.asset_version_id for o in outcomes)
