"""The genuine-client compat suite runs twice: on the shared SQLite server and on PostgreSQL
with 4 worker processes (``pg_server``)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session", params=["sqlite", "postgresql-4-workers"])
def embedded_server(request: pytest.FixtureRequest, embedded_server: Any) -> Any:
    if request.param == "sqlite":
        return embedded_server
    return request.getfixturevalue("pg_server")
