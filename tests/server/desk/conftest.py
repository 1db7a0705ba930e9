"""The in-process desk of ``heard.py`` (a new data dir each test)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Any]:
    pytest.importorskip("sqlalchemy")
    from server.desk.heard import open_studio

    with open_studio(tmp_path / "data") as studio:
        yield studio
