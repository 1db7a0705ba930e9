"""A plain User cannot take over another User's private review session.

mallory rewrites ``created_by_id`` (or opens the session to plain links) of alice's private
session: refused, nothing stored; mallory still cannot mint the client's invitee link, and alice
still opens her own session.

Seen failing first: these were strict xfails on ``main`` before the ownership model
(``ft_dcc/server/rules/ownership_model.py``); they pass as plain tests since.
"""

from __future__ import annotations

from typing import Any

import requests
from support.insiders import (
    api_refused,
    assert_unchanged,
    personal_widget,
    review_of,
    snapshot,
    token_of,
    widget,
)
from support.trust import call, update


def test_mallory_cannot_make_herself_the_creator_of_alices_session(trust_world: Any) -> None:
    world, mallory = trust_world, trust_world.mallory
    review = review_of(world, world.alice)
    before = snapshot(world)
    response = call(world.server, [update("ReviewSession", review.session,
                                          created_by_id=mallory.id)], **mallory.auth)  # fmt: skip
    api_refused(response, 403)
    api_refused(widget(world, mallory, "ReviewSessionInvitee", review.client), 403)
    assert_unchanged(world, before)
    token = token_of(personal_widget(world, world.alice, review.session))  # the private session
    page = requests.get(f"{world.url}/review/{review.session}", params={"token": token},
                        timeout=30)  # fmt: skip
    assert page.status_code == 200


def test_mallory_cannot_open_alices_private_session_to_plain_links(trust_world: Any) -> None:
    world, mallory = trust_world, trust_world.mallory
    review = review_of(world, world.alice)
    before = snapshot(world)
    response = call(world.server, [update("ReviewSession", review.session,
                                          shareable_url_enabled=True)], **mallory.auth)  # fmt: skip
    api_refused(response, 403)
    api_refused(widget(world, mallory, "ReviewSession", review.session), 403)
    assert_unchanged(world, before)


def test_alice_may_still_share_her_own_session(trust_world: Any) -> None:
    """The control: the creator changes her own session and mints its invitee links."""
    world, alice = trust_world, trust_world.alice
    review = review_of(world, alice)
    response = call(world.server, [update("ReviewSession", review.session,
                                          shareable_url_enabled=True)], **alice.auth)  # fmt: skip
    assert response.status_code == 200, response.text
    token_of(widget(world, alice, "ReviewSessionInvitee", review.client))
