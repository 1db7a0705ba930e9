"""A deeply nested body is a 4xx on every route, never a 500.

A 30 KB JSON body nested 5,000 levels deep, sent through a valid invitee link to the review
routes ``/notes``, ``/status`` and ``/annotations`` (and to ``/api``), answers 400 or 413 with a
message that says what to send instead; nothing is stored.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from support.insiders import (
    assert_unchanged,
    review_of,
    review_post,
    route_refused,
    snapshot,
    token_of,
    widget,
)

DEPTH = 5000


def deep_object() -> bytes:
    return b'{"a":' * DEPTH + b"1" + b"}" * DEPTH  # ~30 KB


def deep_array() -> bytes:
    return b"[" * DEPTH + b"]" * DEPTH


@pytest.mark.parametrize("route", ["notes", "status", "annotations"])
def test_a_deep_body_to_a_review_route_is_a_clear_4xx(trust_world: Any, route: str) -> None:
    world = trust_world
    review = review_of(world, world.alice)
    token = token_of(widget(world, world.alice, "ReviewSessionInvitee", review.client))
    before = snapshot(world)
    for body in (deep_object(), deep_array()):
        response = review_post(world, review.session, token, route, body)
        route_refused(response, (400, 413))
    assert_unchanged(world, before)


def test_a_deep_body_to_the_api_is_a_clear_4xx(trust_world: Any) -> None:
    """The control: ``/api`` already refuses it (the issue says so too)."""
    world = trust_world
    before = snapshot(world)
    headers = {"ftrack-user": world.mallory.user, "ftrack-api-key": world.mallory.key,
               "ftrack-strict-api": "true", "content-type": "application/json"}  # fmt: skip
    for body in (deep_object(), deep_array()):
        response = requests.post(world.url + "/api", data=body, headers=headers, timeout=60)
        route_refused(response, (400, 413))
    assert_unchanged(world, before)
