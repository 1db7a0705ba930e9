"""Writers take turns: every write transaction of this process waits for its turn, in order.

Both databases have ONE writer at a time (SQLite's write lock; on PostgreSQL the shared advisory
write lock, ``model.database``). SQLite's own wait for its lock (the busy timeout) is no queue:
a waiting writer sleeps and retries, and a writer that writes chunk after chunk (a bulk import,
``store.chunks``) takes the lock again before the sleeper wakes, until after 30 s the sleeper
fails with "database is locked" (the notifier's notices, a trail entry: lost). So every write
transaction of this process (:func:`write_turn`: ``storage.write_transaction``, a write batch of
``Store.run``, ``store.chunks``' chunks) first waits for its turn in one queue per database
(:func:`turns_of`), first come, first served, and meets SQLite's lock only when it is free of
this process's writers.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Dict, Iterator

from sqlalchemy.engine import Engine


class WriteTurns:
    """The writer, handed out in order of arrival (a ticket queue), re-entrant per thread."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._held = threading.local()

    @contextlib.contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for this thread's turn, hold it for the block."""
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def acquire(self) -> None:
        if getattr(self._held, "depth", 0):
            self._held.depth += 1
            return
        with self._changed:
            ticket = self._next_ticket
            self._next_ticket += 1
            while ticket != self._serving:
                self._changed.wait()
        self._held.depth = 1

    def release(self) -> None:
        self._held.depth -= 1
        if self._held.depth:
            return
        with self._changed:
            self._serving += 1
            self._changed.notify_all()

    def waiting(self) -> int:
        """How many writers wait for their turn (the one writing not counted)."""
        with self._changed:
            return max(0, self._next_ticket - self._serving - 1)


#: the queue of each database, by its URL: one for the store's engine and the engines derived
#: from it (a side table's ``execution_options``), and for any engine of the same database
_TURNS: Dict[str, WriteTurns] = {}
_MADE = threading.Lock()


def turns_of(engine: Engine) -> WriteTurns:
    """The one queue of this process's writers of ``engine``'s database."""
    database = engine.url.render_as_string(hide_password=False)
    with _MADE:
        turns = _TURNS.get(database)
        if turns is None:
            turns = _TURNS[database] = WriteTurns()
        return turns


@contextlib.contextmanager
def write_turn(engine: Engine) -> Iterator[None]:
    """Hold this thread's turn to write ``engine``'s database for the block."""
    with turns_of(engine).turn():
        yield
