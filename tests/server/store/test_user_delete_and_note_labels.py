"""Deleting a User takes their Timers, Timelogs and note Recipient rows with them (as ftrack
does: the genuine client's own fixtures delete such users), and is still refused while the user
authored notes or published versions (audit data is kept); a Note's category follows its
NoteLabelLink to a NoteCategory. On SQLite and on PostgreSQL with 4 workers."""

from __future__ import annotations

from typing import Any, Dict

from support.trust import (
    add_api_user,
    call,
    create,
    delete,
    make_task,
    ok,
    query,
    refused,
    user_id_of,
)

NOW = {"__type__": "datetime", "value": "2026-01-05T10:00:00"}


def _note(server: Any, ids: Dict[str, str], author: str, **data: Any) -> str:
    made = create("Note", content="look at this", parent_id=ids["shot"], parent_type="Shot",
                  user_id=author, **data)  # fmt: skip
    ok(server, [made])
    return made["entity_key"][0]


def test_a_user_with_timers_timelogs_and_received_notes_can_be_deleted(server_on_each_backend):
    server = server_on_each_backend
    ids = make_task(server)
    user_id, _key = add_api_user(server, f"leaver{ids['task'][:8]}")
    admin = user_id_of(server, server.api_user)
    note = _note(server, ids, admin)
    timer = create("Timer", user_id=user_id, context_id=ids["task"], start=NOW, comment="")
    timelog = create("Timelog", user_id=user_id, context_id=ids["task"], start=NOW, duration=60,
                     comment="")  # fmt: skip
    recipient = {"action": "create", "entity_type": "Recipient", "entity_key": [note, user_id],
                 "entity_data": {"__entity_type__": "Recipient", "note_id": note,
                                 "resource_id": user_id}}  # fmt: skip
    ok(server, [timer, timelog, recipient])

    ok(server, [delete("User", user_id)])

    assert query(server, f"select id from User where id is {user_id}") == []
    assert query(server, f"select id from Timer where user_id is {user_id}") == []
    assert query(server, f"select id from Timelog where user_id is {user_id}") == []
    assert query(server, f"select note_id from Recipient where resource_id is {user_id}") == []
    assert [n["id"] for n in query(server, f"select id from Note where id is {note}")] == [note]


def test_a_user_who_wrote_a_note_is_still_refused(server_on_each_backend):
    server = server_on_each_backend
    ids = make_task(server)
    user_id, _key = add_api_user(server, f"author{ids['task'][:8]}")
    note = _note(server, ids, user_id)
    response = call(server, [delete("User", user_id)])
    refused(response, 400, "IntegrityError")
    users = query(server, f"select id from User where id is {user_id}")
    assert [u["id"] for u in users] == [user_id]
    assert [n["id"] for n in query(server, f"select id from Note where id is {note}")] == [note]


def test_a_notes_category_follows_its_label_link(server_on_each_backend):
    server = server_on_each_backend
    ids = make_task(server)
    admin = user_id_of(server, server.api_user)
    category = create("NoteCategory", name=f"Client {ids['task'][:6]}", color="#ff0000", sort=1)
    ok(server, [category])
    category_id = category["entity_key"][0]
    note = _note(server, ids, admin)
    link = {"action": "create", "entity_type": "NoteLabelLink", "entity_key": [note, category_id],
            "entity_data": {"__entity_type__": "NoteLabelLink", "note_id": note,
                            "label_id": category_id}}  # fmt: skip
    ok(server, [link])

    found = query(server, f"select category_id, category.name from Note where id is {note}")
    assert found[0]["category_id"] == category_id
    assert found[0]["category"]["name"] == category["entity_data"]["name"]

    ok(server, [{"action": "delete", "entity_type": "NoteLabelLink",
                 "entity_key": [note, category_id]}])  # fmt: skip
    after = query(server, f"select category_id from Note where id is {note}")
    assert after[0]["category_id"] is None
