"""A plain User cannot rewrite or delete other people's review data.

In alice's private session a client gives a verdict and writes a note (through the client's
own invitee link); mallory, through ``/api``, tries to flip the verdict, rewrite the note, delete
the session, move her own item into alice's closed session and reopen it. Each is refused with
a message that says what to do, and nothing is stored.

Seen failing first: these were strict xfails on ``main`` before the ownership model
(``ft_dcc/server/rules/ownership_model.py``); they pass as plain tests since.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List

import pytest
from support.insiders import (
    Review,
    api_refused,
    assert_unchanged,
    item_post,
    review_of,
    snapshot,
    token_of,
    widget,
)
from support.trust import call, delete, ok, update


def _with_feedback(world: Any) -> Dict[str, Any]:
    """alice's private session with the client's verdict and note."""
    review = review_of(world, world.alice)
    token = token_of(widget(world, world.alice, "ReviewSessionInvitee", review.client))
    verdict = item_post(world, review, token, "status", status="require_changes")
    assert verdict.status_code == 200, verdict.text
    note = item_post(world, review, token, "notes", content="the horse is too fast")
    assert note.status_code == 201, note.text
    status_id = ok(world.server, [{"action": "query", "expression":
                   "select id from ReviewSessionObjectStatus where review_session_object_id is "
                   f'"{review.item}"'}])[0]["data"][0]["id"]  # fmt: skip
    return {"review": review, "status": status_id, "note": note.json()["id"]}


def _attack(world: Any, operations: List[Dict[str, Any]]) -> None:
    before = snapshot(world)
    api_refused(call(world.server, operations, **world.mallory.auth), 403)
    assert_unchanged(world, before)


# the module's tests are all refused (each shows nothing changed), so they share what they attack
@pytest.fixture(scope="module")
def made(trust_world: Any) -> Dict[str, Any]:
    return _with_feedback(trust_world)


@pytest.fixture(scope="module")
def closed(trust_world: Any) -> Review:
    """alice's private session, closed an hour ago."""
    review = review_of(trust_world, trust_world.alice)
    past = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).isoformat()
    ok(trust_world.server, [update("ReviewSession", review.session, end_date=past)],
       **trust_world.alice.auth)  # fmt: skip
    return review


def test_mallory_cannot_flip_the_clients_verdict(trust_world: Any, made: Dict[str, Any]) -> None:
    _attack(trust_world, [update("ReviewSessionObjectStatus", made["status"], status="approved")])


def test_mallory_cannot_rewrite_the_clients_note(trust_world: Any, made: Dict[str, Any]) -> None:
    _attack(trust_world, [update("Note", made["note"], content="looks great, ship it")])


def test_mallory_cannot_delete_alices_session(trust_world: Any, made: Dict[str, Any]) -> None:
    _attack(trust_world, [delete("ReviewSession", made["review"].session)])


def test_mallory_cannot_move_her_item_into_alices_closed_session(
    trust_world: Any, closed: Review
) -> None:
    world, theirs = trust_world, closed
    mine = review_of(world, world.mallory)
    _attack(world, [update("ReviewSessionObject", mine.item, review_session_id=theirs.session)])


def test_mallory_cannot_reopen_alices_closed_session(trust_world: Any, closed: Review) -> None:
    world, theirs = trust_world, closed
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=7)).isoformat()
    _attack(world, [update("ReviewSession", theirs.session, end_date=later)])
