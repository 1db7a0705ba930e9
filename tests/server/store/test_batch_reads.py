"""One batch reads each row once (``store/reads.py`` keeps what the batch found), yet every
operation sees the rows as the operations before it in the same batch left them: an update or
a delete forgets what was kept of that table. Seen through replies and what is stored, on SQLite
and PostgreSQL."""

from __future__ import annotations

from typing import Any, Dict, List

from support.trust import call, create, delete, new_id, ok, query, update


def _project(server: Any) -> str:
    name = "reads_" + new_id()[:8]
    project = create("Project", name=name, full_name=name)
    ok(server, [project])
    return str(project["entity_key"][0])


def _shot(server: Any, project: str, name: str = "sh010") -> str:
    shot = create("Shot", name=name, parent_id=project)
    ok(server, [shot])
    return str(shot["entity_key"][0])


def _data(reply: List[Any], index: int) -> Dict[str, Any]:
    return dict(reply[index]["data"])


def test_a_deleted_parent_is_no_parent_later_in_the_same_batch(server_on_each_backend: Any) -> None:
    server = server_on_each_backend
    project = _project(server)
    shot = _shot(server, project)
    ok(server, [create("Task", name="warm", parent_id=shot)])  # the shot read before

    reply = call(server, [delete("Shot", shot), create("Task", name="orphan", parent_id=shot)])

    assert reply.status_code in (400, 404), reply.text[:500]
    assert query(server, f'select id from Shot where id is "{shot}"') != []  # all or nothing
    assert (
        query(server, f'select id from Task where name is "orphan" and parent_id is "{shot}"') == []
    )


def test_an_update_is_seen_by_the_next_operation_of_the_batch(server_on_each_backend: Any) -> None:
    server = server_on_each_backend
    project = _project(server)
    shot = _shot(server, project)

    reply = ok(server, [
        update("Shot", shot, name="renamed"),
        update("Shot", shot, description="after the rename"),
    ])  # fmt: skip

    assert _data(reply, 1)["description"] == "after the rename"
    (stored,) = query(server, f'select name, description from Shot where id is "{shot}"')
    assert (stored["name"], stored["description"]) == ("renamed", "after the rename")


def test_a_row_created_then_updated_in_one_batch_is_answered_as_updated(
    server_on_each_backend: Any,
) -> None:
    server = server_on_each_backend
    project = _project(server)
    shot = create("Shot", name="first", parent_id=project)
    ident = shot["entity_key"][0]

    reply = ok(server, [shot, update("Shot", ident, name="second")])

    assert (_data(reply, 0)["name"], _data(reply, 1).get("name")) == ("first", "second")
    (stored,) = query(server, f'select name from Shot where id is "{ident}"')
    assert stored["name"] == "second"


def test_a_name_freed_by_a_delete_can_be_taken_in_the_same_batch(
    server_on_each_backend: Any,
) -> None:
    server = server_on_each_backend
    project = _project(server)
    shot = _shot(server, project, "sh020")

    ok(server, [delete("Shot", shot), create("Shot", name="sh020", parent_id=project)])

    shots = query(server, f'select id from Shot where project_id is "{project}"')
    assert len(shots) == 1 and shots[0]["id"] != shot
