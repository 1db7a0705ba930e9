"""The in-process desk of ``heard.py`` (a new data dir each test)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest


@pytest.fixture
def studio(tmp_path: Path) -> Iterator[Any]:
    pytest.importorskip("sqlalchemy")
    from starlette.testclient import TestClient

    from ft_dcc.server.app import create_app
    from ft_dcc.server.runtime.config import ServerConfig
    from ft_dcc.server.signin.accounts import set_password
    from ft_dcc.server.signin.state import parts_for
    from server.desk.heard import ADMIN, KEY, ORIGIN, PASSWORD, Studio

    app = create_app(ServerConfig(data_dir=tmp_path / "data"),
                     {"FTRACK_API_USER": ADMIN, "FTRACK_API_KEY": KEY})  # fmt: skip
    server = app.state.server
    with TestClient(app, base_url=ORIGIN) as client:
        set_password(parts_for(server), server.seed.user_id, PASSWORD)
        form = {"username": ADMIN, "password": PASSWORD}
        signed = client.post("/signin", data=form, headers={"Origin": ORIGIN},
                             follow_redirects=False)  # fmt: skip
        assert signed.status_code == 303, signed.text[:1000]
        yield Studio(client, server)
