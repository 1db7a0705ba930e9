"""The statements a batch runs once per row, built once per type (:class:`Statements`).

Building a SQLAlchemy statement (coercing its values, computing its cache key) costs several
times what running it costs, and a bulk import runs the same few per create: is the key taken,
insert the row, read it back, does the referenced row exist. Each is built here once per type
or table, with its values as bound parameters, and run with the row's values.
"""

from __future__ import annotations

import threading
from typing import Callable, Dict, Hashable, Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.sql import Executable

from ft_dcc.server.model.schema import EntityType
from ft_dcc.server.query.compiler import Compiler


def key_params(key: Sequence[object]) -> Dict[str, object]:
    """The bound parameters of a key's values for :meth:`Statements.load` and ``key_taken``."""
    return {f"key_{index}": part for index, part in enumerate(key)}


class Statements:
    """Per-row statements of the entity tables, built on first use and kept."""

    def __init__(self, tables: Mapping[str, sa.Table], compiler: Compiler) -> None:
        self.tables = tables
        self.compiler = compiler
        self._built: Dict[Hashable, Executable] = {}
        self._lock = threading.Lock()

    def _key_condition(self, etype: EntityType, table: sa.Table) -> sa.ColumnElement[bool]:
        return sa.and_(*[table.c[name] == sa.bindparam(f"key_{index}")
                         for index, name in enumerate(etype.primary_key)])  # fmt: skip

    def load(self, etype: EntityType) -> Executable:
        """``SELECT`` the row of ``etype`` with the key :func:`key_params`."""
        return self._get(("load", etype.name), lambda: self._load(etype))

    def _load(self, etype: EntityType) -> Executable:
        table = self.tables[etype.family]
        return sa.select(table).where(
            self._key_condition(etype, table), self.compiler.type_condition(etype, table)
        )

    def key_taken(self, etype: EntityType) -> Executable:
        """``SELECT`` the first key column of any row of ``etype``'s table with that key."""
        return self._get(("taken", etype.name), lambda: self._key_taken(etype))

    def _key_taken(self, etype: EntityType) -> Executable:
        table = self.tables[etype.family]
        pk = table.c[etype.primary_key[0]]
        return sa.select(pk).where(self._key_condition(etype, table))

    def has_value(self, family: str, column: str) -> Executable:
        """``SELECT`` ``column`` of ``family``'s rows whose ``column`` is ``:value``."""
        return self._get(("has", family, column), lambda: self._has_value(family, column))

    def _has_value(self, family: str, column: str) -> Executable:
        found = self.tables[family].c[column]
        return sa.select(found).where(found == sa.bindparam("value"))

    def insert(self, family: str) -> Executable:
        """``INSERT`` into ``family``'s table, run with the row's column values."""
        return self._get(("insert", family), lambda: sa.insert(self.tables[family]))

    def insert_returning(self, family: str) -> Executable:
        """``INSERT`` into ``family``'s table answering the stored row (``RETURNING``)."""
        table = self.tables[family]
        return self._get(("returning", family), lambda: sa.insert(table).returning(*table.c))

    def _get(self, name: Hashable, build: Callable[[], Executable]) -> Executable:
        built = self._built.get(name)
        if built is None:
            with self._lock:
                built = self._built.setdefault(name, build())
        return built
