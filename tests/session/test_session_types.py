"""``session.types`` behaves as the genuine client's: a filled dict of entity classes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from session_helpers import open_session

ftrack_api = pytest.importorskip("ftrack_api")

pytestmark = pytest.mark.compat


def test_types_is_a_filled_dict_like_the_genuine_clients(embedded_server: Any, tmp_path: Path):
    genuine = ftrack_api.Session(
        server_url=embedded_server.url,
        api_key=embedded_server.api_key,
        api_user=embedded_server.api_user,
        schema_cache_path=str(tmp_path / "genuine-schema"),
        plugin_paths=[],
        auto_connect_event_hub=False,
    )
    try:
        expected = sorted(genuine.types)
        assert isinstance(genuine.types, dict) and len(genuine.types.items()) == len(expected)
    finally:
        genuine.close()
    with open_session(embedded_server, tmp_path) as session:
        types = session.types
        assert isinstance(types, dict)
        assert sorted(types) == expected
        assert len(types) == len(expected) > 50
        assert sorted(name for name, _ in types.items()) == expected
        assert len(list(types.values())) == len(expected)
        assert all(isinstance(cls, type) for cls in types.values())
        assert types["Task"] is dict(types)["Task"] is types.get("Task")
        assert repr(types) != "{}" and "'AssetVersion':" in repr(types)
        assert types.get("NoSuchType") is None
