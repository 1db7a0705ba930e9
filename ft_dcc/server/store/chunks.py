"""Writes take turns: one caller's big batch does not hold the writer for others.

Both databases have ONE writer at a time (SQLite's write lock; on PostgreSQL the shared advisory
write lock, ``model.database``), and a batch of thousands of creates holds it for seconds. So:

- :class:`~ft_dcc.server.model.writers.WriteTurns` hands the writer out first come, first
  served (a ticket queue, one per database: every write transaction of the process waits in
  it): a write that arrives while a big batch runs goes next, not after it;
- :func:`run_in_chunks` writes a big batch of plain creates (a TD's bulk import, the genuine
  client's ``session.commit()``) as chunks of :data:`CHUNK_WRITES`, each its own transaction
  taking its own turn. It stays all or nothing FOR THE CALLER: when a chunk fails, the rows the
  earlier chunks created are deleted again and the whole batch runs once more as ONE transaction,
  whose answer (its error naming the failing operation, or its success when a create referred to
  a row of a later chunk) is the caller's. Other callers may read an import's first chunks before
  it ends (and, when it fails, see them go again); its update events go out once, at the end.
  A row another caller attached meanwhile to a row of a failed import's first chunks (a note on
  a new shot) is left pointing at a deleted row: the price of not holding the writer for all.

Batches with updates, deletes, collections or queries run as one transaction as before, bounded
by ``ServerConfig.max_batch_operations``.
"""

from __future__ import annotations

import logging
import threading
from typing import List, Sequence

import sqlalchemy as sa

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.schema import SchemaModel
from ft_dcc.server.model.writers import WriteTurns
from ft_dcc.server.rules.registry import Change
from ft_dcc.server.store import creators
from ft_dcc.server.store.store import BatchResult, Store
from ft_dcc.server.store.writing import plain_create

log = logging.getLogger(__name__)

#: creates per chunk: each chunk holds the writer about as long as a few small batches (the
#: wait of another user's write during a bulk import; bench/bench_fairness.py)
CHUNK_WRITES = 100


def chunkable(model: SchemaModel, operations: Sequence[object]) -> bool:
    """Whether ``operations`` is a big batch of plain creates (scalar values and references)."""
    if len(operations) <= CHUNK_WRITES:
        return False
    return all(plain_create(model, op) for op in operations)


def run_in_chunks(
    store: Store, turns: WriteTurns, lock: threading.RLock, operations: List[JsonObject],
    user_id: str,
) -> BatchResult:  # fmt: skip
    """``store.run(operations)`` as chunks, each in its own turn (see the module's doc)."""
    done: List[BatchResult] = []
    try:
        for start in range(0, len(operations), CHUNK_WRITES):
            with turns.turn(), lock:
                done.append(store.run(operations[start : start + CHUNK_WRITES], user_id))
    except ApiOperationError:
        with turns.turn(), lock:
            _undo(store, [change for result in done for change in result.changes])
            return store.run(operations, user_id)  # the one-transaction answer
    replies = [reply for result in done for reply in result.replies]
    return BatchResult(replies, [change for result in done for change in result.changes])


def _undo(store: Store, changes: List[Change]) -> None:
    """Delete the rows ``changes`` added (plain creates: their row and creator record)."""
    if not changes:
        return
    with store.write_transaction() as connection:
        for change in reversed(changes):
            etype = store.model.types.get(change["entity_type"])
            if change["action"] != "add" or etype is None:
                continue
            table = store.tables[etype.family]
            key = [str(part) for part in change["entity_key"]]
            condition = [table.c[name] == part for name, part in zip(etype.primary_key, key)]
            connection.execute(sa.delete(table).where(*condition))
            creators.forget(connection, store.metadata, etype, key[0])
    log.info("a chunked batch failed: its %d created rows were deleted again", len(changes))
