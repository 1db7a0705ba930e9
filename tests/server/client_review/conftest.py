"""Fixtures of the client-review tests."""

from __future__ import annotations

from typing import Any

import pytest
from support.groups import on_pg_server
from support.servers import backend_server


@pytest.fixture(scope="module", params=["sqlite", on_pg_server()])
def gate_backend_server(request: pytest.FixtureRequest) -> Any:
    """A module's tests run on the shared SQLite server, then on the PostgreSQL one with 4
    workers (both session-wide: nothing is started per module)."""
    return backend_server(request)
