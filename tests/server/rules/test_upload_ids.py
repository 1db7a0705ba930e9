"""An upload id with no component row yet belongs to whoever first asked to upload.

The ftrack client uploads before it creates the Component row. alice asks
``get_upload_metadata`` for a new id and PUTs her file; before her row exists, mallory may not
get an upload URL for that id, remove its file, or create the Component row with that id (which
would make it hers). Each refusal says what to do and changes no row and no file. alice then
commits her component; an administrator may still upload to a reserved id.

Seen failing first on ``196998a``: mallory's ``get_upload_metadata`` for alice's id answered
200 (a row-less id was anyone's).
"""

from __future__ import annotations

from typing import Any

import requests
from support.insiders import (
    api_refused,
    assert_unchanged,
    file_bytes,
    location_row,
    publication,
    route_refused,
    snapshot,
    upload_meta,
    upload_named,
)
from support.trust import call, create, new_id, ok

PAYLOAD = b"alice's movie, not committed yet" * 8


def _remove(world: Any, who: Any, component: str) -> requests.Response:
    return requests.get(f"{world.url}/component/remove", params={"id": component},
                        headers={"ftrack-user": who.user, "ftrack-api-key": who.key},
                        timeout=30)  # fmt: skip


def test_an_upload_id_without_a_row_is_the_first_askers(trust_world: Any) -> None:
    world, alice, mallory = trust_world, trust_world.alice, trust_world.mallory
    hers, mine = publication(world, alice), publication(world, mallory)
    component = new_id()
    put = upload_named(world, alice, component, PAYLOAD, "movie.mp4")
    assert put.status_code == 200, put.text
    assert file_bytes(world, component) == PAYLOAD
    before = snapshot(world)
    ask = {"action": "get_upload_metadata", "component_id": component, "file_name": "x.mp4",
           "file_size": 4}  # fmt: skip
    asked = call(world.server, [ask], **mallory.auth)
    api_refused(asked, 403)
    route_refused(_remove(world, mallory, component), (403,))
    taken = call(world.server, [create("FileComponent", id=component, name="main",
                                       version_id=mine["version"])], **mallory.auth)  # fmt: skip
    api_refused(taken, 403)
    assert_unchanged(world, before)
    assert file_bytes(world, component) == PAYLOAD
    ok(world.server, [create("FileComponent", id=component, name="main",
                             version_id=hers["version"], file_type=".mp4"),
                      location_row(component)], **alice.auth)  # fmt: skip
    assert file_bytes(world, component) == PAYLOAD


def test_an_administrator_may_upload_to_a_reserved_id(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    component = new_id()
    assert upload_meta(world, alice, component, 4)["url"]
    assert upload_meta(world, world.admin, component, 4)["url"]
    assert upload_meta(world, alice, component, 4)["url"]  # still hers
