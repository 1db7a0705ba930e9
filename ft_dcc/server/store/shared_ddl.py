"""The ``CREATE TABLE`` and ``CREATE INDEX`` statements of the shared tables, compiled once per
dialect.

SQLAlchemy compiles each DDL statement again every time it runs one (a DDL element has no
statement cache): a fifth of a new database's opening (its 90 tables and 350 indexes), again for
each new database of the process (a server's, a test's store). The shared
tables (``store.shared_tables``) never change once defined, so their statements' SQL is kept by
table or index and dialect, and used again as SQLAlchemy would have compiled it; any other
table's (a side table, a table read back from a database) is compiled as before.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Hashable, Iterable, Set, Tuple

from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex, CreateTable, Index, Table
from sqlalchemy.sql.compiler import DDLCompiler

#: the ids of the shared tables and indexes (they live as long as the process)
_SHARED: Set[int] = set()
#: (table or index id, dialect, what the statement says) -> its SQL
_SQL: Dict[Tuple[Hashable, ...], str] = {}


def share(tables: Iterable[Table], indexes: Iterable[Index] = ()) -> None:
    """Keep the DDL of ``tables`` (shared Table objects, never changed again), their indexes and
    ``indexes`` (of those tables, not attached to them) once compiled."""
    for table in tables:
        _SHARED.add(id(table))
        _SHARED.update(id(index) for index in table.indexes)
    _SHARED.update(id(index) for index in indexes)


def _dialect_key(dialect: Dialect) -> Tuple[Hashable, ...]:
    version: Hashable = dialect.server_version_info
    return (dialect.name, dialect.driver, version)


def _kept(
    target: Any, flags: Tuple[Hashable, ...], compiler: DDLCompiler, compile: Callable[[], str]
) -> str:
    if id(target) not in _SHARED:
        return compile()
    key = (id(target), *_dialect_key(compiler.dialect), *flags)
    try:
        sql = _SQL.get(key)
    except TypeError:  # an option that cannot be a key: compiled each time
        return compile()
    if sql is None:
        sql = _SQL[key] = compile()
    return sql


@compiles(CreateTable)
def _create_table(create: CreateTable, compiler: DDLCompiler, **kw: Any) -> str:
    table: Table = create.element
    foreign = create.include_foreign_key_constraints
    flags = (bool(create.if_not_exists), None if foreign is None else tuple(map(id, foreign)),
             tuple(sorted(kw.items())))  # fmt: skip
    return _kept(table, flags, compiler, lambda: compiler.visit_create_table(create, **kw))


@compiles(CreateIndex)
def _create_index(create: CreateIndex, compiler: DDLCompiler, **kw: Any) -> str:
    index: Index = create.element
    flags = (bool(create.if_not_exists), tuple(sorted(kw.items())))
    return _kept(index, flags, compiler, lambda: compiler.visit_create_index(create, **kw))
