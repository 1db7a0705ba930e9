"""Fixtures for the server's Store tests: a Store on a temporary SQLite database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def store(tmp_path: Path) -> Any:
    """A new, empty Store (``ft_dcc.server.store.Store``) on SQLite in this test's tmp_path."""
    pytest.importorskip("sqlalchemy")
    from ft_dcc.server.store import Store

    return Store(f"sqlite:///{tmp_path / 'db.sqlite'}")


@pytest.fixture
def user_id(store: Any) -> str:
    """The id of the seeded API user ``test.user``."""
    return store.ensure_seed("test.user")
