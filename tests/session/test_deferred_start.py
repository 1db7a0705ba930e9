"""``Session(defer_start=True)``: the session's start rides with its first request.

Counted from the embedded server's request log: a deferred session's first read is ONE ``/api``
request carrying the start (the server information, and the schemas unless cached) ahead of the
read; the answers are the read's alone, and the session works as one started at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List

import pytest
from session_helpers import open_session

from ft_dcc.exceptions import AuthenticationError

LOCATION_READ = 'select id, name from Location where name is "ftrack.server"'


def _actions(server: Any, mark: int) -> List[List[str]]:
    return [r.get("actions") for r in server.api_requests_since(mark)]


def test_a_deferred_start_rides_with_the_first_read(embedded_server: Any, tmp_path: Path) -> None:
    mark = embedded_server.log_mark()
    with open_session(embedded_server, tmp_path, defer_start=True) as session:  # cold cache
        assert _actions(embedded_server, mark) == []  # nothing sent yet
        location = session.query(LOCATION_READ).one()
        assert location["name"] == "ftrack.server" and location.entity_type == "Location"
        assert _actions(embedded_server, mark) == [
            ["query_server_information", "query_schemas", "query"]
        ]
        assert session.server_information["schema_hash"]
        assert "Task" in session.types  # started: nothing more is asked
        assert len(_actions(embedded_server, mark)) == 1
    mark = embedded_server.log_mark()
    with open_session(embedded_server, tmp_path, defer_start=True) as session:  # cached now
        replies = session.call([{"action": "query", "expression": LOCATION_READ}])
        assert replies[0]["data"][0]["name"] == "ftrack.server"
    assert _actions(embedded_server, mark) == [["query_server_information", "query"]]


def test_a_stale_schema_cache_still_answers_the_riding_read(
    embedded_server: Any, tmp_path: Path
) -> None:
    open_session(embedded_server, tmp_path).close()  # fills the cache
    (cached,) = (tmp_path / "schema-cache").glob("*.json")
    data = json.loads(cached.read_text(encoding="utf-8"))
    cached.write_text(json.dumps(dict(data, schema_hash="stale")), encoding="utf-8")
    mark = embedded_server.log_mark()
    with open_session(embedded_server, tmp_path, defer_start=True) as session:
        assert session.query(LOCATION_READ).one()["name"] == "ftrack.server"
    assert _actions(embedded_server, mark) == [
        ["query_server_information", "query"],
        ["query_schemas"],  # the hash changed: the schemas are fetched before the read's answer
    ]
    assert json.loads(cached.read_text(encoding="utf-8"))["schema_hash"] != "stale"


def test_a_deferred_start_with_a_wrong_key_fails_at_the_first_request(
    embedded_server: Any, tmp_path: Path
) -> None:
    session = open_session(embedded_server, tmp_path, api_key="not-the-key", defer_start=True)
    with session, pytest.raises(AuthenticationError) as caught:
        session.query(LOCATION_READ).first()
    assert "FTRACK_API_KEY" in str(caught.value)
