"""Contexts read in name order through an index, on both backends, whatever a name's length.

The desk's "latest of each shot" walks a project's contexts in name order and stops at its page's
limit; that walk needs an index of ``(project_id, name)`` giving the rows in that order. SQLite
has one (its index entries have no size limit). A PostgreSQL B-tree entry must stay under about
2.7 KB, which a long name need not, and a write holding such a name would fail; so PostgreSQL's
index holds the name's first :data:`NAME_KEY_CHARS` characters (``left(name, 200)``: at most
800 bytes of UTF-8) in byte order (``COLLATE "C"``), and a query orders by that key, then by the
whole name in byte order: the index gives the rows in the key's order and PostgreSQL sorts only
the rows sharing a key (an incremental sort). In byte order a prefix sorts as its name does, so
that order is the name's own, and it is SQLite's (``BINARY``) and Python's (code points) too,
whatever collation the database was made with.
"""

from __future__ import annotations

from typing import List

import sqlalchemy as sa

#: the characters of a name PostgreSQL's index of names holds (4 bytes each at most)
NAME_KEY_CHARS = 200
#: the collation that orders text by its bytes (code points, for UTF-8), as SQLite and Python do
BYTE_ORDER = "C"


def name_key(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """``left(column, 200) COLLATE "C"``: PostgreSQL's indexed key of a name."""
    return sa.func.left(column, NAME_KEY_CHARS, type_=sa.Text).collate(BYTE_ORDER)


def postgres_name_index(name: str, table: sa.Table) -> sa.Index:
    """PostgreSQL's index of ``table``'s rows by project, then name (see the module's doc)."""
    return sa.Index(name, table.c.project_id, name_key(table.c.name)).ddl_if(dialect="postgresql")


def in_name_order(column: sa.ColumnElement[str], dialect: str) -> List[sa.ColumnElement[str]]:
    """What orders rows by ``column`` (a name) in byte order on ``dialect``, through the index of
    names where there is one: the column itself on SQLite, its key then itself on PostgreSQL."""
    if dialect != "postgresql":
        return [column]
    return [name_key(column), column.collate(BYTE_ORDER)]


def in_byte_order(column: sa.ColumnElement[str], dialect: str) -> sa.ColumnElement[str]:
    """``column`` ordered by its bytes on ``dialect`` (SQLite's text already is)."""
    return column.collate(BYTE_ORDER) if dialect == "postgresql" else column
