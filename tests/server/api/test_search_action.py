"""The ``search`` action (ftrack's JavaScript client's ``session.search``) over raw HTTP: terms
are and-ed, the expression's own where / order / limit keep their meaning, hostile terms are
only text, bad input is a clear 400; on SQLite and on PostgreSQL with 4 workers."""

from __future__ import annotations

import pytest
from support.trust import call, create, make_task, ok, refused, update

from ft_dcc.server.api.search import _add_conditions


def _search(server, **operation):
    return ok(server, [dict(operation, action="search")])[0]


def test_terms_within_the_expressions_own_where_order_and_limit(server_on_each_backend) -> None:
    server = server_on_each_backend
    ids = make_task(server)
    ok(server, [update("Shot", ids["shot"], description='the "blue" O\'Hara plate')])
    base = f"select id, name from Shot where project_id is {ids['project']}"
    for terms in (["BLUE"], ["blue", "o'hara"], ['"blue"']):
        found = _search(server, expression=f"{base} order by name limit 5", terms=terms)
        assert found["action"] == "search"
        assert [s["id"] for s in found["data"]] == [ids["shot"]], terms
    assert _search(server, expression=base, terms=["blue", "green"])["data"] == []
    hostile = _search(server, expression=base, terms=['") or (name like "%'])
    assert hostile["data"] == []


@pytest.mark.parametrize("operation", [
    {"terms": "blue", "entity_type": "Shot"},
    {"terms": ["x"]},
    {"terms": ["x"], "entity_type": "NoSuchType"},
])  # fmt: skip
def test_bad_search_is_a_clear_400(server_on_each_backend, operation) -> None:
    response = call(server_on_each_backend, [dict(operation, action="search")])
    body = refused(response, 400, "ValidationError")
    assert "search" in body["content"]


def test_conditions_go_into_the_where_clause_before_order_and_paging() -> None:
    added = _add_conditions('select id from Shot where name is "where order" order by name '
                            "offset 2 limit 3", ["(x)"])  # fmt: skip
    assert added == ('select id from Shot where (name is "where order") and (x) order by name '
                     "offset 2 limit 3")  # fmt: skip
    assert _add_conditions("Shot", ["(x)"]) == "Shot where (x)"
    assert _add_conditions("select id from Shot limit 1", ["a", "b"]) == (
        "select id from Shot where a and b limit 1"
    )


def test_a_context_or_object_type_id_with_quotes_and_backslashes_is_read_as_written(
    server_on_each_backend,
) -> None:
    """``context_id`` and ``object_type_ids`` go into the query through the one quoting rule
    (:func:`ft_dcc.protocol.query_text.quote`): an id holding ``"`` and ``\\`` finds its own
    entities and nothing else, and a hostile one is only text."""
    server = server_on_each_backend
    ids = make_task(server)
    odd = 'sq "10" \\ back' + ids["shot"][:8]
    ok(server, [create("Sequence", id=odd, name="sq010", parent_id=ids["project"]),
                create("Shot", name="sh020", parent_id=odd)])  # fmt: skip
    found = _search(server, expression="select name from Shot", terms=["sh0"], context_id=odd)
    assert [s["name"] for s in found["data"]] == ["sh020"]
    hostile = _search(server, expression="select name from Shot", terms=["sh0"],
                      context_id='x") or (name like "%')  # fmt: skip
    assert hostile["data"] == []
    typed = _search(server, expression="select name from TypedContext", terms=["sq0"],
                    object_type_ids=['"\\', 'x") or (name like "%'])  # fmt: skip
    assert typed["data"] == []
