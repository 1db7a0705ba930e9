"""Removing 50 versions from a review session costs about the statements of removing 5, through
the desk and through a genuine client's ``/api`` batch of deletes: the items are deleted together
(their creator records, tombstones and the rules' reads a statement for all of them), the desk's
trail entries in one transaction. Every statement the request runs is counted (reads and writes,
its trail too), never timed; on SQLite and PostgreSQL. The replies, the tombstones and the trail
say what was removed; a batch with one item refused writes nothing and names it."""

from __future__ import annotations

import uuid
from typing import Any, Callable, Dict, List

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa

from ft_dcc.server.audit import entries
from ft_dcc.server.model.side_tables import tombstone_table
from server.desk.heard import HEADERS, Studio, statements

#: statements removing 50 may cost beyond removing 5 (none grows per item)
SLACK = 4


@pytest.fixture
def studio(each_studio: Studio) -> Studio:
    """The desk on SQLite, then on PostgreSQL (``conftest.each_studio``)."""
    return each_studio


def _session_of(studio: Studio, count: int) -> tuple[str, List[str]]:
    """A new session holding ``count`` versions (added on the desk); its items' ids."""
    session = str(uuid.uuid4())
    studio.api([{"action": "create", "entity_type": "ReviewSession", "entity_data": {
        "id": session, "name": f"Client {session[:6]}", "project_id": studio.project}}])
    versions = studio.versions(count)
    reply, _seen = studio.post(f"/desk/api/session/{session}/add", {"version_ids": versions})
    return session, list(reply.json()["added"])


def _counted(studio: Studio, send: Callable[[], Any]) -> tuple[Any, int]:
    """``send()``'s reply and how many statements the request ran (all of them)."""
    with statements(studio.server.store.engine, every=True) as seen:
        reply = send()
    return reply, len(seen)


def _remove(studio: Studio, session: str, items: List[str]) -> tuple[Dict[str, Any], int]:
    reply, seen = studio.post(f"/desk/api/session/{session}/remove", {"object_ids": items},
                              every=True)  # fmt: skip
    return reply.json(), len(seen)


def _deletes(items: List[str]) -> List[Dict[str, Any]]:
    """The genuine client's batch (``session.delete(item)`` of each, then ``commit()``)."""
    return [{"action": "delete", "entity_type": "ReviewSessionObject", "entity_key": [item]}
            for item in items]


def _items(studio: Studio, session: str) -> List[str]:
    [found] = studio.api([{"action": "query", "expression": "select id from ReviewSessionObject "
                           f'where review_session_id is "{session}" order by sort_order'}])
    return [row["id"] for row in found["data"]]


def _buried(studio: Studio, ids: List[str]) -> Dict[str, str]:
    """The tombstones of ``ids``: id -> family."""
    table = tombstone_table(studio.server.store.metadata)
    with studio.server.store.engine.connect() as connection:
        rows = connection.execute(sa.select(table.c.entity_id, table.c.family)
                                  .where(table.c.entity_id.in_(ids)))  # fmt: skip
        return {str(row[0]): str(row[1]) for row in rows}


def test_removing_fifty_on_the_desk_costs_what_removing_five_does(studio: Studio) -> None:
    (small_session, few), (big_session, many) = _session_of(studio, 6), _session_of(studio, 51)

    small, small_count = _remove(studio, small_session, few[:5])
    big, big_count = _remove(studio, big_session, many[:50])

    assert big_count <= small_count + SLACK, (small_count, big_count)
    assert [i["id"] for i in small["items"]] == few[5:]
    assert [i["id"] for i in big["items"]] == many[50:] == _items(studio, big_session)
    assert _buried(studio, many) == {item: "ReviewSessionObject" for item in many[:50]}
    trail = [e for e in entries(studio.server.store, big_session) if e["act"] == "version.removed"]
    assert [e["detail"]["object_id"] for e in trail] == sorted(many[:50])  # as before: by id
    assert all(e["who"] == f"user:{studio.server.seed.user_id}" for e in trail)
    assert all(str(e["detail"]["label"]).startswith("sh") for e in trail), trail[0]


def test_a_genuine_clients_fifty_deletes_cost_what_five_do(studio: Studio) -> None:
    (small_session, few), (big_session, many) = _session_of(studio, 5), _session_of(studio, 50)

    _small, small_count = _counted(studio, lambda: studio.api(_deletes(few)))
    big, big_count = _counted(studio, lambda: studio.api(_deletes(many)))

    assert big_count <= small_count + SLACK, (small_count, big_count)
    assert big == [{"action": "delete", "data": True}] * 50
    assert _items(studio, big_session) == [] == _items(studio, small_session)
    assert _buried(studio, many) == {item: "ReviewSessionObject" for item in many}


def test_one_refused_delete_refuses_the_batch_and_writes_nothing(studio: Studio) -> None:
    session, items = _session_of(studio, 50)
    gone = str(uuid.uuid4())
    operations = _deletes([*items[:30], gone, *items[30:]])

    reply = studio.client.post("/api", json=operations, headers=HEADERS)

    assert reply.status_code < 500, reply.text[:500]
    error = reply.json()
    assert error["exception"] == "NotFoundError", error
    assert error["content"] == (f"Operation 31 (delete reviewsessionobject) failed: "
                                f"ReviewSessionObject ['{gone}'] does not exist. Nothing in "
                                "this batch was written."), error
    assert _items(studio, session) == items
    assert _buried(studio, items) == {}
    # twice the same item: the second is not found, nothing is written
    again = studio.client.post("/api", json=_deletes(items[:3] + items[:1]), headers=HEADERS)
    assert again.json()["exception"] == "NotFoundError", again.text[:500]
    assert again.json()["content"].startswith("Operation 4 (delete reviewsessionobject) "
                                              "failed:"), again.text
    assert _items(studio, session) == items and _buried(studio, items) == {}
