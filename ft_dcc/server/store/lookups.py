"""What a batch knows and looks up: its state, and what the rules ask of it (``BatchView``).

:class:`Lookups` holds one batch's state (its connection, the caller, the changes and rows it
wrote, what it read) and answers the rules' questions: a stored row, whether a key exists (one
at a time, or many in a statement: :meth:`Lookups.find_keys`), an entity's project or type, the
next free number of a column. :class:`~ft_dcc.server.store.planning.Planning` and
:class:`~ft_dcc.server.store.batch.Batch` build on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Dict, Hashable, Iterable, List, Optional, Protocol, Sequence, Set, Tuple, cast

import sqlalchemy as sa
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.engine import Connection

from ft_dcc.server.model.database import comparable_id
from ft_dcc.server.model.schema import REFERENCE_ALIASES, EntityType, SchemaModel
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.query.compiler import Compiler
from ft_dcc.server.query.reply_budget import ReplyBudget
from ft_dcc.server.query.results import ResultBuilder
from ft_dcc.server.query.values import StoredRow
from ft_dcc.server.rules.permissions import ADMINISTRATOR, role_of
from ft_dcc.server.rules.registry import Change, Key, KeyPart, RuleRegistry, Touched
from ft_dcc.server.store.numbers import MISSING, Numbers, highest
from ft_dcc.server.store.reads import ReadCache
from ft_dcc.server.store.statements import Statements, key_params

#: ids asked in one ``IN (…)`` list (well under SQLite's and PostgreSQL's parameter limits)
IDS_PER_STATEMENT = 500


class BatchParts(Protocol):
    """What a batch needs of its store: the model, its tables, the query compiler and the
    per-row statements built for them."""

    model: SchemaModel
    tables: Dict[str, sa.Table]
    metadata: sa.MetaData
    compiler: Compiler
    statements: Statements


class Lookups:
    """One batch's state and the lookups the rules and the batch's steps make."""

    def __init__(
        self, parts: BatchParts, connection: Connection, user_id: str, rules: RuleRegistry
    ) -> None:
        self.model = parts.model
        self.tables = parts.tables
        self.metadata = parts.metadata
        self.compiler = parts.compiler
        self.statements = parts.statements
        self.connection = connection
        self.user_id = user_id
        self.rules = rules
        self._acting_user_id: Optional[str] = None
        self._acting_user_read = False
        self._is_admin: Optional[bool] = None
        self.now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
        self.changes: List[Change] = []
        #: every row written, for the end-of-batch rules
        self.touched: List[Touched] = []
        #: the bytes this batch's query replies may take (``FT_DCC_MAX_REPLY_BYTES``)
        self.reply_budget = ReplyBudget()
        #: what this batch found, answered again until its transaction writes the table
        self.reads = ReadCache(connection)
        #: rows locked (``lock_row``): a lock holds until the transaction ends
        self._locked: Set[Tuple[str, object]] = set()
        #: the highest numbers of the creates planned and not written yet (``next_number``)
        self.numbers = Numbers()
        #: ``AssetVersion.is_latest_version`` of an echo while creates are answered together:
        #: the highest version of each asset when that create was written
        self.latest_versions: Dict[object, object] = {}
        #: while a run of deletes is judged (``store.removing``), what the rules found (the rows'
        #: creators, their parents' owners): nothing is written until the run is judged
        self.judging: Optional[Dict[Hashable, object]] = None

    @property
    def is_admin(self) -> bool:
        """Whether the caller holds the Administrator role (read once per batch)."""
        if self._is_admin is None:
            self._is_admin = role_of(self, self.connection, self.user_id) == ADMINISTRATOR
        return self._is_admin

    @property
    def acting_user_id(self) -> Optional[str]:
        """The caller's User id for ``created_by``/``user`` defaults, when it is a real User.

        Server-internal callers may pass a system id that is no User; then those stay empty.
        """
        if not self._acting_user_read:
            table = self.tables["User"]
            found = None
            if self.user_id:
                found = self.connection.execute(
                    select(table.c.id).where(table.c.id == self.user_id)
                ).scalar()
            self._acting_user_id = found
            self._acting_user_read = True
        return self._acting_user_id

    def table(self, etype: EntityType) -> sa.Table:
        return self.tables[etype.family]

    def key_condition(self, etype: EntityType, key: Key) -> ColumnElement[bool]:
        table = self.table(etype)
        return and_(*[table.c[name] == value for name, value in zip(etype.primary_key, key)])

    def load(self, etype: EntityType, key: Key) -> Optional[StoredRow]:
        table = self.table(etype)
        asked = (etype.name, key) if _hashable(key) else None
        if asked is not None:
            kept = self.reads.row(table.name, asked)
            if kept is not None:
                return kept
        stmt = self.statements.load(etype)
        found = self.connection.execute(stmt, key_params(key)).mappings().first()
        if found is None:
            return None
        row = dict(found)
        if asked is not None:
            self.reads.keep_row(table.name, asked, row)
        return row

    def row(self, type_name: str, ident: Optional[KeyPart]) -> Optional[StoredRow]:
        """The stored row of the ``type_name`` entity with id ``ident``, if there is one."""
        if not ident:
            return None
        return self.load(self.model.types[type_name], (ident,))

    def exists_in_family(self, target: EntityType, value: object) -> bool:
        """Whether an entity of ``target`` (or a type standing for it) has the id ``value``."""
        for name in REFERENCE_ALIASES.get(target.name, (target.name,)):
            candidate = self.model.types[name]
            if self.has_key(candidate.family, candidate.primary_key[0], value):
                return True
        return False

    def has_key(self, family: str, column: str, value: object) -> bool:
        """Whether a row of ``family``'s table has ``value`` in ``column`` (its key column)."""
        table = self.tables[family]
        asked = (column, value) if _hashable((value,)) else None
        if asked is not None and self.reads.has_id(table.name, asked):
            return True
        stmt = self.statements.has_value(family, column)
        if self.connection.execute(stmt, {"value": value}).first() is None:
            return False
        if asked is not None:
            self.reads.keep_id(table.name, asked)
        return True

    def find_keys(self, family: str, column: str, values: Iterable[object]) -> Set[object]:
        """Which of ``values`` a row of ``family``'s table has in ``column`` (its key column),
        in a statement per :data:`IDS_PER_STATEMENT`; kept as found (:meth:`has_key`)."""
        table = self.tables[family]
        asked = [v for v in dict.fromkeys(values) if _hashable((v,))]
        unknown = [v for v in asked if not self.reads.has_id(table.name, (column, v))]
        found = set(asked) - set(unknown)
        for start in range(0, len(unknown), IDS_PER_STATEMENT):
            some = unknown[start : start + IDS_PER_STATEMENT]
            rows = self.connection.execute(select(table.c[column]).where(table.c[column].in_(some)))
            found.update(row[0] for row in rows)
        for value in found:
            self.reads.keep_id(table.name, (column, value))
        return found

    def read_rows(self, etype: EntityType, idents: Sequence[KeyPart]) -> None:
        """Read the rows of ``etype`` with the ids ``idents`` (a single-key type) into the
        batch's reads, a statement per :data:`IDS_PER_STATEMENT` rows, as :meth:`load` keeps
        them."""
        table = self.table(etype)
        pk = table.c[etype.primary_key[0]]
        for start in range(0, len(idents), IDS_PER_STATEMENT):
            some = list(idents[start : start + IDS_PER_STATEMENT])
            stmt = select(table).where(pk.in_(some), self.compiler.type_condition(etype, table))
            for found in self.connection.execute(stmt).mappings():
                row = dict(found)
                ident = row[etype.primary_key[0]]
                self.reads.keep_row(table.name, (etype.name, (ident,)), row)
                self.reads.keep_id(table.name, (etype.primary_key[0], ident))

    def builder(self) -> ResultBuilder:
        builder = ResultBuilder(self.model, self.compiler, self.connection)
        builder.latest_versions = self.latest_versions
        return builder

    # -- derived values -----------------------------------------------------------------------
    def project_of(self, context_id: object) -> Optional[str]:
        if not context_id:
            return None
        row = self.load(self.model.types["Context"], cast(Key, (context_id,)))
        if row is None:
            return None
        return cast(
            Optional[str], row["id"] if row[DISCRIMINATOR] == "Project" else row["project_id"]
        )

    def type_of(self, ident: object) -> Optional[str]:
        """The concrete type of the entity with id ``ident`` (searched across families)."""
        for family, table in self.tables.items():
            if "id" not in table.c or len(self.model.types[family].primary_key) != 1:
                continue
            key = comparable_id(table.c.id, ident)
            if key is None:
                continue
            found = self.connection.execute(
                select(table.c[DISCRIMINATOR]).where(table.c.id == key)
            ).scalar()
            if found is not None:
                return found
        return None

    def lock_row(self, type_name: str, ident: object) -> None:
        """``SELECT … FOR UPDATE`` on servers that support it (SQLite serialises writers anyway)."""
        if (type_name, ident) in self._locked:
            return  # held until the transaction ends
        etype = self.model.types[type_name]
        table = self.table(etype)
        pk = table.c[etype.primary_key[0]]
        self.connection.execute(select(pk).where(pk == ident).with_for_update())
        if _hashable((ident,)):
            self._locked.add((type_name, ident))

    def next_number(
        self, etype_name: str, column: str, scope_column: str, scope_value: object, start: int = 1
    ) -> int:
        """The next free number of ``column`` among rows sharing ``scope_column`` (the creates
        planned to be written with this one count: :class:`Numbers`)."""
        etype = self.model.types[etype_name]
        table = self.table(etype)
        scope = (etype.family, column, scope_column, scope_value)
        stored = self.numbers.stored(scope)
        if stored is MISSING:
            stored = self.connection.execute(
                select(func.max(table.c[column])).where(table.c[scope_column] == scope_value)
            ).scalar()
            self.numbers.keep(scope, stored)
        current = highest(stored, self.numbers.highest_planned(scope))
        return start if current is None else int(cast(int, current)) + 1


def _hashable(key: Sequence[object]) -> bool:
    """Whether a key can name what a batch read (text and integer ids can)."""
    return all(isinstance(part, (str, int)) for part in key)
