"""A query ending in a list of ids is parsed once per shape (the grammar no longer reads every id
of every new list), another one once while it is kept, and the answer is always the one the
grammar gives the whole expression."""

from __future__ import annotations

import uuid

import pytest

pytest.importorskip("lark")

from ft_dcc.server.query import shapes
from ft_dcc.server.query.parser import QuerySyntaxError, parse_query

IDS = ", ".join(f'"{uuid.uuid4()}"' for _ in range(300))
EXPRESSIONS = (
    f"select id, content from Note where parent_id in ({IDS})",
    f"select id from Note where in_reply_to_id in ({IDS})",
    f'select id from Component where name in ("ftrackreview-mp4", "x") and version_id in ({IDS})',
    f'select parent_id from Metadata where key is "k" and parent_id not_in ({IDS})',
    f'select id from ReviewSessionObject where review_session_id is "a" and version_id in ({IDS})',
    'select id from Task where id in ("a")',
    'select id from Task where id IN  ( "a" ,"b:c.d_e-f" )  ',
    # not a list of ids at the end: parsed as it is
    'select id from Task where name in ("a b", "c")',
    'select id from Task where name is "x in (" and id in ("a")',
    'select id from Task where name is "(" and id in ("a")',
    'select id from Task where id in (select task_id from AssetVersion where id in ("a", "b"))',
    'select id from Task where parent has (id in ("a", "b"))',
    'select id from Task where not id in ("a", "b")',
    'select id from Task where id in ("a", "b") order by name',
    "select id from Task where name in ('a', 'b')",
)


@pytest.mark.parametrize("expression", EXPRESSIONS, ids=range(len(EXPRESSIONS)))
def test_a_shape_answers_what_the_grammar_answers(expression: str) -> None:
    assert shapes.parse(expression) == parse_query(expression)


def test_each_new_list_of_a_shape_reuses_its_parse() -> None:
    shapes._shape.cache_clear()
    for _ in range(5):
        listed = ", ".join(f'"{uuid.uuid4()}"' for _ in range(50))
        expression = f"select id, content from Note where parent_id in ({listed})"
        assert shapes.parse(expression) == parse_query(expression)
    info = shapes._shape.cache_info()
    assert (info.misses, info.hits) == (1, 4)


@pytest.mark.parametrize("bad", [
    'select id from Task where name is "q in ("a")',
    'select id frm Task where id in ("a", "b")',
    'select id from Task where id in ("a", "b"',
])  # fmt: skip
def test_a_wrong_expression_is_refused_as_the_grammar_refuses_it(bad: str) -> None:
    with pytest.raises(QuerySyntaxError) as grammar:
        parse_query(bad)
    with pytest.raises(QuerySyntaxError) as shaped:
        shapes.parse(bad)
    assert str(shaped.value) == str(grammar.value)


def test_a_kept_shape_is_not_changed_by_what_its_answers_become() -> None:
    first = shapes.parse('select id from Task where id in ("a", "b")')
    first.where.value.append("changed")  # type: ignore[union-attr]
    again = shapes.parse('select id from Task where id in ("c")')
    assert again == parse_query('select id from Task where id in ("c")')


def test_an_expression_asked_again_is_parsed_once_and_answered_by_a_copy() -> None:
    shapes._kept.cache_clear()
    expression = 'select id, name from ReviewSession where id is "s1" order by name'
    first = shapes.parse(expression)
    first.where.value = "changed"  # type: ignore[union-attr]
    answers = [shapes.parse(expression) for _ in range(4)]

    assert answers == [parse_query(expression)] * 4
    assert (shapes._kept.cache_info().misses, shapes._kept.cache_info().hits) == (1, 4)
    long = f'select id from Task where name is "{"x" * shapes.MOST_KEPT_CHARS}"'
    assert shapes.parse(long) == parse_query(long)
    assert shapes._kept.cache_info().misses == 1  # not kept: parsed as it comes


@pytest.mark.parametrize("expression", [
    'select id, name from Task where (id in ("a") or not name is "x") and parent has '
    '(id in (select task_id from AssetVersion where id is "v")) order by name limit 5',
    "select count(id), status_id from Task where name is_not None group by status_id",
])  # fmt: skip
def test_an_answer_shares_nothing_changeable_with_what_is_kept(expression: str) -> None:
    """Each node and list of an answer is its own (as ``copy.deepcopy`` made them): a caller
    changing any of them changes no later answer."""
    first = shapes.parse(expression)
    for node in _nodes(first):
        for value in vars(node).values():
            if isinstance(value, list):
                value.append("changed")
    assert shapes.parse(expression) == parse_query(expression)


def _nodes(node: object) -> list:
    """``node`` and every node under it (dataclass instances, lists walked through)."""
    if isinstance(node, list):
        return [found for item in node for found in _nodes(item)]
    if not hasattr(node, "__dataclass_fields__") or type(node).__name__ == "Literal":
        return []
    return [node] + [found for value in vars(node).values() for found in _nodes(value)]
