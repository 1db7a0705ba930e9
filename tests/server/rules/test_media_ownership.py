"""An ordinary User cannot overwrite or delete another User's media.

mallory (a plain User) against alice's published movie and thumbnail, over HTTP on the real
server (SQLite, and PostgreSQL with 4 workers): each attack is refused with a message that says
what to do, and no database row and no stored file changes.

Seen failing first: these were strict xfails on ``main`` before the ownership model
(``ft_dcc/server/rules/ownership_model.py``); they pass as plain tests since.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest
import requests
from support.insiders import (
    api_refused,
    assert_unchanged,
    file_bytes,
    publication,
    route_refused,
    snapshot,
    stored_component,
)
from support.trust import call, create, delete, new_id, update


def _location_of(world: Any, component_id: str) -> str:
    rows = call(world.server, [{"action": "query", "expression":
                f'select id from ComponentLocation where component_id is "{component_id}"'}]
                ).json()[0]["data"]  # fmt: skip
    return str(rows[0]["id"])


@pytest.fixture(scope="module")
def published(trust_world: Any) -> Dict[str, Dict[str, str]]:
    """alice's publication and mallory's, for the module's tests that are only refused (each
    shows no row and no stored file changed, so the next finds them as made)."""
    world = trust_world
    return {"alice": publication(world, world.alice), "mallory": publication(world, world.mallory)}


@pytest.mark.parametrize("which", ["movie", "thumbnail"])
def test_mallory_cannot_replace_alices_stored_file(
    trust_world: Any, published: Dict[str, Dict[str, str]], which: str
) -> None:
    world, mallory = trust_world, trust_world.mallory
    theirs = published["alice"]
    component = theirs[which]
    original = file_bytes(world, component)
    before = snapshot(world)
    # step 1: drop alice's location row, so the component looks never uploaded
    response = call(world.server, [delete("ComponentLocation", _location_of(world, component))],
                    **mallory.auth)  # fmt: skip
    api_refused(response, 403)
    # the rest of the chain must fail too, whatever step 1 did
    meta = call(world.server, [{"action": "get_upload_metadata", "component_id": component,
                                "file_name": "x.mp4", "file_size": 5}], **mallory.auth)  # fmt: skip
    assert meta.status_code in (400, 403, 409), meta.text
    assert file_bytes(world, component) == original
    assert_unchanged(world, before)


def test_mallory_cannot_remove_alices_thumbnail_file(
    trust_world: Any, published: Dict[str, Dict[str, str]]
) -> None:
    world, mallory = trust_world, trust_world.mallory
    theirs = published["alice"]
    before = snapshot(world)
    call(world.server, [delete("ComponentLocation", _location_of(world, theirs["thumbnail"]))],
         **mallory.auth)  # fmt: skip
    removed = requests.get(f"{world.url}/component/remove",
                           params={"id": theirs["thumbnail"]},
                           headers={"ftrack-user": mallory.user, "ftrack-api-key": mallory.key},
                           timeout=30)  # fmt: skip
    route_refused(removed, (403,))
    assert file_bytes(world, theirs["thumbnail"]) is not None
    assert_unchanged(world, before)


def test_rewriting_the_owner_then_deleting_in_one_batch_is_refused(
    trust_world: Any, published: Dict[str, Dict[str, str]]
) -> None:
    world, mallory = trust_world, trust_world.mallory
    theirs = published["alice"]
    before = snapshot(world)
    response = call(world.server, [update("AssetVersion", theirs["version"], user_id=mallory.id),
                                   delete("AssetVersion", theirs["version"])],
                    **mallory.auth)  # fmt: skip
    api_refused(response, 403)
    assert_unchanged(world, before)


def test_moving_a_component_onto_ones_own_version_is_refused(
    trust_world: Any, published: Dict[str, Dict[str, str]]
) -> None:
    world, mallory = trust_world, trust_world.mallory
    theirs, mine = published["alice"], published["mallory"]
    before = snapshot(world)
    response = call(world.server, [update("FileComponent", theirs["movie"],
                                          version_id=mine["version"]),
                                   delete("FileComponent", theirs["movie"])],
                    **mallory.auth)  # fmt: skip
    api_refused(response, 403)
    moved = call(world.server, [update("FileComponent", theirs["movie"],
                                       version_id=mine["version"])], **mallory.auth)  # fmt: skip
    api_refused(moved, 403)
    assert_unchanged(world, before)


def test_owners_still_manage_their_own_media(trust_world: Any) -> None:
    """The control: what mallory owns, mallory may replace and delete."""
    world, mallory = trust_world, trust_world.mallory
    mine = publication(world, mallory)
    extra = stored_component(world, mallory, mine["version"], b"notes", "notes", "notes.txt")
    response = call(world.server, [delete("FileComponent", extra),
                                   create("FileComponent", id=new_id(), name="again",
                                          version_id=mine["version"])],
                    **mallory.auth)  # fmt: skip
    assert response.status_code == 200, response.text
    response = call(world.server, [delete("AssetVersion", mine["version"])], **mallory.auth)
    assert response.status_code == 200, response.text
