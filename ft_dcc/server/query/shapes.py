"""Parsing a query that ends in a list of ids once per shape, not once per list.

The review room, the desk and the clients ask ``select … from Note where parent_id in ("a",
"b", …)`` with hundreds of ids, a new list every time: the grammar (lark) read every id again
(about a quarter of a 300-version review page's server CPU). :func:`parse` answers such an
expression from its *shape* -- the expression with the list replaced by one placeholder id,
parsed once and kept (:data:`MOST_SHAPES` of them) -- with the list's ids put in the
placeholder's place. Any other expression, and any whose shape does not hold its placeholder
exactly once as the list of an ``in``, is parsed as it is, by :func:`parser.parse_query`: the
answer is always the one ``parse_query`` gives. Such an expression of at most
:data:`MOST_KEPT_CHARS` characters is kept too (:data:`MOST_SHAPES` of them) and answered by a
copy: the desk asks the same few queries of a session at every write and in each answer (a
tenth of adding 50 versions and removing them was the grammar reading them again).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import List, Optional, Tuple

from ft_dcc.server.query.ast import BoolOp, Comparison, Criteria, Literal, Not, Query, RelationTest
from ft_dcc.server.query.parser import QuerySyntaxError, parse_query

#: the id standing for the list in a kept shape
PLACEHOLDER = "ft-dcc-listed-ids-placeholder"
#: the shapes kept (each a few kB)
MOST_SHAPES = 512
#: the longest expression kept whole (longer ones are parsed each time they come)
MOST_KEPT_CHARS = 2000
#: a listed id: a quoted string of the characters ids are made of (no quote, no backslash)
_ID = re.compile(r'"[0-9A-Za-z_.:-]*"')


def _listed_ids(expression: str) -> Optional[Tuple[str, List[str]]]:
    """``(head, ids)`` when ``expression`` ends in ``in (<quoted ids>)``, else ``None``."""
    text = expression.rstrip()
    if not text.endswith(")"):
        return None
    start = text.rfind("(")
    if start < 0:
        return None
    head = text[:start].rstrip()
    if not head.lower().endswith((" in", " not_in")):
        return None
    parts = [part.strip() for part in text[start + 1 : -1].split(",")]
    if not all(_ID.fullmatch(part) for part in parts):
        return None
    return head, [part[1:-1] for part in parts]


@functools.lru_cache(maxsize=MOST_SHAPES)
def _shape(head: str) -> Optional[Query]:
    """``head ("<PLACEHOLDER>")`` parsed (``None`` when it does not parse)."""
    try:
        return parse_query(f'{head} ("{PLACEHOLDER}")')
    except (QuerySyntaxError, RecursionError):
        return None


def copied(query: Query) -> Query:
    """A copy of a parsed ``query`` that shares nothing a caller may change with it: its nodes
    and lists copied, its immutable parts (strings, tuples, frozen :class:`Literal` values)
    shared -- what ``copy.deepcopy`` answered, at a tenth of its cost (30 -> 3 us a query)."""
    return dataclasses.replace(
        query, projections=list(query.projections), order_by=list(query.order_by),
        aggregates=list(query.aggregates), group_by=list(query.group_by),
        where=_copied(query.where) if query.where is not None else None,
    )  # fmt: skip


def _copied(node: Criteria) -> Criteria:
    if isinstance(node, Comparison):
        value = node.value
        if isinstance(value, list):
            return dataclasses.replace(node, value=list(value))
        return dataclasses.replace(node, value=copied(value) if isinstance(value, Query) else value)
    if isinstance(node, RelationTest):
        inner = node.criteria
        return dataclasses.replace(node, criteria=_copied(inner) if inner is not None else None)
    if isinstance(node, Not):
        return dataclasses.replace(node, operand=_copied(node.operand))
    return dataclasses.replace(node, operands=[_copied(operand) for operand in node.operands])


def _placeholders(node: object) -> List[Comparison]:
    """The comparisons under ``node`` whose value is the placeholder's list."""
    if isinstance(node, Query):
        return _placeholders(node.where) if node.where is not None else []
    if isinstance(node, Comparison):
        if node.value == [Literal(PLACEHOLDER, True)] and node.operator in ("in", "not_in"):
            return [node]
        return _placeholders(node.value) if isinstance(node.value, Query) else []
    if isinstance(node, BoolOp):
        return [found for operand in node.operands for found in _placeholders(operand)]
    if isinstance(node, Not):
        return _placeholders(node.operand)
    if isinstance(node, RelationTest):
        return _placeholders(node.criteria) if node.criteria is not None else []
    return []


def parse(expression: str) -> Query:
    """``parse_query(expression)``, from its kept shape when it ends in a list of ids."""
    listed = _listed_ids(expression) if isinstance(expression, str) else None
    shape = _shape(listed[0]) if listed is not None else None
    if listed is None or shape is None:
        return _whole(expression)
    query = copied(shape)
    found = _placeholders(query)
    if len(found) != 1:
        return parse_query(expression)
    found[0].value = [Literal(ident, True) for ident in listed[1]]
    return query


def _whole(expression: str) -> Query:
    """``parse_query(expression)``: a copy of the kept parse when it is short enough."""
    if not isinstance(expression, str) or len(expression) > MOST_KEPT_CHARS:
        return parse_query(expression)
    return copied(_kept(expression))


@functools.lru_cache(maxsize=MOST_SHAPES)
def _kept(expression: str) -> Query:
    return parse_query(expression)
