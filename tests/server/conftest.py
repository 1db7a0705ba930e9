"""Fixtures for the server's Store tests: a Store on a new database, SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from .store_databases import SEEDED_USER, StoreDatabases


@pytest.fixture(scope="session")
def store_databases(tmp_path_factory: pytest.TempPathFactory) -> StoreDatabases:
    """The Store tests' new databases, copies of templates made once per test process."""
    return StoreDatabases(tmp_path_factory.mktemp("store-databases"))


@pytest.fixture
def store(
    backend: str, request: pytest.FixtureRequest, store_databases: StoreDatabases
) -> Iterator[Any]:
    """A new ``Store`` (``ft_dcc.server.store.store``) on SQLite and on PostgreSQL: its tables
    only, or, for a test that asks for ``user_id``, seeded too (``store_databases``)."""
    pytest.importorskip("sqlalchemy")
    from ft_dcc.server.store.store import Store

    cluster = None if backend == "sqlite" else request.getfixturevalue("pg_cluster")
    url = store_databases.new(backend, "user_id" in request.fixturenames, cluster)
    store = Store(url)
    yield store
    store.close()
    if cluster is not None:
        cluster.drop_database(url)


@pytest.fixture
def user_id(store: Any) -> str:
    """The id of the seeded API user ``test.user``."""
    return store.ensure_seed(SEEDED_USER)


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
