"""The notifier tests' server: its own app in this process."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from .served import ADMIN, KEY


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Any]:
    """The server's own app in this process (its notifier running), and its client."""
    pytest.importorskip("sqlalchemy")
    from starlette.testclient import TestClient

    from ft_dcc.server.app import create_app
    from ft_dcc.server.runtime.config import ServerConfig

    app = create_app(ServerConfig(data_dir=tmp_path / "data"),
                     {"FTRACK_API_USER": ADMIN, "FTRACK_API_KEY": KEY})  # fmt: skip
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield app.state.server, client
