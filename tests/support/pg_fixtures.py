"""Pytest fixtures for the PostgreSQL backend (loaded from the root conftest).

``pg_server``: the real ``ft-dcc server`` on PostgreSQL with 4 workers (one per session);
``server_on_each_backend``: the shared SQLite server, then ``pg_server``;
``pg_cluster``: one throwaway cluster (Debian's ``initdb`` + ``pg_ctl``) per test run (one for
all the parallel workers);
``new_database_url(backend)``: a fresh, empty database URL of ``backend`` ("sqlite" or
"postgresql"), so tests can run on both; ``backend``: a parameter to parametrise over.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, Tuple

import pytest

from support.groups import on_pg_server
from support.pg_cluster import PgCluster, find_bin_dir
from support.pg_shared import shared_cluster
from support.servers import backend_server

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgCluster]:
    """A running PostgreSQL cluster for the whole test session (skips when not installed);
    under pytest-xdist one cluster for all the workers of the run (``support.pg_shared``)."""
    if find_bin_dir() is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; make system-deps)")
    pytest.importorskip("psycopg", reason="the postgres extra is not installed (make install)")
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the workers' parent is the run's controller
        run_folder = tmp_path_factory.getbasetemp().parent
        with shared_cluster(run_folder, lambda: _started(owner=os.getppid())) as cluster:
            yield cluster
        return
    cluster = _started()
    try:
        yield cluster
    finally:
        cluster.stop()


def _started(owner: Optional[int] = None) -> PgCluster:
    cluster = PgCluster.start(owner=owner)
    try:
        _make_template(cluster)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _make_template(cluster: PgCluster) -> None:
    """Database ``TEMPLATE`` with the server's tables, copied by every new test database (a copy
    is much faster than creating a hundred tables per test)."""
    from ft_dcc.server.store.store import Store

    url = cluster.create_database("template")
    store = Store(url)
    store.close()
    cluster.template = url.rsplit("/", 1)[1]


@pytest.fixture
def new_database_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[str], str]]:
    """``new_database_url(backend)``: the URL of a new empty database on that backend (a
    PostgreSQL one is dropped after the test)."""
    counter = iter(range(1_000_000))
    made: List[Tuple[PgCluster, str]] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'db-{next(counter)}.sqlite'}"
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database(template=cluster.template)
        made.append((cluster, url))
        return url

    yield make
    for cluster, url in made:
        cluster.drop_database(url)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each test using it runs once on SQLite and once on PostgreSQL."""
    return str(request.param)


@pytest.fixture(params=["sqlite", on_pg_server("postgresql")])
def server_on_each_backend(request: pytest.FixtureRequest) -> Any:
    """The shared SQLite server, then the PostgreSQL one with 4 workers."""
    return backend_server(request)
