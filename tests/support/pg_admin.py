"""The superuser's statements on a test cluster (``CREATE DATABASE``, ``DROP DATABASE``) on one
kept connection.

Each statement used to run in its own ``psql``: a process started and a backend forked for each
test database made and dropped, about 7 ms of the test's CPU and 5 ms of PostgreSQL's per
statement; on a kept connection a statement costs what PostgreSQL does for it. The connection
is opened on first use and opened again once if it was lost (a cluster restarted by its test).
"""

from __future__ import annotations

import logging
from typing import Any, Optional, Protocol

log = logging.getLogger(__name__)


class Cluster(Protocol):
    port: int

    def url(self, database: str = "postgres") -> str: ...


class AdminConnection:
    """Autocommit statements as the superuser on the ``postgres`` database of ``cluster``."""

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._connection: Optional[Any] = None

    def _connected(self) -> Any:
        if self._connection is None or self._connection.closed:
            import psycopg

            self._connection = psycopg.connect(self._cluster.url(), autocommit=True,
                                               connect_timeout=30)  # fmt: skip
        return self._connection

    def run(self, sql: str) -> None:
        """Run ``sql`` (one statement, outside a transaction)."""
        import psycopg

        try:
            self._connected().execute(sql)
        except psycopg.OperationalError as error:
            if self._connection is None or not self._connection.closed:
                raise
            log.info("the admin connection to port %s was lost (%s); connecting again",
                     self._cluster.port, error)  # fmt: skip
            self._connected().execute(sql)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
