"""The genuine-client compat suite runs twice: on the shared SQLite server and on PostgreSQL
with 4 worker processes (``pg_server``)."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
from support import genuine_sessions
from support.groups import on_pg_server
from support.servers import backend_server


@pytest.fixture(scope="session", params=["sqlite", on_pg_server()])
def embedded_server(request: pytest.FixtureRequest) -> Any:
    """The shared SQLite server, then ``pg_server`` (not the root ``embedded_server``: it would
    take this fixture's parameter, ``support.servers``)."""
    return backend_server(request)


@pytest.fixture
def make_session(embedded_server, tmp_path) -> Iterator[Callable[..., Any]]:
    """Sessions of the genuine client on the shared server, with a temp schema cache."""
    with genuine_sessions(embedded_server, tmp_path / "schema-cache") as make:
        yield make


@pytest.fixture
def session(make_session) -> Any:
    return make_session()
