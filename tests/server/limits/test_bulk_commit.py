"""A TD's bulk import: the genuine ``ftrack_api`` client commits 5,000 creates in one
``session.commit()`` and the server accepts it (SQLite; PostgreSQL with 4 workers). A batch
beyond the server's sane upper bound is refused with a clear error naming it, writing nothing.

Seen failing first: the server refused any batch of more than 1,000 writes ("A batch writes at
most 1000 entities"), so the genuine client's commit of 5,000 creates raised ServerError.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from support import genuine_sessions
from support.trust import call, create, new_id, query

ftrack_api = pytest.importorskip("ftrack_api")

#: the creates of the bulk import the issue names
BULK = 5_000
#: creates written as a few chunks (``store.chunks.CHUNK_WRITES`` each)
CHUNKED = 450


def _post(server: Any, batch: Any) -> requests.Response:
    headers = {"ftrack-user": server.api_user, "ftrack-api-key": server.api_key,
               "ftrack-strict-api": "true"}  # fmt: skip
    return requests.post(server.url + "/api", json=batch, headers=headers, timeout=900)


def test_a_genuine_commit_of_5000_creates_is_accepted(any_server: Any, tmp_path: Any) -> None:
    with genuine_sessions(any_server, tmp_path / "cache") as make:
        session = make(timeout=900)  # a loaded machine may take minutes
        name = "bulk_" + uuid.uuid4().hex[:8]
        project = session.create("Project", {
            "name": name, "full_name": name,
            "project_schema": session.query("ProjectSchema").first(),
        })  # fmt: skip
        for index in range(BULK - 1):
            session.create("Shot", {"name": f"sh{index:05d}", "parent": project})
        session.commit()

    shots = query(any_server, f'select id from Shot where project.name is "{name}"')
    assert len(shots) == BULK - 1


def test_a_batch_beyond_the_upper_bound_is_refused_naming_it(any_server: Any) -> None:
    from ft_dcc.server.runtime.config import ServerConfig

    most = ServerConfig(data_dir=".").max_batch_operations
    marker = "over_" + uuid.uuid4().hex[:8]
    project = new_id()
    batch = [create("Project", id=project, name=marker, full_name=marker)]
    batch += [{"action": "delete", "entity_type": "Shot", "entity_key": [new_id()]}] * most

    reply = call(any_server, batch)

    assert reply.status_code == 413, reply.text[:500]
    body = reply.json()
    assert body["exception"] == "ValidationError"
    assert f"at most {most:,}" in body["content"] and "nothing was done" in body["content"]
    assert query(any_server, f'select id from Project where name is "{marker}"') == []


def test_a_big_import_failing_at_its_end_writes_nothing(any_server: Any) -> None:
    """The import is written in chunks that take turns with other writers, yet a failure in
    its last chunk leaves none of the earlier chunks' rows behind (all or nothing)."""
    marker = "undo_" + uuid.uuid4().hex[:8]
    project = new_id()
    batch = [create("Project", id=project, name=marker, full_name=marker)]
    batch += [create("Shot", name=f"sh{i:05d}", parent_id=project) for i in range(CHUNKED)]
    batch.append(create("Shot", name="orphan", parent_id=new_id()))  # no such parent

    reply = _post(any_server, batch)  # written twice (chunks, then once whole): give it time

    assert reply.status_code in (400, 404), reply.text[:500]
    assert f"operation {CHUNKED + 2}" in reply.json()["content"].lower(), reply.text[:500]
    assert query(any_server, f'select id from Project where name is "{marker}"') == []
    assert query(any_server, f'select id from Shot where parent_id is "{project}"') == []
