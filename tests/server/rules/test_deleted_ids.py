"""No right from an id alone: the id of a deleted row is never accepted for a new row.

The hostile round's finding: alice deletes her review session; mallory creates a
``ReviewSession`` with the same id (ids are readable) and reads its whole audit trail (invitee
ids, acts, source addresses). Now the create is refused (409, saying to send a new id) and
changes nothing, the trail stays readable by administrators only, the session's settings went
with it, and its invitee's link opens nothing. The same for every kind of row with a text id (a
version, a component, an invitee, a note), and for the row's own creator too: an id is never
reused; except the ids publishes derive from names for rows off which nothing hangs (an asset).
SQLite and PostgreSQL with 4 workers (``trust_world``).

Seen failing first: on the code before tombstones mallory's create answered 200 and her
``ft_dcc.audit`` of the id answered 200 with alice's entries.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
import requests
from support.insiders import (
    World,
    api_refused,
    assert_unchanged,
    publication,
    review_of,
    snapshot,
    token_of,
    widget,
)
from support.trust import call, create, delete, new_id, ok, query


def audit(world: World, who: Any, session: str) -> requests.Response:
    return call(world.server, [{"action": "ft_dcc.audit", "review_session_id": session}],
                **who.auth)  # fmt: skip


def setting(session: str, name: str, value: str) -> Dict[str, Any]:
    return {"action": "create", "entity_type": "EntitySetting",
            "entity_key": [session, "review", name],
            "entity_data": {"__entity_type__": "EntitySetting", "parent_type": "ReviewSession",
                            "value": value}}  # fmt: skip


def test_a_deleted_sessions_id_is_not_given_to_someone_else(trust_world: World) -> None:
    world, alice, mallory = trust_world, trust_world.alice, trust_world.mallory
    review = review_of(world, alice)
    ok(world.server, [setting(review.session, "download_policy", "none")], **alice.auth)
    token = token_of(widget(world, alice, "ReviewSessionInvitee", review.client))
    assert audit(world, alice, review.session).json()[0]["entries"], "alice's trail is empty"
    ok(world.server, [delete("ReviewSession", review.session)], **alice.auth)

    before = snapshot(world)
    again = create("ReviewSession", id=review.session, name="mine",
                   project_id=review.published["project"])  # fmt: skip
    message = api_refused(call(world.server, [again], **mallory.auth), 409)
    assert "new" in message and review.session in message
    api_refused(audit(world, mallory, review.session), 403)
    assert_unchanged(world, before)

    # what hung off the session: its settings are gone, its links open nothing, its trail
    # stays with the administrators (no one can create the session again to claim it)
    settings = query(world.server, "select name from EntitySetting where parent_id is "
                                   f'"{review.session}"')  # fmt: skip
    assert settings == []
    page = requests.get(f"{world.url}/review/{review.session}", params={"token": token},
                        timeout=30)  # fmt: skip
    assert 400 <= page.status_code < 500, page.status_code
    trail = audit(world, world.admin, review.session)
    assert trail.status_code == 200 and trail.json()[0]["entries"]
    # the owner cannot take the id back either: an id is never used twice
    api_refused(call(world.server, [again], **alice.auth), 409)


def _rows_of(world: World) -> Dict[str, List[Dict[str, Any]]]:
    """alice's rows of each kind, created to be deleted: type -> [create operation]."""
    published = publication(world, alice := world.alice)
    review = review_of(world, alice)
    note = create("Note", content="n", parent_id=published["version"],
                  parent_type="AssetVersion")  # fmt: skip
    ok(world.server, [note], **alice.auth)
    return {
        "AssetVersion": [create("AssetVersion", id=published["version"],
                                asset_id=published["asset"], task_id=published["task"])],
        "FileComponent": [create("FileComponent", id=published["movie"], name="main",
                                 version_id=published["version"])],
        "ReviewSessionInvitee": [create("ReviewSessionInvitee", id=review.client, name="x",
                                        email="x@x.example", review_session_id=review.session)],
        "Note": [create("Note", id=note["entity_key"][0], content="n",
                        parent_id=published["version"], parent_type="AssetVersion")],
    }  # fmt: skip


@pytest.fixture(scope="module")
def deleted(trust_world: World) -> Dict[str, List[Dict[str, Any]]]:
    """alice's rows, deleted by alice (the version last: it holds the component and the note)."""
    rows = _rows_of(trust_world)
    order = ["Note", "FileComponent", "ReviewSessionInvitee", "AssetVersion"]
    for type_name in order:
        ident = rows[type_name][0]["entity_key"][0]
        ok(trust_world.server, [delete(type_name, ident)], **trust_world.alice.auth)
    return rows


@pytest.mark.parametrize("type_name", ["AssetVersion", "FileComponent", "ReviewSessionInvitee",
                                       "Note"])  # fmt: skip
def test_no_deleted_id_is_accepted_again(trust_world: World, deleted: Dict[str, Any],
                                         type_name: str) -> None:  # fmt: skip
    world = trust_world
    before = snapshot(world)
    for who in (world.mallory, world.alice, world.admin):
        api_refused(call(world.server, deleted[type_name], **who.auth), 409)
    assert_unchanged(world, before)


def test_a_new_id_is_still_welcome(trust_world: World) -> None:
    """The control: a fresh id (or none: the server makes one) is created as before."""
    world = trust_world
    published = publication(world, world.mallory)
    made = create("ReviewSession", id=new_id(), name="fresh", project_id=published["project"])
    ok(world.server, [made], **world.mallory.auth)
    bare = {"action": "create", "entity_type": "ReviewSession",
            "entity_data": {"__entity_type__": "ReviewSession", "name": "no id",
                            "project_id": published["project"]}}  # fmt: skip
    assert ok(world.server, [bare], **world.mallory.auth)[0]["data"]["id"]


def test_an_asset_id_derived_from_names_is_made_again(trust_world: World) -> None:
    """Publishes derive an asset's id from its shot, name and type (racing publishes send the
    same id): after the asset is deleted, the next publish makes it again under that id.
    Nothing outside the row hangs off an asset id (its versions and notes go with it)."""
    world, alice = trust_world, trust_world.alice
    published = publication(world, alice)
    asset = create("Asset", id=published["asset"], name="again", context_id=published["shot"])
    ok(world.server, [delete("Asset", published["asset"])], **alice.auth)
    ok(world.server, [asset], **alice.auth)
    assert query(world.server, f'select id from Asset where id is "{published["asset"]}"')
