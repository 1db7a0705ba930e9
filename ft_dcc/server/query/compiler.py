"""Compile parsed queries to SQLAlchemy Core (bound parameters only, never interpolated text).

Relation traversal in ``where`` becomes ``key IN (SELECT …)`` sub-selects: through a reference
``fk IN (SELECT pk FROM target WHERE …)``, through a collection ``pk IN (SELECT remote_fk FROM
target WHERE …)``, which gives ftrack's "at least one element matches" meaning.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Dict, List, Optional, Tuple, Union

from sqlalchemy import Table, and_, case, false, func, not_, or_, select, true
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.expression import CTE, FromClause, Subquery

from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.model import secret_fields as passphrase
from ft_dcc.server.model.schema import Attribute, EntityType, LinkTable, SchemaModel
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.query.ast import (
    BoolOp,
    Comparison,
    Criteria,
    Literal,
    Not,
    Query,
    RelationTest,
)
from ft_dcc.server.query.values import Stored, ValueTypeError, literal_value


class QueryError(ServerError):
    """The expression parses but does not fit the schema (unknown type, attribute, value)."""

    exception = "ValidationError"


#: key/value collections: target type -> column pointing at the owner
MAPPED_OWNER_KEYS = {"Metadata": "parent_id"}

#: a true/false SQL expression (a where clause)
Condition = ColumnElement[bool]
#: a column, or an expression computed from the row, of some stored value
Column = ColumnElement[object]
#: the test on the last attribute of a path: (its entity type, table, attribute) -> condition
Leaf = Callable[[EntityType, FromClause, Attribute], Condition]
#: the condition on a related entity: (its entity type, table) -> condition
Inner = Callable[[EntityType, FromClause], Condition]
#: the projections of a query as a tree: ``a.b, c`` -> ``{"a": {"b": {}}, "c": {}}``
ProjectionTree = Dict[str, "ProjectionTree"]


class Compiler:
    """Turns :class:`Query` trees into SQLAlchemy statements for one schema model."""

    def __init__(
        self,
        model: SchemaModel,
        tables: Dict[str, Table],
        link_tables: Optional[Dict[str, Table]] = None,
    ) -> None:
        self.model = model
        self.tables = tables
        self.link_tables = link_tables or {}
        self._closures = 0

    # -- types and tables ---------------------------------------------------------------------
    def entity_type(self, name: str) -> EntityType:
        etype = self.model.get(name)
        if etype is None:
            raise QueryError(
                f"Unknown entity type '{name}'; use a type listed by query_schemas, e.g. Task"
            )
        return etype

    def table_for(self, etype: EntityType, alias: bool = False) -> FromClause:
        table = self.tables[etype.family]
        return table.alias() if alias else table

    def link_table(self, link: LinkTable) -> Table:
        """The table holding the pairs of a many-to-many relation."""
        if link.hidden:
            return self.link_tables[link.table]
        return self.tables[self.model.types[link.table].family]

    def link_pairs(self, link: LinkTable) -> Subquery:
        """``SELECT owner, member`` of a relation's pairs (only the link type's own rows)."""
        table = self.link_table(link).alias()
        stmt = select(table.c[link.owner], table.c[link.member]).where(
            table.c[link.owner].is_not(None), table.c[link.member].is_not(None)
        )
        if not link.hidden:
            stmt = stmt.where(self.type_condition(self.model.types[link.table], table))
        return stmt.subquery()

    def type_condition(self, etype: EntityType, table: FromClause) -> Condition:
        family_size = len(self.model.types[etype.family].descendants)
        if len(etype.descendants) == family_size:
            return true()
        return table.c[DISCRIMINATOR].in_(etype.descendants)

    def attribute(self, etype: EntityType, name: str) -> Attribute:
        attr = etype.attribute(name)
        if attr is None:
            # polymorphic targets (Context, Component…): attributes of their subtypes apply to
            # the rows of those subtypes (other rows hold NULL there)
            for sub in etype.descendants:
                attr = self.model.types[sub].attribute(name)
                if attr is not None:
                    break
        if attr is None or attr.restricted:
            raise QueryError(
                f"'{name}' is not an attribute of {etype.name}; "
                f"check the spelling against the {etype.name} schema"
            )
        return attr

    def pk_column(self, etype: EntityType, table: FromClause) -> Column:
        if len(etype.primary_key) != 1:
            raise QueryError(f"{etype.name} has a composite primary key and cannot be related to")
        return table.c[etype.primary_key[0]]

    # -- statements ---------------------------------------------------------------------------
    def select_rows(self, query: Query, extra_limit: int = 0) -> Tuple[EntityType, Select]:
        """SELECT of the full rows matching ``query`` (with order, offset and limit).

        With an offset, the page's keys are found first (a read of the keys alone, which an
        index of them answers without the rows: skipping 10,000 rows read 10,000 whole rows
        from all over the table) and its rows read by key, in the same order."""
        etype = self.entity_type(query.entity_type)
        table = self.table_for(etype)
        if not query.offset:
            return etype, self._page(self._ordered(etype, table, query, select(table)), query,
                                     extra_limit)  # fmt: skip
        keys = self.table_for(etype, alias=True)
        key_columns = [keys.c[key] for key in etype.primary_key]
        page = self._page(self._ordered(etype, keys, query, select(*key_columns)), query,
                          extra_limit).subquery("page")  # fmt: skip
        on = and_(*(table.c[key] == page.c[key] for key in etype.primary_key))
        return etype, self._ordered(etype, table, query,
                                    select(table).select_from(table.join(page, on)))  # fmt: skip

    def _ordered(self, etype: EntityType, table: FromClause, query: Query, stmt: Select
                 ) -> Select:  # fmt: skip
        """``stmt`` of ``table``'s rows that match ``query``, in its order (then by key)."""
        stmt = stmt.where(self.type_condition(etype, table))
        if query.where is not None:
            stmt = stmt.where(self.criteria(etype, table, query.where))
        for path, descending in query.order_by:
            expression = self.order_expression(etype, table, path)
            stmt = stmt.order_by(expression.desc() if descending else expression.asc())
        for key in etype.primary_key:
            stmt = stmt.order_by(table.c[key].asc())
        return stmt

    @staticmethod
    def _page(stmt: Select, query: Query, extra_limit: int) -> Select:
        if query.offset:
            stmt = stmt.offset(query.offset)
        if query.limit is not None:
            stmt = stmt.limit(query.limit + extra_limit)
        return stmt

    def select_aggregate(
        self, query: Query, extra_limit: int = 0
    ) -> Tuple[EntityType, Select, List[Tuple[str, str]]]:
        """Group-by/aggregate SELECT; returns (type, statement, [(key, value type)])."""
        etype = self.entity_type(query.entity_type)
        table = self.table_for(etype)
        columns = []
        shapes = []
        for function, path in query.aggregates:
            attr, column = self._group_column(etype, table, path)
            key = f"{function}_{attr.name}"
            columns.append(getattr(func, function)(column).label(key))
            value_type = "integer" if function == "count" else attr.value_type
            if function in ("sum", "avg") and value_type not in ("integer", "number"):
                raise QueryError(f"{function}() needs a numeric attribute, '{attr.name}' is not")
            shapes.append((key, "number" if function == "avg" else value_type))
        groups = []
        for path in query.group_by:
            attr, column = self._group_column(etype, table, path)
            groups.append(column)
            columns.append(column.label(attr.name))
            shapes.append((attr.name, attr.value_type if attr.is_scalar else "string"))
        grouped = {path for path in query.group_by}
        for path in query.projections:
            if path not in grouped:
                raise QueryError(f"'{'.'.join(path)}' must be aggregated or listed in 'group by'")
        stmt = select(*columns).where(self.type_condition(etype, table))
        if query.where is not None:
            stmt = stmt.where(self.criteria(etype, table, query.where))
        if groups:
            stmt = stmt.group_by(*groups)
        for path, descending in query.order_by:
            if path not in grouped:
                raise QueryError("Order an aggregate query by its 'group by' attributes only")
            _attr, column = self._group_column(etype, table, path)
            stmt = stmt.order_by(column.desc() if descending else column.asc())
        for column in groups:
            stmt = stmt.order_by(column.asc())
        if query.offset:
            stmt = stmt.offset(query.offset)
        if query.limit is not None:
            stmt = stmt.limit(query.limit + extra_limit)
        return etype, stmt, shapes

    def _group_column(
        self, etype: EntityType, table: FromClause, path: Tuple[str, ...]
    ) -> Tuple[Attribute, Column]:
        if len(path) != 1:
            raise QueryError("Aggregates and 'group by' take plain attributes, not dotted paths")
        attr = self.attribute(etype, path[0])
        if attr.kind == "reference" and attr.foreign_key:
            return attr, table.c[attr.foreign_key]
        if not attr.is_scalar:
            raise QueryError(f"'{attr.name}' of {etype.name} is a relation; aggregate an attribute")
        return attr, self.scalar_column(etype, table, attr)

    def subquery_column(self, query: Query) -> Select:
        """``in (select x from T where …)``: a one-column SELECT."""
        etype = self.entity_type(query.entity_type)
        if len(query.projections) != 1:
            raise QueryError("A sub-query inside 'in (...)' must select exactly one attribute")
        table = self.table_for(etype, alias=True)
        column = self.value_column(etype, table, query.projections[0])
        stmt = select(column).where(self.type_condition(etype, table), column.is_not(None))
        if query.where is not None:
            stmt = stmt.where(self.criteria(etype, table, query.where))
        return stmt

    def value_column(self, etype: EntityType, table: FromClause, path: Tuple[str, ...]) -> Column:
        if len(path) != 1:
            raise QueryError("A sub-query must select a plain attribute, not a dotted path")
        attr = self.attribute(etype, path[0])
        if attr.kind == "reference" and attr.foreign_key:
            return table.c[attr.foreign_key]
        if not attr.is_scalar or attr.name not in table.c:
            raise QueryError(f"'{path[0]}' of {etype.name} cannot be selected in a sub-query")
        return self.scalar_column(etype, table, attr)

    # -- order by -----------------------------------------------------------------------------
    def order_expression(
        self, etype: EntityType, table: FromClause, path: Tuple[str, ...]
    ) -> Column:
        attr = self.attribute(etype, path[0])
        if len(path) == 1:
            if attr.is_scalar:
                return self.scalar_column(etype, table, attr)
            if attr.kind == "reference" and attr.foreign_key:
                return table.c[attr.foreign_key]
            raise QueryError(f"Cannot order by collection '{attr.name}' of {etype.name}")
        if attr.kind != "reference" or not attr.foreign_key:
            raise QueryError(
                f"Cannot order by '{'.'.join(path)}': '{attr.name}' is not a single reference"
            )
        target = self.entity_type(attr.target or "")
        talias = self.table_for(target, alias=True)
        inner = self.order_expression(target, talias, path[1:])
        return (
            select(inner)
            .where(self.pk_column(target, talias) == table.c[attr.foreign_key])
            .limit(1)
            .scalar_subquery()
        )

    # -- criteria -----------------------------------------------------------------------------
    def criteria(self, etype: EntityType, table: FromClause, node: Criteria) -> Condition:
        if isinstance(node, BoolOp):
            parts = [self.criteria(etype, table, operand) for operand in node.operands]
            return and_(*parts) if node.operator == "and" else or_(*parts)
        if isinstance(node, Not):
            return not_(self.criteria(etype, table, node.operand))
        if isinstance(node, RelationTest):
            return self.walk(etype, table, node.path, self._relation_leaf(node))
        if isinstance(node, Comparison):
            return self.walk(etype, table, node.path, self._comparison_leaf(node))
        raise QueryError(f"Unsupported criteria {type(node).__name__}")  # pragma: no cover

    def walk(
        self,
        etype: EntityType,
        table: FromClause,
        path: Tuple[str, ...],
        leaf: Leaf,
    ) -> Condition:
        """Follow ``path`` through relations; ``leaf`` builds the test on the last attribute."""
        attr = self.attribute(etype, path[0])
        if len(path) == 1:
            return leaf(etype, table, attr)
        if attr.is_scalar:
            raise QueryError(
                f"'{attr.name}' of {etype.name} is a plain value, so '{'.'.join(path)}' "
                "cannot go further; remove the part after it"
            )
        return self.related(
            etype, table, attr, lambda t, talias: self.walk(t, talias, path[1:], leaf)
        )

    def related(
        self,
        etype: EntityType,
        table: FromClause,
        attr: Attribute,
        inner: Inner,
    ) -> Condition:
        """Condition: some entity related through ``attr`` satisfies ``inner``."""
        target = self.entity_type(attr.target or "")
        talias = self.table_for(target, alias=True)
        condition = and_(self.type_condition(target, talias), inner(target, talias))
        if attr.kind == "reference":
            if not attr.foreign_key:
                raise QueryError(f"'{attr.name}' of {etype.name} cannot be used in a where clause")
            sub = select(self.pk_column(target, talias)).where(condition)
            return table.c[attr.foreign_key].in_(sub)
        owner_key = self.pk_column(etype, table)
        if attr.hierarchy is not None:
            closure = self.context_closure()
            members = select(self.pk_column(target, talias)).where(condition)
            if attr.hierarchy == "descendants":
                matching = select(closure.c.ancestor).where(closure.c.descendant.in_(members))
            else:
                matching = select(closure.c.descendant).where(closure.c.ancestor.in_(members))
            return owner_key.in_(matching)
        if attr.link is not None:
            pairs = self.link_pairs(attr.link)
            members = select(self.pk_column(target, talias)).where(condition)
            owner, member = pairs.c[attr.link.owner], pairs.c[attr.link.member]
            return owner_key.in_(select(owner).where(member.in_(members)))
        remote: Optional[str] = (
            MAPPED_OWNER_KEYS.get(target.name, "entity_id")
            if attr.kind == "mapped"
            else attr.remote_key
        )
        if not remote or remote not in talias.c:
            raise QueryError(
                f"Collection '{attr.name}' of {etype.name} cannot be used in a where clause"
            )
        # NOT IN over a set holding NULL is never true: keep NULL keys out of the sub-select
        condition = and_(condition, talias.c[remote].is_not(None))
        if attr.filter is not None:
            condition = and_(condition, talias.c[attr.filter[0]] == attr.filter[1])
        return owner_key.in_(select(talias.c[remote]).where(condition))

    def context_closure(self) -> CTE:
        """Recursive CTE of (ancestor, descendant) pairs over ``Context.parent_id``.

        UNION (not UNION ALL) so that a corrupt cyclic hierarchy still terminates.
        """
        self._closures += 1
        contexts = self.tables["Context"]
        base = (
            select(contexts.c.parent_id.label("ancestor"), contexts.c.id.label("descendant"))
            .where(contexts.c.parent_id.is_not(None))
            .cte(f"context_closure_{self._closures}", recursive=True)
        )
        step = contexts.alias()
        return base.union(
            select(base.c.ancestor, step.c.id).where(step.c.parent_id == base.c.descendant)
        )

    def _relation_leaf(self, node: RelationTest) -> Leaf:
        def leaf(etype: EntityType, table: FromClause, attr: Attribute) -> Condition:
            if attr.is_scalar:
                raise QueryError(
                    f"'{node.relation}' needs a relation but '{attr.name}' of {etype.name} "
                    "is a plain value"
                )
            criteria = node.criteria
            return self.related(
                etype,
                table,
                attr,
                lambda t, talias: (
                    true() if criteria is None else self.criteria(t, talias, criteria)
                ),
            )

        return leaf

    def _comparison_leaf(self, node: Comparison) -> Leaf:
        def leaf(etype: EntityType, table: FromClause, attr: Attribute) -> Condition:
            if attr.is_scalar:
                column = self.scalar_column(etype, table, attr)
                value_type = attr.value_type
            elif attr.kind == "reference" and attr.foreign_key:
                column = table.c[attr.foreign_key]
                value_type = "string"
            else:
                raise QueryError(
                    f"'{attr.name}' of {etype.name} is a collection; compare one of its "
                    f"attributes (e.g. {attr.name}.id) or use '{attr.name} any (...)'"
                )
            return self.compare(column, value_type, attr.name, node.operator, node.value)

        return leaf

    def scalar_column(self, etype: EntityType, table: FromClause, attr: Attribute) -> Column:
        if passphrase.is_secret(etype.name, attr.name):
            return passphrase.masked_column(table.c[attr.name])  # no oracle on the hash
        if attr.name in table.c and not attr.computed:
            return table.c[attr.name]
        computed = self.computed_column(etype, table, attr)
        if computed is None:
            raise QueryError(
                f"'{attr.name}' of {etype.name} is computed by the server and cannot be "
                "filtered or ordered on"
            )
        return computed

    def computed_column(
        self, etype: EntityType, table: FromClause, attr: Attribute
    ) -> Optional[Column]:
        if etype.name == "ReviewSession" and attr.name == "is_open":
            now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
            return case(
                (or_(table.c.end_date.is_(None), table.c.end_date > now), true()), else_=false()
            )
        if etype.name == "AssetVersion" and attr.name == "is_latest_version":
            versions = self.tables["AssetVersion"].alias()
            latest = (
                select(func.max(versions.c.version))
                .where(versions.c.asset_id == table.c.asset_id)
                .scalar_subquery()
            )
            return case((table.c.version == latest, true()), else_=false())
        return None

    def compare(
        self,
        column: Column,
        value_type: str,
        name: str,
        operator: str,
        value: Union[Literal, List[Literal], Query],
    ) -> Condition:
        try:
            if operator in ("in", "not_in"):
                values: Union[Select, List[Stored]]
                if isinstance(value, Query):
                    values = self.subquery_column(value)
                elif isinstance(value, list):
                    values = [self._typed(value_type, item, name) for item in value]
                else:
                    values = [self._typed(value_type, value, name)]
                condition = column.in_(values)
                return not_(condition) if operator == "not_in" else condition
            if isinstance(value, (list, Query)):
                raise QueryError(f"'{operator}' compares '{name}' with one value, not a list")
            typed = self._typed(value_type, value, name)
        except ValueTypeError as error:
            raise QueryError(str(error)) from None
        if operator == "is":
            return column.is_(None) if typed is None else column == typed
        if operator == "is_not":
            return column.is_not(None) if typed is None else or_(column != typed, column.is_(None))
        if typed is None:
            raise QueryError(f"'{operator}' cannot compare '{name}' with none")
        if operator in ("like", "not_like"):
            # case-insensitive like ftrack (and SQLite) on every database
            condition = column.ilike(str(value.text))
            return not_(condition) if operator == "not_like" else condition
        return {
            "gt": column > typed,
            "ge": column >= typed,
            "lt": column < typed,
            "le": column <= typed,
        }[operator]

    @staticmethod
    def _typed(value_type: str, literal: Literal, name: str) -> Stored:
        return literal_value(value_type, literal.text, literal.quoted, name)


def projection_tree(paths: List[Tuple[str, ...]]) -> ProjectionTree:
    """``[("a",), ("b","c")]`` -> ``{"a": {}, "b": {"c": {}}}``."""
    tree: ProjectionTree = {}
    for path in paths:
        node = tree
        for name in path:
            node = node.setdefault(name, {})
    return tree
