"""A ``get_widget_url`` inside a batch is answered by the store's batch in its place (registered
with the store as its rules are), and the server's errors are told apart by their kind, never by
their words: each layer that names the failing operation keeps the kind and its status."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest
import requests
from support.groups import on_pg_server

from ft_dcc.server.common.errors import ApiOperationError, SessionClosed
from ft_dcc.server.review.routes import error_status
from ft_dcc.server.rules.permissions import PermissionDenied


@pytest.fixture(params=["sqlite", on_pg_server("postgresql")])
def server(request: pytest.FixtureRequest) -> Any:
    """The shared SQLite server, or ``pg_server`` (its tests in its group: one per run)."""
    return request.getfixturevalue("embedded_server" if request.param == "sqlite" else "pg_server")


def _post(server: Any, batch: List[Dict[str, Any]]) -> requests.Response:
    headers = {"ftrack-user": server.api_user, "ftrack-api-key": server.api_key,
               "ftrack-strict-api": "true"}  # fmt: skip
    return requests.post(server.url + "/api", json=batch, headers=headers, timeout=60)


def _create(entity_type: str, ident: str, **data: Any) -> Dict[str, Any]:
    return {"action": "create", "entity_type": entity_type, "entity_key": [ident],
            "entity_data": {"__entity_type__": entity_type, "id": ident, **data}}  # fmt: skip


def _widget(session_id: str) -> Dict[str, Any]:
    return {"action": "get_widget_url", "name": "review_session",
            "entity_type": "ReviewSession", "entity_key": [session_id]}  # fmt: skip


def _count(server: Any, expression: str) -> int:
    reply = _post(server, [{"action": "query", "expression": expression}])
    assert reply.status_code == 200, reply.text
    return len(reply.json()[0]["data"])


def test_a_widget_url_in_a_batch_sees_the_writes_before_it_and_not_those_after(server):
    name = f"in-order-{uuid.uuid4().hex[:8]}"
    project, first, second = (str(uuid.uuid4()) for _ in range(3))
    creates = [
        _create("Project", project, name=name, full_name=name),
        _create("ReviewSession", first, name="Dailies", project_id=project),
    ]
    later = _create("ReviewSession", second, name="Later", project_id=project)
    refused = _post(server, [*creates, _widget(second), later])  # asked before its create
    assert refused.status_code == 400, refused.text
    content = refused.json()["content"]
    assert "operation 3 (get_widget_url" in content.lower() and second in content, content
    assert "Nothing in this batch was written" in content, content
    assert _count(server, f'select id from Project where name is "{name}"') == 0
    replies = _post(server, [*creates, _widget(first), later])
    assert replies.status_code == 200, replies.text
    assert first in replies.json()[2]["widget_url"]
    assert _count(server, f'select id from ReviewSession where project_id is "{project}"') == 2


def test_a_closed_session_is_told_apart_by_its_kind_not_its_words():
    closed = SessionClosed("ReviewSession 'Dailies' is closed; nothing can be added to it.")
    named = closed.at(2, "create", "Note")  # the store's batch names the operation
    assert isinstance(named, SessionClosed) and named.index == 2
    assert (named.exception, named.status, error_status(named)) == ("PermissionError", 403, 409)
    again = named.at(4, "create", "Note")  # a layer above names it again: once in the text
    assert again.message.count("failed:") == 1 and again.detail == closed.message
    assert isinstance(again.restated("Operation 5 failed: " + again.detail), SessionClosed)
    # the same words on another kind of refusal are that kind's status, not a conflict
    assert error_status(PermissionDenied("This ReviewSession is closed to you.")) == 403
    assert error_status(ApiOperationError("It is closed.", "ValidationError")) == 400


def test_the_store_answers_a_registered_action_in_its_place(store, user_id):
    """Registered with the store (as rules are), an action is answered by the batch in batch
    order, on its transaction, given what the sender passed; an end-of-batch rule's refusal
    names the data operation by its place in the whole batch."""
    from ft_dcc.server.rules.registry import Rule

    seen: List[Any] = []

    def count_users(reads: Any, operation: Any, user: str, asker: object) -> Dict[str, Any]:
        rows = reads([{"action": "query", "expression": "select id from User"}], user)
        seen.append((operation["action"], user, asker))
        return {"action": "count_users", "count": len(rows[0]["data"])}

    store.answer_in_batch("count_users", count_users)
    query = {"action": "query", "expression": "select id from User"}
    replies = store.execute([query, {"action": "count_users"}, query], user_id, "the asker")
    assert replies[1] == {"action": "count_users", "count": len(replies[0]["data"])}
    assert seen == [("count_users", user_id, "the asker")]

    class RefuseTheLast(Rule):
        def check_batch(self, batch: Any, operations: Any) -> None:
            if len(operations) == 2:  # the batch's two queries (not the action's own read)
                raise SessionClosed("Closed.").at(1, "query", None)

    store.rules.register(RefuseTheLast())
    with pytest.raises(SessionClosed) as refused:
        store.execute([query, {"action": "count_users"}, query], user_id, "the asker")
    assert refused.value.index == 2 and refused.value.status == 403
