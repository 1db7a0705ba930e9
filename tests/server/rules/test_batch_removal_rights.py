"""A batch of deletes of review items (deleted together: ``store.removing``) obeys who may remove
each one, judged item by item: mallory may remove what she added to alice's open session, not
alice's items. A batch holding one item she may not remove is refused naming it, and nothing of
it is written (her own items stay too); on SQLite and PostgreSQL with 4 workers."""

from __future__ import annotations

from typing import Any, List

from support.insiders import api_refused, assert_unchanged, review_of, snapshot
from support.trust import call, create, delete, ok, query


def _items(world: Any, who: Any, session: str, version: str, count: int) -> List[str]:
    made = [create("ReviewSessionObject", name="sh010", review_session_id=session,
                   version_id=version) for _ in range(count)]  # fmt: skip
    ok(world.server, made, **who.auth)
    return [operation["entity_key"][0] for operation in made]


def test_a_batch_of_removals_is_judged_item_by_item(trust_world: Any) -> None:
    world = trust_world
    review = review_of(world, world.alice, private=False)
    version = review.published["version"]
    alices = [review.item, *_items(world, world.alice, review.session, version, 20)]
    mine = _items(world, world.mallory, review.session, version, 10)

    before = snapshot(world)
    refused = call(world.server, [delete("ReviewSessionObject", i) for i in mine[:5]]
                   + [delete("ReviewSessionObject", alices[3])]
                   + [delete("ReviewSessionObject", i) for i in mine[5:]],
                   **world.mallory.auth)  # fmt: skip
    said = api_refused(refused, 403)
    assert "Operation 6 (delete reviewsessionobject)" in said and alices[3] in said, said
    assert_unchanged(world, before)
    api_refused(call(world.server, [delete("ReviewSessionObject", i) for i in alices],
                     **world.mallory.auth), 403)  # fmt: skip
    assert_unchanged(world, before)

    replies = ok(world.server, [delete("ReviewSessionObject", i) for i in mine],
                 **world.mallory.auth)  # fmt: skip
    assert replies == [{"action": "delete", "data": True}] * 10
    left = query(world.server, "select id from ReviewSessionObject where review_session_id is "
                 f'"{review.session}"')  # fmt: skip
    assert sorted(row["id"] for row in left) == sorted(alices)
    ok(world.server, [delete("ReviewSessionObject", i) for i in alices], **world.alice.auth)
    assert query(world.server, "select id from ReviewSessionObject where review_session_id is "
                 f'"{review.session}"') == []  # fmt: skip
