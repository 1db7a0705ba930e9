"""The review room served in this process (``room``): its client, its server and one shared
movie for the versions a test builds, so a test hears every statement a request runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Tuple

import pytest


@pytest.fixture
def room(tmp_path: Path) -> Iterator[Tuple[Any, Any, Any]]:
    pytest.importorskip("sqlalchemy")
    from starlette.testclient import TestClient
    from web.test_big_session_build import Media

    from ft_dcc.server.app import create_app
    from ft_dcc.server.runtime.config import ServerConfig
    from server.desk.heard import ADMIN, KEY, ORIGIN

    data = tmp_path / "data"
    app = create_app(ServerConfig(data_dir=data),
                     {"FTRACK_API_USER": ADMIN, "FTRACK_API_KEY": KEY})  # fmt: skip
    with TestClient(app, base_url=ORIGIN) as client:
        yield client, app.state.server, Media(tmp_path / "media", data)
