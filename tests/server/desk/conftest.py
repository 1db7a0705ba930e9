"""The in-process desk of ``heard.py`` (a new data dir each test)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Any]:
    pytest.importorskip("sqlalchemy")
    from server.desk.heard import open_studio

    with open_studio(tmp_path / "data") as studio:
        yield studio


@pytest.fixture
def each_studio(backend: str, new_database_url: Callable[[str], str], tmp_path: Path
                ) -> Iterator[Any]:  # fmt: skip
    """The in-process desk on SQLite, then on PostgreSQL (``backend``)."""
    pytest.importorskip("sqlalchemy")
    from server.desk.heard import open_studio

    url = None if backend == "sqlite" else new_database_url(backend)
    with open_studio(tmp_path / "data", url) as studio:
        yield studio
