"""PostgreSQL's options of an index (a hash index, a partial one), given without loading
SQLAlchemy's PostgreSQL dialect.

SQLAlchemy checks an ``Index(..., postgresql_using=...)``'s options against the dialect they
name when the index is made, and so imports the dialect (with its asyncpg and psycopg parts: a
fifth of a SQLite server's imports) in every process that defines the store's tables, a
SQLite server, each of its workers and every command that opens a store included. The options
wait in the index's ``info`` instead, and become the index's PostgreSQL options when its
``CREATE INDEX`` is compiled for PostgreSQL (the dialect is loaded by then): the statement
says what the options always said, and no other dialect reads them.
"""

from __future__ import annotations

import threading
from typing import Any, Dict

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateIndex, Index
from sqlalchemy.sql.compiler import DDLCompiler

#: the key of the waiting options in an index's ``info``
_KEY = "ft_dcc_postgresql"
_LOCK = threading.Lock()


def postgresql_index(*args: Any, postgresql: Dict[str, Any], **kwargs: Any) -> Index:
    """``Index(*args, **kwargs)`` with ``postgresql`` as its PostgreSQL options (``using``,
    ``where``...: what ``postgresql_<name>=`` would have given), set when PostgreSQL compiles it."""
    index = Index(*args, **kwargs)
    index.info[_KEY] = dict(postgresql)
    return index


def give_options(index: Index) -> None:
    """Make ``index``'s waiting options its PostgreSQL options (once; the dialect is loaded)."""
    with _LOCK:
        waiting = index.info.pop(_KEY, None)
        if waiting:
            options = index.dialect_options["postgresql"]
            for name, value in waiting.items():
                options[name] = value


@compiles(CreateIndex, "postgresql")
def _create_index(create: CreateIndex, compiler: DDLCompiler, **kw: Any) -> str:
    give_options(create.element)
    default = CreateIndex._compiler_dispatcher.specs["default"]  # type: ignore[attr-defined]
    return str(default(create, compiler, **kw))
