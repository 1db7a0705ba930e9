"""A key check reads the key and its User in one statement (on SQLite every request makes it,
since a key changed by another process must work, or stop working, at once), and still refuses
the key of a User that was deactivated or deleted. Seen first: two statements per check, the key
row and then the User's ``is_active``."""

from __future__ import annotations

import contextlib
from typing import Any, Iterator, List

import pytest
import sqlalchemy as sa

from ft_dcc.server.http.auth import KeyRing
from ft_dcc.server.rules import permissions

KEY = "a-key-of-forty-three-characters-more-or-less"


@contextlib.contextmanager
def statements(engine: sa.engine.Engine) -> Iterator[List[str]]:
    """The SELECT statements ``engine`` runs inside the block (not a connection's BEGIN or its
    isolation level)."""
    seen: List[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


@pytest.fixture
def ring(store: Any) -> KeyRing:
    return KeyRing(store.engine, store.metadata, users=permissions.user_table(store))


def _set_active(store: Any, user_id: str, active: bool) -> None:
    users = permissions.user_table(store)
    with store.write_transaction() as conn:
        conn.execute(sa.update(users).where(users.c.id == user_id).values(is_active=active))


def test_a_key_check_is_one_statement(store: Any, user_id: str, ring: KeyRing) -> None:
    ring.set_key("test.user", user_id, KEY)
    with statements(store.engine) as seen:
        grant = ring.grant("test.user", KEY)
    assert grant is not None and grant.user_id == user_id
    assert len(seen) == 1, seen
    with statements(store.engine) as seen:
        assert ring.holds(grant)
    assert len(seen) == 1, seen


def test_a_deactivated_users_key_is_refused_and_works_again(
    store: Any, user_id: str, ring: KeyRing
) -> None:
    ring.set_key("test.user", user_id, KEY)
    grant = ring.grant("test.user", KEY)
    assert grant is not None
    _set_active(store, user_id, False)
    assert ring.grant("test.user", KEY) is None
    assert not ring.holds(grant)
    _set_active(store, user_id, True)
    assert ring.grant("test.user", KEY) == grant


def test_the_key_of_a_user_that_is_gone_is_refused(store: Any, ring: KeyRing) -> None:
    ring.set_key("ghost", "no-such-user-id", KEY)
    assert ring.grant("ghost", KEY) is None
    assert ring.grant("ghost", KEY + "x") is None


def test_without_a_user_table_the_key_alone_decides(store: Any, user_id: str) -> None:
    keys = KeyRing(store.engine, store.metadata)  # e.g. ``ft-dcc user add``'s own ring
    keys.set_key("ghost", "no-such-user-id", KEY)
    grant = keys.grant("ghost", KEY)
    assert grant is not None and keys.holds(grant)
    assert keys.grant("ghost", "wrong") is None
