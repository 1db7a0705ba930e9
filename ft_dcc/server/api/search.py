"""The ``search`` action of ftrack's JavaScript client (``session.search``), as a query.

``{"action": "search", "expression": "select id, name from Shot", "entity_type": "Shot",
"terms": ["sh01"], "context_id": <id>, "object_type_ids": [<id>, ...]}`` finds the entities of
the expression that contain **every** term (case-insensitive) in one of their text fields
(:data:`TEXT_FIELDS` that the type has), that lie in ``context_id`` (a context: the entity itself
or one below it; other types: of that project) and, for contexts, have one of
``object_type_ids``. The expression's own ``where``, ``order by``, ``offset`` and ``limit`` keep
their meaning. It is rewritten into one ``query`` operation, so it runs with the caller's
permissions in the batch's transaction, and its reply is the query's, named ``search``.
``%`` and ``_`` in a term match any text, as in a ``like`` query.
"""

from __future__ import annotations

import re
from typing import List, Mapping, Optional, Tuple

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.protocol.query_text import quote, quoted_list
from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.schema import EntityType, SchemaModel

#: The text fields searched, where the type has them.
TEXT_FIELDS = (
    "name", "full_name", "description", "comment", "content", "username", "first_name",
    "last_name", "email",
)  # fmt: skip
_KEYWORD = re.compile(r"(where|order|offset|limit)\b", re.IGNORECASE)
_ENTITY_TYPE = re.compile(r"^\s*(?:select\s.*?\sfrom\s+)?([A-Za-z_]\w*)", re.IGNORECASE | re.DOTALL)


def is_search(operation: object) -> bool:
    return isinstance(operation, dict) and operation.get("action") == "search"


def search_as_query(model: SchemaModel, operation: Mapping[str, object]) -> JsonObject:
    """The ``query`` operation a ``search`` operation stands for (refused if invalid)."""
    expression, etype = _expression_and_type(model, operation)
    conditions = [_term_condition(etype, term) for term in _strings(operation, "terms")]
    context_id = operation.get("context_id")
    if context_id:
        conditions.append(_context_condition(etype, quote(str(context_id))))
    object_types = _strings(operation, "object_type_ids")
    if object_types and "object_type_id" in etype.attributes:
        listed = quoted_list(object_types)
        conditions.append(f"object_type_id in ({listed})")
    return {"action": "query", "expression": _add_conditions(expression, conditions)}


def _fail(message: str) -> ApiOperationError:
    return ApiOperationError(f"search: {message}", "ValidationError")


def _strings(operation: Mapping[str, object], key: str) -> List[str]:
    value = operation.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(f"'{key}' must be a list of strings")
    return [v for v in value if v.strip()]


def _expression_and_type(
    model: SchemaModel, operation: Mapping[str, object]
) -> Tuple[str, EntityType]:
    entity_type = operation.get("entity_type")
    expression = operation.get("expression") or (
        f"select id from {entity_type}" if isinstance(entity_type, str) else None
    )
    if not isinstance(expression, str):
        raise _fail("give an 'expression' (e.g. select id, name from Shot) or an 'entity_type'")
    match = _ENTITY_TYPE.match(expression)
    name = match.group(1) if match else entity_type
    if not isinstance(name, str) or name not in model.types:
        raise _fail(f"unknown entity type {str(name)[:60]!r} in {expression[:200]!r}")
    return expression, model.types[name]


def _term_condition(etype: EntityType, term: str) -> str:
    fields = [
        name for name in TEXT_FIELDS
        if name in etype.attributes and etype.attributes[name].is_scalar
        and etype.attributes[name].value_type == "string"
    ]  # fmt: skip
    if not fields:
        raise _fail(f"{etype.name} has no text field to search ({', '.join(TEXT_FIELDS[:4])}…)")
    pattern = quote(f"%{term.strip()}%")
    return "(" + " or ".join(f"{name} like {pattern}" for name in fields) + ")"


def _context_condition(etype: EntityType, context: str) -> str:
    if "ancestors" in etype.attributes:  # a project is no typed context's ancestor
        within = f"id is {context} or ancestors any (id is {context})"
        if "project_id" in etype.attributes:
            within += f" or project_id is {context}"
        return f"({within})"
    if "project_id" in etype.attributes:
        return f"project_id is {context}"
    if "context_id" in etype.attributes:
        return f"(context_id is {context} or context.ancestors any (id is {context}))"
    raise _fail(f"{etype.name} cannot be searched within a context")


def _add_conditions(expression: str, conditions: List[str]) -> str:
    """``expression`` with ``conditions`` and-ed to its where clause (keeping order/paging)."""
    if not conditions:
        return expression
    where, tail = _clause_positions(expression)
    end = tail if tail is not None else len(expression)
    added = " and ".join(conditions)
    if where is None:
        return f"{expression[:end].rstrip()} where {added} {expression[end:]}".rstrip()
    own = expression[where + len("where") : end].strip()
    head = expression[:where].rstrip()
    return f"{head} where ({own}) and {added} {expression[end:]}".rstrip()


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _clause_positions(expression: str) -> Tuple[Optional[int], Optional[int]]:
    """Where the top-level ``where`` and the first of ``order``/``offset``/``limit`` start
    (outside quotes and parentheses)."""
    where: Optional[int] = None
    quote: Optional[str] = None
    depth, index = 0, 0
    while index < len(expression):
        char = expression[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif depth == 0 and (index == 0 or not _is_word(expression[index - 1])):
            keyword = _KEYWORD.match(expression, index)
            if keyword and keyword.group(1).lower() == "where" and where is None:
                where = index
            elif keyword and keyword.group(1).lower() != "where":
                return where, index
        index += 1
    return where, None
