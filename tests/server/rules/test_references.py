"""A stored reference always names a row of its declared type, and a
drawing is a real PNG.

Refused with a message that says what to do, nothing stored: a project's reference set to a
path, a ComponentLocation without a component, foreign keys naming nothing (or a row of another
type), and a 16-byte header-only "PNG" posted as a drawing.

Seen failing first: the path and the location without a component were strict xfails on
``main`` before the schema-declared foreign keys and the ownership model's required parent.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest
from support.insiders import (
    Review,
    api_refused,
    assert_unchanged,
    review_of,
    review_post,
    route_refused,
    snapshot,
    token_of,
    widget,
)
from support.trust import SERVER_LOCATION_ID, call, create, new_id, update

#: the PNG signature and an IHDR chunk header, and nothing else
HEADER_ONLY_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def _refused_as_bad_input(world: Any, operation: Dict[str, Any]) -> None:
    before = snapshot(world)
    response = call(world.server, [operation], **world.mallory.auth)
    assert response.status_code in (400, 403, 404), (response.status_code, response.text[:500])
    api_refused(response, response.status_code)
    assert_unchanged(world, before)


@pytest.fixture(scope="module")
def mine(trust_world: Any) -> Review:
    """mallory's review, for the module's tests whose writes are refused (each shows nothing
    changed, so the next finds it as made)."""
    return review_of(trust_world, trust_world.mallory)


def test_a_path_is_not_a_project_reference(trust_world: Any, mine: Review) -> None:
    world = trust_world
    for value in ("../../etc/passwd", new_id()):
        _refused_as_bad_input(world, update("Project", mine.published["project"],
                                            project_id=value))  # fmt: skip


def test_a_component_location_needs_a_component(trust_world: Any) -> None:
    operation = create("ComponentLocation", location_id=SERVER_LOCATION_ID,
                       resource_identifier="nothing")  # fmt: skip
    _refused_as_bad_input(trust_world, operation)


@pytest.mark.parametrize(
    ("entity_type", "attribute", "target"),
    [
        ("AssetVersion", "task_id", "nothing"),
        ("AssetVersion", "thumbnail_id", "nothing"),
        ("AssetVersion", "task_id", "a review session"),
        ("Asset", "context_id", "nothing"),
    ],
)
def test_a_foreign_key_names_a_row_of_its_type(
    trust_world: Any, mine: Review, entity_type: str, attribute: str, target: str
) -> None:
    """Already held on today's code (a probe of 21 reference attributes found only
    ``Project.project_id`` unchecked, see above): kept as the control."""
    world = trust_world
    ids = {"AssetVersion": mine.published["version"], "Asset": mine.published["asset"]}
    value = new_id() if target == "nothing" else mine.session
    _refused_as_bad_input(world, update(entity_type, ids[entity_type], **{attribute: value}))


def test_a_header_only_png_is_not_a_drawing(trust_world: Any) -> None:
    import base64

    world = trust_world
    review = review_of(world, world.alice)
    token = token_of(widget(world, world.alice, "ReviewSessionInvitee", review.client))
    before = snapshot(world)
    png = "data:image/png;base64," + base64.b64encode(HEADER_ONLY_PNG).decode("ascii")
    response = review_post(
        world,
        review.session,
        token,
        "annotations",
        {"object_id": review.item, "frame": 1, "png": png},
    )
    message = route_refused(response, (400, 415))
    assert "PNG" in message or "png" in message
    assert_unchanged(world, before)
