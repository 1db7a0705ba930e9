"""Servers for the limit tests: the shared SQLite server and PostgreSQL with 4 workers."""

from __future__ import annotations

from typing import Any

import pytest
from support.groups import on_pg_server
from support.servers import backend_server


@pytest.fixture(scope="session", params=["sqlite", on_pg_server()])
def any_server(request: pytest.FixtureRequest) -> Any:
    """The session's shared embedded server on SQLite, then on PostgreSQL with 4 workers."""
    return backend_server(request)
