"""``ftrack.update`` events of successive commits reach every socket in commit order, in every
server process on one PostgreSQL database: a commit answered before the next one was sent is
told first everywhere (two brokers on one database, as two server processes would be)."""

from __future__ import annotations

import threading
import uuid
from typing import Any, Iterator, List, Optional, Tuple

import pytest
from support.waiting import wait_until

from ft_dcc.protocol import TOPIC_UPDATE
from ft_dcc.server.events.fanout import PgEventRelay, share_event_hub
from ft_dcc.server.events.hub import EventBroker
from ft_dcc.server.store.store import Store

Process = Tuple[Store, EventBroker, PgEventRelay]


@pytest.fixture
def two_processes(new_database_url: Any) -> Iterator[Tuple[Process, Process]]:
    url = new_database_url("postgresql")
    made: List[Process] = []
    for _ in range(2):
        store = Store(url)
        broker = EventBroker()
        relay = share_event_hub(broker, store.engine, store.metadata)
        assert relay is not None
        made.append((store, broker, relay))
    for _, _, relay in made:  # not listening (a loaded machine's slow start), a process tells
        # its own sockets at once, out of order by design: the rule holds for listening ones
        wait_until(lambda: relay.listening, "the relay listening")  # noqa: B023
    yield made[0], made[1]
    for store, broker, relay in made:
        broker.close()
        relay.close()
        store.close()


class _Watched(threading.Event):
    """A relay's "sent" event that tells when somebody waits for it."""

    def __init__(self, waited: threading.Event) -> None:
        super().__init__()
        self._waited = waited

    def wait(self, timeout: Optional[float] = None) -> bool:
        self._waited.set()
        return super().wait(timeout)


def _change(action: str, entity_id: str) -> dict:
    return {"action": action, "entity_type": "Project", "entity_id": entity_id, "keys": ["name"]}


def test_a_commit_answered_first_is_told_first_in_every_process(two_processes: Any) -> None:
    (_, first, first_relay), (_, second, _) = two_processes
    received: List[str] = []
    second.listeners.append(  # what the second process's sockets are sent, in order
        lambda event: received.extend(
            e["action"] for e in event["data"]["entities"] if event["topic"] == TOPIC_UPDATE
        )
    )
    # the first process's notification is slow to go out: it goes once the second process has
    # told its own sockets of the next commit, or once the first commit's answer waits for it
    waited = threading.Event()
    notify = first_relay._notify

    def slow_notify(connection: Any, event: Any, *more: Any) -> None:
        if event.get("topic") == TOPIC_UPDATE:
            wait_until(lambda: received or waited.is_set(), "the next commit or a wait")
        notify(connection, event, *more)

    first_relay._notify = slow_notify  # type: ignore[method-assign]
    tell = getattr(first, "relay_all", None)
    if tell is not None:
        first.relay_all = lambda event: _watch(tell(event), waited)
    project = uuid.uuid4().hex

    # each as a request's commit is answered: on a worker thread, off the event loop (in a
    # test process that opened the browser, Playwright's loop counts as running in the main
    # thread, and an emit there does not wait: a fresh-clone run failed so)
    _answered(first.emit_update, [_change("add", project)])  # commit A is answered
    _answered(second.emit_update, [_change("update", project)])  # then B is sent and answered

    wait_until(lambda: len(received) == 2, "both updates in the second process")
    assert received == ["add", "update"]


def _answered(emit: Any, changes: List[dict]) -> None:
    """``emit(changes)`` on a thread of its own (a request's), returned from."""
    thread = threading.Thread(target=emit, args=(changes,))
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive()


def _watch(sent: threading.Event, waited: threading.Event) -> threading.Event:
    """``sent`` as an event that sets ``waited`` when waited for."""
    watched = _Watched(waited)

    def follow() -> None:
        sent.wait()
        watched.set()

    threading.Thread(target=follow, daemon=True).start()
    return watched
