"""Fixtures for the server's Store tests: a Store on a new database, SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest


@pytest.fixture
def store(backend: str, new_database_url: Callable[[str], str]) -> Iterator[Any]:
    """A new, empty ``Store`` (``ft_dcc.server.store.store``), on SQLite and on PostgreSQL."""
    pytest.importorskip("sqlalchemy")
    from ft_dcc.server.store.store import Store

    store = Store(new_database_url(backend))
    yield store
    store.close()


@pytest.fixture
def user_id(store: Any) -> str:
    """The id of the seeded API user ``test.user``."""
    return store.ensure_seed("test.user")
