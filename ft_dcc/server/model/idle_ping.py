"""A pooled PostgreSQL connection is pinged before use only when it has been idle a while.

A request takes a pooled connection for each batch it runs (a desk write: about ten), and
SQLAlchemy's ``pool_pre_ping`` sent ``SELECT 1`` at each of those checkouts: a round trip to the
server before every transaction, a tenth of an "add 50 versions"'s statements. A connection
handed back moments ago was alive then; one idle longer than :data:`IDLE_SECONDS` may have been
cut (a database restart, a proxy's idle timeout) and is pinged as before: a dead one is
replaced before the request uses it (the pool retries with a new connection). A connection cut
within the idle time fails its statement instead, and SQLAlchemy then lets go of every pooled
connection made before (its disconnect handling), as it does for one cut mid-request.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

#: a connection idle longer than this is pinged before it is used again
IDLE_SECONDS = 1.0
#: where a pooled connection's record keeps when it was last handed back
_USED = "ft_dcc_used_at"


def ping_when_idle(engine: Engine) -> None:
    """Ping ``engine``'s pooled connections at checkout when idle (see the module's doc); the
    engine is made without ``pool_pre_ping``."""

    @sa.event.listens_for(engine, "connect")
    def _made(_dbapi: Any, record: Any) -> None:  # pragma: no cover - driver callback
        record.info[_USED] = time.monotonic()

    @sa.event.listens_for(engine, "checkin")
    def _back(_dbapi: Any, record: Any) -> None:  # pragma: no cover - driver callback
        if record is not None:
            record.info[_USED] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _out(dbapi: Any, record: Any, _proxy: Any) -> None:  # pragma: no cover - driver callback
        if time.monotonic() - record.info.get(_USED, 0.0) <= IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi)
        except engine.dialect.loaded_dbapi.Error as error:
            log.info("a pooled database connection idle a while is gone (%s); replacing it",
                     str(error).strip()[:200])  # fmt: skip
            raise sa.exc.DisconnectionError(str(error)) from error
