"""What one batch has read of its tables, kept while nothing in its transaction may change it.

A batch of 5,000 creates asks the same questions thousands of times: does the parent exist, the
default status, the caller's user (per create: the defaults, then the end-of-batch reference
checks); what is the row just written (the change, the echo, ``check_written`` and the
end-of-batch checks each read it). Each answer is a statement, and building one costs more than
running it. :class:`ReadCache` answers them again from what the batch found:

- it lives as long as its batch, i.e. inside ONE transaction; entity tables are written only
  under the write lock (one writer at a time), so while a write batch runs, only its own
  statements change them;
- it hears every statement its connection runs (SQLAlchemy's ``before_execute``, through the one
  listener :func:`hear` puts on a store's engine: a listener on each batch's connection cost a
  registration, a dispatcher of its own on every statement and a clean-up): an UPDATE or
  DELETE forgets what was read of its table, and any statement whose target it cannot tell
  (text, an upsert, DDL) forgets everything. A plain INSERT adds rows but changes none already
  read, so it forgets nothing;
- it keeps only what was FOUND: a row missing now may be created by the next operation.

A reader gets a copy of a kept row, so nothing it does to the row reaches the cache.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Dict, Hashable, List, Optional, Set

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ft_dcc.server.query.values import StoredRow


@dataclass
class _Read:
    """What was found of one table: whole rows (by what was asked) and ids that exist."""

    rows: Dict[Hashable, StoredRow] = field(default_factory=dict)
    ids: Set[Hashable] = field(default_factory=set)


class ReadCache:
    """Rows and ids a batch found, per table, forgotten when its transaction writes the table."""

    def __init__(self, connection: Connection) -> None:
        self._tables: Dict[str, _Read] = {}
        if connection.engine in _HEARING:
            _OPEN.setdefault(connection, []).append(self)
        else:  # an engine :func:`hear` was not given: a listener on this connection
            sa.event.listen(connection, "before_execute", self._before_execute)

    def row(self, table: str, asked: Hashable) -> Optional[StoredRow]:
        """A copy of the row found for ``asked`` in ``table``, if one was kept."""
        read = self._tables.get(table)
        row = read.rows.get(asked) if read is not None else None
        return dict(row) if row is not None else None

    def keep_row(self, table: str, asked: Hashable, row: StoredRow) -> None:
        self._tables.setdefault(table, _Read()).rows[asked] = dict(row)

    def has_id(self, table: str, ident: Hashable) -> bool:
        """Whether ``ident`` was found in ``table`` (False: not asked yet, or not found)."""
        read = self._tables.get(table)
        return read is not None and ident in read.ids

    def keep_id(self, table: str, ident: Hashable) -> None:
        self._tables.setdefault(table, _Read()).ids.add(ident)

    def _before_execute(
        self, connection: Connection, statement: object, *_args: object
    ) -> None:  # fmt: skip
        """Forget what ``statement`` may change (see the module's doc)."""
        if getattr(statement, "is_select", False) or _adds_rows_only(statement):
            return
        target = getattr(statement, "table", None)
        if isinstance(statement, (sa.Insert, sa.Update, sa.Delete)) and isinstance(
            target, sa.Table
        ):
            self._tables.pop(target.name, None)
        else:
            self._tables.clear()


#: the engines whose connections :func:`hear` tells their caches' statements
_HEARING: weakref.WeakSet[Engine] = weakref.WeakSet()
#: the caches of each connection (a batch's, and those of the batches its in-batch actions run)
_OPEN: weakref.WeakKeyDictionary[Connection, List[ReadCache]] = weakref.WeakKeyDictionary()


def hear(engine: Engine) -> None:
    """Tell the caches of ``engine``'s connections every statement they run, through one listener
    on the engine. Call it before the engine's first connection: a connection hears only the
    listeners its engine had when it was made."""
    sa.event.listen(engine, "before_execute", _heard)
    _HEARING.add(engine)


def _heard(connection: Connection, statement: object, *args: object) -> None:
    for cache in _OPEN.get(connection, ()):
        cache._before_execute(connection, statement, *args)


def _adds_rows_only(statement: object) -> bool:
    """A plain ``INSERT`` (no upsert, no ``OR REPLACE`` prefix): it changes no existing row."""
    return type(statement) is sa.Insert and not statement._prefixes
