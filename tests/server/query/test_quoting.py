"""String literals in queries: both quote styles and backslash escapes, as ftrack's clients send
them (the JavaScript client's ``expression`` tag escapes ' and " as \\' and \\"), on SQLite and
on PostgreSQL with 4 workers."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from support.trust import call, make_task, ok, query, update


@pytest.fixture
def shot(server_on_each_backend) -> Dict[str, str]:
    """A shot named O'Brien "the" 2nd, with a task, on the backend's server."""
    server = server_on_each_backend
    ids = make_task(server)
    ok(server, [update("Shot", ids["shot"], description='O\'Brien "the" 2nd')])
    return ids


def _shots(server: Any, ids: Dict[str, str], condition: str) -> List[Dict[str, Any]]:
    scope = f"select id from Shot where project_id is {ids['project']}"
    return query(server, f"{scope} and {condition}")


@pytest.mark.parametrize(
    "condition",
    [
        "name is 'sh010'",
        'name is "sh010"',
        "name in ('sh010', 'sh999')",
        "name like 'sh0%'",
        "(name is 'sh010')",
    ],
)
def test_single_and_double_quotes_match_the_same(server_on_each_backend, shot, condition) -> None:
    assert [r["id"] for r in _shots(server_on_each_backend, shot, condition)] == [shot["shot"]]


@pytest.mark.parametrize(
    "condition",
    [
        r'description is "O\'Brien \"the\" 2nd"',  # the JS client's expression tag
        r"description is 'O\'Brien \"the\" 2nd'",  # both escaped in single quotes
        r"""description is 'O\'Brien "the" 2nd'""",  # only the delimiter escaped
        'description is "O\'Brien \\"the\\" 2nd"',  # an apostrophe needs no escape in "..."
    ],
)
def test_backslash_escaped_quotes_are_unescaped(server_on_each_backend, shot, condition) -> None:
    assert [r["id"] for r in _shots(server_on_each_backend, shot, condition)] == [shot["shot"]]


def test_an_escaped_backslash_stays_one_backslash(server_on_each_backend) -> None:
    server = server_on_each_backend
    ids = make_task(server)
    ok(server, [update("Shot", ids["shot"], description="C:\\show\\'x")])
    found = _shots(server, ids, r"description is 'C:\\show\\\'x'")
    assert [r["id"] for r in found] == [ids["shot"]]


def test_an_unterminated_single_quote_is_a_clear_error(server_on_each_backend) -> None:
    response = call(server_on_each_backend, [
        {"action": "query", "expression": "select id from Shot where name is 'sh010"}
    ])  # fmt: skip
    assert response.status_code == 400, response.text
    assert "sh010" in response.json()["content"], response.text
