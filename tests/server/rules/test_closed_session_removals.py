"""A closed review session keeps its items, as it takes no new ones.

Removing an item from a session that has ended (deleting it, or moving it into another
session) is refused for everyone, the session's creator and an administrator alike: ftrack's
``PermissionError`` (403) naming the closed session and what to do (reopen it first), and
nothing is written. Deleting the closed session itself, or the project that holds it, still
deletes it with its items (the same deletes, as its cascade). SQLite, then PostgreSQL with 4
workers (``trust_world``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Tuple

import pytest
from support.insiders import Review, api_refused, assert_unchanged, review_of, snapshot
from support.trust import call, delete, ok, query, update

PEOPLE = ("alice", "admin")


def _ended(world: Any, review: Review, hours: int = -1) -> None:
    """Set the session's end (an hour ago: closed) as its creator, alice."""
    end = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=hours)).isoformat()
    ok(world.server, [update("ReviewSession", review.session, end_date=end)], **world.alice.auth)


def _items(world: Any, session: str) -> List[str]:
    rows = query(world.server, "select id from ReviewSessionObject where review_session_id is "
                 f'"{session}"')  # fmt: skip
    return [row["id"] for row in rows]


def _refused(world: Any, who: str, operations: List[Dict[str, Any]]) -> str:
    before = snapshot(world)
    message = api_refused(call(world.server, operations, **getattr(world, who).auth), 403)
    assert_unchanged(world, before)
    return message


@pytest.fixture(scope="module")
def closed(trust_world: Any) -> Tuple[Review, Review]:
    """alice's closed review and another of hers, open, for the module's tests that are only
    refused (each shows nothing changed, so the next finds them as made)."""
    world = trust_world
    review, other = review_of(world, world.alice), review_of(world, world.alice)
    _ended(world, review)
    return review, other


@pytest.mark.parametrize("who", PEOPLE)
def test_an_item_of_a_closed_session_is_not_deleted(
    trust_world: Any, closed: Tuple[Review, Review], who: str
) -> None:
    world, (review, _other) = trust_world, closed
    message = _refused(world, who, [delete("ReviewSessionObject", review.item)])
    assert "is closed" in message and "removed" in message and "Reopen" in message, message
    assert _items(world, review.session) == [review.item]


@pytest.mark.parametrize("who", PEOPLE)
def test_an_item_is_not_moved_out_of_a_closed_session(
    trust_world: Any, closed: Tuple[Review, Review], who: str
) -> None:
    world, (review, other) = trust_world, closed
    message = _refused(world, who, [update("ReviewSessionObject", review.item,
                                           review_session_id=other.session)])  # fmt: skip
    # alice may move no item at all (an administrator's change); an administrator is told why
    expected = "only an administrator may" if who == "alice" else "is closed"
    assert expected in message, message
    assert _items(world, review.session) == [review.item]


def test_a_reopened_session_gives_its_item_up(trust_world: Any) -> None:
    world = trust_world
    review = review_of(world, world.alice)
    _ended(world, review)
    _ended(world, review, hours=24)  # reopened: it ends tomorrow
    ok(world.server, [delete("ReviewSessionObject", review.item)], **world.alice.auth)
    assert _items(world, review.session) == []


@pytest.mark.parametrize("who", PEOPLE)
def test_a_closed_session_is_deleted_with_its_items(trust_world: Any, who: str) -> None:
    world = trust_world
    whole, listed = review_of(world, world.alice), review_of(world, world.alice)
    _ended(world, whole)
    _ended(world, listed)
    auth = getattr(world, who).auth
    ok(world.server, [delete("ReviewSession", whole.session)], **auth)
    # a client deleting the items first, then their session, in one batch
    ok(world.server, [delete("ReviewSessionObject", listed.item),
                      delete("ReviewSession", listed.session)], **auth)  # fmt: skip
    for review in (whole, listed):
        assert query(world.server, f'select id from ReviewSession where id is "{review.session}"'
                     ) == []  # fmt: skip
        assert _items(world, review.session) == []


def test_the_project_of_a_closed_session_is_deleted_with_it(trust_world: Any) -> None:
    world = trust_world
    review = review_of(world, world.alice)
    _ended(world, review)
    project = query(world.server, "select project_id from ReviewSession where id is "
                    f'"{review.session}"')[0]["project_id"]  # fmt: skip
    ok(world.server, [delete("ReviewSessionObject", review.item), delete("Project", project)])
    assert query(world.server, f'select id from ReviewSession where id is "{review.session}"'
                 ) == []  # fmt: skip
    assert _items(world, review.session) == []
