"""A listener of ftrack's own recipe shape reacts to the embedded server's ``ftrack.update``:
ftrack-recipes ``cascade_status_changes`` tests ``'statusid' in entity['keys']`` on a ``task``
and reads ``entity['changes']['statusid']['new']``, whether the client set ``status`` or
``status_id``; a task's type is ``typeid`` (``ft_dcc.server.events.update_keys``). Genuine
``ftrack_api`` clients on both sides, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List

import pytest
from support import genuine_sessions, make_task, open_session

from ft_dcc.publish.context.tasks import resolve_task

pytestmark = pytest.mark.compat

ftrack_api = pytest.importorskip("ftrack_api")


def is_status_change(entity: Dict[str, Any]) -> bool:
    """The recipe's test of an ``ftrack.update`` entity (ftrack-recipes, as written there)."""
    is_task_entity = entity["entityType"] == "task"
    is_add_update = entity.get("action") in ("add", "update")
    is_status_change = "statusid" in entity.get("keys", [])
    return is_task_entity and is_add_update and is_status_change


def _pump(session: Any, condition: Callable[[], Any], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        session.event_hub.wait(0.05)
    return bool(condition())


@pytest.fixture
def genuine(embedded_server: Any, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    with genuine_sessions(embedded_server, tmp_path / "schemas") as make:
        yield make


def test_a_status_change_reaches_a_listener_of_the_recipes_shape(
    embedded_server: Any, tmp_path: Path, genuine: Callable[..., Any]
) -> None:
    with open_session(embedded_server, tmp_path / "setup") as setup:
        task_id = resolve_task(setup, None, make_task(setup, f"rec{uuid.uuid4().hex[:8]}"))["id"]
    listener = genuine(auto_connect_event_hub=True)
    assert _pump(listener, lambda: listener.event_hub.connected)
    reacted: List[Dict[str, Any]] = []

    def cascade(event: Any) -> None:  # the recipe's callback, recording instead of cascading
        for entity in event["data"].get("entities", []):
            if is_status_change(entity) and entity["entityId"] == task_id:
                reacted.append({"new": entity["changes"]["statusid"]["new"],
                                "old": entity["changes"]["statusid"]["old"]})  # fmt: skip

    listener.event_hub.subscribe("topic=ftrack.update", cascade)
    barrier = f"ft_dcc.test.barrier.{uuid.uuid4().hex}"
    seen: List[Any] = []
    listener.event_hub.subscribe(f"topic={barrier}", seen.append)
    listener.event_hub.publish(ftrack_api.event.base.Event(barrier))
    assert _pump(listener, lambda: seen)  # the subscriptions are in force

    artist = genuine()
    task = artist.get("Task", task_id)
    first, second = [s for s in artist.query("Status").all() if s["id"] != task["status_id"]][:2]
    old = task["status_id"]
    task["status"] = first  # the relation, as a UI script sets it
    artist.commit()
    assert _pump(listener, lambda: len(reacted) == 1), reacted
    task["status_id"] = second["id"]  # the schema attribute
    artist.commit()
    assert _pump(listener, lambda: len(reacted) == 2), reacted
    assert [r["new"] for r in reacted] == [first["id"], second["id"]]
    assert reacted[1]["old"] in (first["id"], None) and reacted[0]["old"] in (old, None)


def test_a_tasks_type_change_is_typeid(
    embedded_server: Any, tmp_path: Path, genuine: Callable[..., Any]
) -> None:
    with open_session(embedded_server, tmp_path / "setup") as setup:
        task_id = resolve_task(setup, None, make_task(setup, f"rec{uuid.uuid4().hex[:8]}"))["id"]
    listener = genuine(auto_connect_event_hub=True)
    assert _pump(listener, lambda: listener.event_hub.connected)
    keys: List[List[str]] = []

    def record(event: Any) -> None:
        for entity in event["data"].get("entities", []):
            if entity["entityId"] == task_id and entity["action"] == "update":
                keys.append(sorted(entity["keys"]))
                assert set(entity["changes"]) == set(entity["keys"])

    listener.event_hub.subscribe("topic=ftrack.update", record)
    barrier = f"ft_dcc.test.barrier.{uuid.uuid4().hex}"
    seen: List[Any] = []
    listener.event_hub.subscribe(f"topic={barrier}", seen.append)
    listener.event_hub.publish(ftrack_api.event.base.Event(barrier))
    assert _pump(listener, lambda: seen)

    artist = genuine()
    task = artist.get("Task", task_id)
    other = next(t for t in artist.query("Type").all() if t["id"] != task["type_id"])
    task["type"] = other
    task["description"] = "retyped"
    artist.commit()
    assert _pump(listener, lambda: keys), keys
    assert keys == [["description", "typeid"]]
