"""The desk's "add versions" costs about the same statements for 50 versions as for 5: the items
are written together (``store.writing``), their trail entries in one transaction, and the
answer reads no other session; adding them to a session holding 300 items costs the same as to
one holding one. Every statement the request runs is counted (reads and writes, its trail too),
never timed, on SQLite and PostgreSQL; and the items and the trail say what was added, in
order."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest

pytest.importorskip("sqlalchemy")


from ft_dcc.server.audit import entries
from server.desk.heard import Studio, open_studio

#: statements 50 versions may cost beyond 5 (none grows per version)
SLACK = 4


@pytest.fixture
def studio(backend: str, new_database_url: Callable[[str], str], tmp_path: Path
           ) -> Iterator[Studio]:  # fmt: skip
    url = None if backend == "sqlite" else new_database_url(backend)
    with open_studio(tmp_path / "data", url) as studio:
        yield studio


def _add(studio: Studio, session: str, versions: List[str]) -> tuple[Dict[str, Any], int]:
    """The desk's answer to adding ``versions`` and how many statements the request ran."""
    reply, seen = studio.post(f"/desk/api/session/{session}/add", {"version_ids": versions},
                              every=True)  # fmt: skip
    return reply.json(), len(seen)


def test_adding_fifty_versions_costs_what_adding_five_does(studio: Studio) -> None:
    sessions = [str(uuid.uuid4()) for _ in range(2)]
    studio.api([{"action": "create", "entity_type": "ReviewSession", "entity_data": {
        "id": ident, "name": f"Client {n}", "project_id": studio.project}}
        for n, ident in enumerate(sessions)])  # fmt: skip
    few, many = studio.versions(5), studio.versions(50)

    small, small_count = _add(studio, sessions[0], few)
    big, big_count = _add(studio, sessions[1], many)

    assert len(small["added"]) == 5 and len(big["added"]) == 50
    assert big_count <= small_count + SLACK, (small_count, big_count)
    items = studio.api([{"action": "query", "expression": "select id, version_id, sort_order "
                         f'from ReviewSessionObject where review_session_id is "{sessions[1]}" '
                         "order by sort_order"}])[0]["data"]  # fmt: skip
    assert [item["version_id"] for item in items] == many  # in the order given
    assert [item["sort_order"] for item in items] == list(range(50))
    assert [item["id"] for item in items] == big["added"]
    trail = [e for e in entries(studio.server.store, sessions[1]) if e["act"] == "version.added"]
    assert [e["detail"]["version_id"] for e in trail] == many


def test_adding_fifty_to_a_big_session_costs_what_adding_them_to_a_small_one_does(
    studio: Studio,
) -> None:
    sessions = [str(uuid.uuid4()) for _ in range(2)]
    studio.api([{"action": "create", "entity_type": "ReviewSession", "entity_data": {
        "id": ident, "name": f"Dailies {n}", "project_id": studio.project}}
        for n, ident in enumerate(sessions)])  # fmt: skip
    _add(studio, sessions[0], studio.versions(1))  # the write reads the items it answers with
    _add(studio, sessions[1], studio.versions(300))

    small, small_count = _add(studio, sessions[0], studio.versions(50))
    big, big_count = _add(studio, sessions[1], studio.versions(50))

    assert len(small["added"]) == len(big["added"]) == 50
    assert len(small["items"]) == 51 and len(big["items"]) == 350
    assert big_count == small_count, (small_count, big_count)
