"""ftrack's JavaScript client against the embedded server: session start, queries, writes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.jsclient


def test_session_starts_with_server_information_and_schemas(js) -> None:
    started = js.run("session", options={})
    assert started["schemas"] > 50
    assert started["serverVersion"]
