"""Parse ftrack query expressions (lark LALR grammar in ``grammar.lark``) into :mod:`.ast`."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import List

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.query.ast import BoolOp, Comparison, Literal, Not, Query, RelationTest

GRAMMAR_FILE = Path(__file__).with_name("grammar.lark")

_OPERATORS = {
    "is": "is",
    "=": "is",
    "is_not": "is_not",
    "!=": "is_not",
    ">": "gt",
    "after": "gt",
    "greater_than": "gt",
    ">=": "ge",
    "<": "lt",
    "before": "lt",
    "less_than": "lt",
    "<=": "le",
    "in": "in",
    "not_in": "not_in",
    "like": "like",
    "not_like": "not_like",
}


class _Aggregate:
    def __init__(self, pair):
        self.pair = pair


class QuerySyntaxError(ServerError):
    """The expression is not valid; the message says where and what was expected."""

    exception = "ValidationError"


_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def _unquote(text: str) -> str:
    """The value of a ``"..."`` or ``'...'`` literal: a backslash escapes the next character."""
    return _ESCAPE.sub(r"\1", text[1:-1])


@v_args(inline=True)
class _ToAst(Transformer):
    def start(self, query):
        return query

    def query(self, select, _from, type_name, where, group, order, offset, limit):
        items = select or []
        return Query(
            entity_type=type_name,
            projections=[item for item in items if isinstance(item, tuple)],
            aggregates=[item.pair for item in items if isinstance(item, _Aggregate)],
            where=where,
            group_by=group or [],
            order_by=order or [],
            offset=offset,
            limit=limit,
        )

    def aggregate(self, function, path):
        return _Aggregate((str(function).lower(), path))

    def group_clause(self, _group, _by, *paths):
        return list(paths)

    def short_query(self, type_name, where, order, offset, limit):
        return self.query([], None, type_name, where, None, order, offset, limit)

    def select_clause(self, _kw, *projections):
        return list(projections)

    def projection(self, path):
        return path

    def type_name(self, name):
        return str(name)

    def where_clause(self, _kw, expr):
        return expr

    def order_clause(self, _order, _by, *items):
        return list(items)

    def order_item(self, path, direction=None):
        return (path, direction == "desc")

    def direction(self, token):
        return "desc" if token.type == "DESC" else "asc"

    def offset_clause(self, _kw, value):
        return _integer(value, "offset")

    def limit_clause(self, _kw, value):
        return _integer(value, "limit")

    def or_expr(self, *items):
        return BoolOp("or", [i for i in items if not isinstance(i, Token)])

    def and_expr(self, *items):
        return BoolOp("and", [i for i in items if not isinstance(i, Token)])

    def negation(self, _kw, operand):
        return Not(operand)

    def relation_test(self, path, relation, criteria=None):
        return RelationTest(path, str(relation).lower(), criteria)

    def comparison(self, path, operator, operand):
        return Comparison(path, operator, operand)

    def operator(self, token):
        return _OPERATORS[str(token).lower()]

    def quoted(self, token):
        return Literal(_unquote(str(token)), True)

    def bare(self, token):
        return Literal(str(token), False)

    def subquery(self, query):
        return query

    def value_list(self, *items):
        return [i for i in items if i is not None]

    def path(self, *names):
        return tuple(str(n) for n in names)


def _integer(token: Token, clause: str) -> int:
    try:
        value = int(str(token))
    except ValueError:
        raise QuerySyntaxError(
            f"{clause} needs a whole number, got '{token}' at column {token.column}"
        ) from None
    if value < 0:
        raise QuerySyntaxError(f"{clause} must not be negative, got {value}")
    return value


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(
        GRAMMAR_FILE.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=False,
        maybe_placeholders=True,
    )


def _describe_expected(names: List[str]) -> str:
    pretty = sorted({n.strip("_").lower().replace("__anon", "") for n in names if n})
    return ", ".join(pretty[:12])


def _expected_tokens(error: UnexpectedInput) -> List[str]:
    """The token names lark says would have been accepted where the expression broke off."""
    tokens = getattr(error, "accepts", None) or getattr(error, "expected", None) or ()
    return [str(token) for token in tokens]


def _syntax_error(expression: str, error: UnexpectedInput) -> QuerySyntaxError:
    column = getattr(error, "column", None) or 0
    pos = getattr(error, "pos_in_stream", None)
    if pos is None:
        pos = max(column - 1, 0)
    snippet = expression[pos : pos + 20] if pos < len(expression) else ""
    at_end = isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    )
    if at_end:
        where = "at the end of the expression"
        expected = _describe_expected(_expected_tokens(error))
    elif isinstance(error, UnexpectedToken):
        where = f"at column {column} near '{snippet}'"
        expected = _describe_expected(_expected_tokens(error))
    elif isinstance(error, UnexpectedCharacters):
        where = f"at column {column} near '{snippet}'"
        expected = _describe_expected(list(error.allowed or []))
    else:  # pragma: no cover - lark's other error kinds
        where = f"at column {column}"
        expected = ""
    message = f"Invalid query expression {where}"
    if expected:
        message += f" (expected one of: {expected})"
    message += '; write it as: select <attributes> from <Type> where <attribute> is "<value>"'
    return QuerySyntaxError(message.replace("{", "(").replace("}", ")"))


def parse_query(expression: str) -> Query:
    """Parse ``expression``; raises :class:`QuerySyntaxError` saying where it is wrong."""
    if not isinstance(expression, str) or not expression.strip():
        raise QuerySyntaxError("The query expression is empty; send e.g. 'select id from Task'")
    try:
        tree = _parser().parse(expression)
    except UnexpectedInput as error:
        raise _syntax_error(expression, error) from None
    try:
        return _ToAst().transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, QuerySyntaxError):
            raise error.orig_exc from None
        raise QuerySyntaxError(f"Invalid query expression: {error.orig_exc}") from None
