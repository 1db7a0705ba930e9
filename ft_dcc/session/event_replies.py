"""Replies to events a hub published: ``on_reply`` callbacks and ``request()`` waiters."""

from __future__ import annotations

import collections
import contextlib
import threading
from typing import Any, Callable, Dict, Iterator

import attr

from ft_dcc.protocol.events import TOPIC_REPLY
from ft_dcc.session.event import Event

#: ``on_reply`` callbacks kept at most (the oldest are forgotten first).
MAX_REPLY_CALLBACKS = 1000


@attr.s(auto_attribs=True)
class Waiter:
    """Set once: ``done`` when it happened, with ``value``."""

    done: threading.Event = attr.Factory(threading.Event)
    value: Any = None


class Replies:
    """Who waits for replies to which published event, guarded by the hub's ``lock``."""

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._callbacks: collections.OrderedDict = collections.OrderedDict()
        self._waiters: Dict[str, Waiter] = {}

    def on_reply(self, event_id: str, callback: Callable[[Event], object]) -> None:
        """Call ``callback(reply)`` for each reply to event ``event_id``."""
        with self._lock:
            self._callbacks[event_id] = callback
            while len(self._callbacks) > MAX_REPLY_CALLBACKS:
                self._callbacks.popitem(last=False)

    @contextlib.contextmanager
    def waiting(self, event_id: str) -> Iterator[Waiter]:
        """A waiter that is set by the first reply to ``event_id`` while the block runs."""
        waiter = Waiter()
        self._waiters[event_id] = waiter
        try:
            yield waiter
        finally:
            self._waiters.pop(event_id, None)

    def received(self, event: Event) -> None:
        """Wake the waiter of the event ``event`` replies to (receiver thread, no callbacks)."""
        waiter = self._waiters.get(event["in_reply_to_event"] or "")
        if waiter is not None and event["topic"] == TOPIC_REPLY:
            waiter.value = event
            waiter.done.set()

    def dispatch(self, event: Event) -> None:
        """Call the ``on_reply`` callback of the event that reply ``event`` answers."""
        with self._lock:
            callback = self._callbacks.get(event["in_reply_to_event"])
        if callback is not None:
            callback(event)
