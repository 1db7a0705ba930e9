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


@pytest.fixture(scope="session", params=["sqlite", "postgresql-4-workers"])
def trust_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """The hostile-insider world (admin, alice, mallory) on a real server: SQLite, then
    PostgreSQL with 4 workers (``-k sqlite`` or ``-k postgresql`` picks one)."""
    pytest.importorskip("sqlalchemy")
    from support.insiders import make_world

    database_url = None
    if request.param != "sqlite":
        cluster = request.getfixturevalue("pg_cluster")
        database_url = cluster.create_database("trust", template=cluster.template)
    world = make_world(tmp_path_factory.mktemp(f"trust-{request.param}"), request.param,
                       database_url)  # fmt: skip
    yield world
    world.server.stop()
