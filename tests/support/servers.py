"""How a parametrised fixture hands out the session's shared servers.

The root conftest starts the shared SQLite server as ``sqlite_server`` (``embedded_server`` is
its name for the tests) and the PostgreSQL one as ``pg_server``, each once per test process.
A fixture parametrised over the backends reaches them by those names, never as
``embedded_server``: pytest gives a fixture the test's parameter of that fixture *name*, so in a
test parametrised over an override of ``embedded_server`` (``tests/compat``, ``tests/events``,
``tests/js``) the root ``embedded_server`` took the override's parameter as its cache key (and a
module-scoped override's scope for its teardown). Each other key tore the server down and
started another: up to five per worker in a full run. ``sqlite_server`` is never parametrised.
"""

from __future__ import annotations

from typing import Any

import pytest


def backend_server(request: pytest.FixtureRequest) -> Any:
    """The shared server of ``request.param``: the SQLite one for "sqlite", else ``pg_server``
    (whose parameter is ``support.groups.on_pg_server``, for the scheduling)."""
    return request.getfixturevalue("sqlite_server" if request.param == "sqlite" else "pg_server")
