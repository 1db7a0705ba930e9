"""A connection for a test to read a server's database with (``insiders.snapshot``).

A snapshot reads every table, twice per refusal checked. On PostgreSQL a new connection is a new
backend that builds its catalog caches for each of the hundred tables again: a fresh engine per
snapshot cost about 23 ms of PostgreSQL's CPU and 12 ms of the test's, a kept one 5 and 4. So the
engine of the last PostgreSQL database read stays open (one idle connection per test process;
reading another database disposes it). SQLite gets a new engine each time: its file can be
replaced under a kept connection (a restore), and opening it costs little.

The kept connection never prepares a statement (``prepare_threshold``: a prepared
``select *`` fails once a table gains a column) and is pinged before use (a database dropped
``WITH (FORCE)`` ends it).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Dict, Iterator

import sqlalchemy as sa

log = logging.getLogger(__name__)

#: the engine of the last PostgreSQL database read, by its URL (at most one)
_KEPT: Dict[str, sa.Engine] = {}


def _kept_engine(url: str) -> sa.Engine:
    engine = _KEPT.get(url)
    if engine is None:
        close_kept()
        log.debug("keeping a reader connection to %s", url)
        engine = _KEPT[url] = sa.create_engine(
            url, pool_size=1, max_overflow=0, pool_pre_ping=True,
            connect_args={"prepare_threshold": None},
        )  # fmt: skip
    return engine


def close_kept() -> None:
    """Close the kept connection (if any)."""
    for engine in _KEPT.values():
        engine.dispose()
    _KEPT.clear()


@contextlib.contextmanager
def reading(url: str) -> Iterator[sa.Connection]:
    """A connection to the database of ``url``, kept for the next read on PostgreSQL."""
    if sa.make_url(url).get_backend_name() == "postgresql":
        with _kept_engine(url).connect() as connection:
            yield connection
        return
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()
