"""ft_dcc.Session against the running embedded server (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, List

import pytest
import requests
from session_helpers import CuttingProxy, make_project, make_version, open_session, unique

from ft_dcc.exceptions import (
    ApiConnectionError,
    AuthenticationError,
    MultipleResultsFoundError,
    NoResultFoundError,
    ServerError,
    UploadError,
)
from ft_dcc.session import NOT_SET, FileCache, RetryPolicy, Session, UploadOptions


@pytest.fixture
def session(embedded_server: Any, tmp_path: Path) -> Any:
    with open_session(embedded_server, tmp_path) as session:
        yield session


def api_actions(server: Any, mark: int) -> List[List[str]]:
    return [r.get("actions") for r in server.api_requests_since(mark)]


# -- construction, auth, errors -----------------------------------------------------------------
def test_session_from_environment_sends_auth_headers(ftrack_env: Any, tmp_path: Path) -> None:
    mark = ftrack_env.log_mark()
    with Session(schema_cache_path=str(tmp_path), plugin_paths=[]) as session:
        session.query("Location").all()
    logged = ftrack_env.api_requests_since(mark)
    assert logged, "the server saw no API request"
    for entry in logged:
        assert entry["ftrack_user"] == ftrack_env.api_user
        assert entry["auth_ok"] is True
        assert entry["headers"]["ftrack-user"] == ftrack_env.api_user
        assert entry["headers"]["ftrack-api-key"] == "<redacted>"
        assert entry["headers"]["ftrack-strict-api"] == "false"


def test_api_key_never_in_logs_reprs_or_errors(
    embedded_server: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key = embedded_server.api_key
    caplog.set_level(logging.DEBUG)
    with open_session(embedded_server, tmp_path) as session:
        project = make_project(session)
        project["name"] = unique("renamed")
        session.commit()
        texts = [repr(session), repr(session._transport), repr(session._auth), repr(project)]
        with pytest.raises(ServerError) as caught:
            session.call([{"action": "no_such_action"}])
        texts.append(str(caught.value))
    with pytest.raises(AuthenticationError) as rejected:
        open_session(embedded_server, tmp_path, api_key="wrong-" + key)
    texts.append(str(rejected.value))
    assert "ft_dcc.session" in caplog.text  # DEBUG logging really happened
    for text in [*texts, caplog.text]:
        assert key not in text


def test_wrong_key_is_an_authentication_error(embedded_server: Any, tmp_path: Path) -> None:
    with pytest.raises(AuthenticationError) as caught:
        open_session(embedded_server, tmp_path, api_key="not-the-key")
    assert "FTRACK_API_KEY" in str(caught.value)  # the hint says what to check


def test_unreachable_server_is_a_connection_error_after_retries(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ApiConnectionError) as caught:
        Session(
            server_url=f"http://127.0.0.1:{port}",
            api_key="secret-key-value",
            api_user="u",
            retry=RetryPolicy(retries=2, backoff=0.01),
            schema_cache_path=False,
            plugin_paths=[],
        )
    assert "tried 3 times" in str(caught.value)
    assert "secret-key-value" not in str(caught.value)


def test_server_error_carries_exception_name(session: Any) -> None:
    with pytest.raises(ServerError) as caught:
        session.query("select id from Project where nonsense_attribute is 1").all()
    assert caught.value.exception
    assert caught.value.exception != "ServerError" or "nonsense" in str(caught.value)


# -- schema cache -------------------------------------------------------------------------------
def test_schema_cache_cold_one_request_warm_one_request(
    embedded_server: Any, fresh_server: Any, tmp_path: Path
) -> None:
    cache_dir = tmp_path / "schemas"
    mark = embedded_server.log_mark()
    with open_session(embedded_server, tmp_path, schema_cache_path=str(cache_dir)) as cold:
        assert len(cold.schemas) > 50
        assert "AssetVersion" in cold.types
    assert api_actions(embedded_server, mark) == [["query_server_information", "query_schemas"]]

    mark = embedded_server.log_mark()
    with open_session(embedded_server, tmp_path, schema_cache_path=str(cache_dir)) as warm:
        assert sorted(s["id"] for s in warm.schemas) == sorted(s["id"] for s in cold.schemas)
    assert api_actions(embedded_server, mark) == [["query_server_information"]]

    # One file per server: a second server gets its own file and does not evict the first.
    with open_session(fresh_server, tmp_path, schema_cache_path=str(cache_dir)):
        pass
    assert len(list(cache_dir.glob("*.json"))) == 2
    mark = embedded_server.log_mark()
    with open_session(embedded_server, tmp_path, schema_cache_path=str(cache_dir)):
        pass
    assert api_actions(embedded_server, mark) == [["query_server_information"]]


def test_schema_cache_path_from_environment(
    embedded_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FTRACK_API_SCHEMA_CACHE_PATH", str(tmp_path / "from-env"))
    with open_session(embedded_server, tmp_path, schema_cache_path=None):
        pass
    assert len(list((tmp_path / "from-env").glob("*.json"))) == 1


# -- create / commit / query --------------------------------------------------------------------
def test_one_request_per_commit_and_read_back(embedded_server: Any, tmp_path: Path) -> None:
    with open_session(embedded_server, tmp_path) as session:
        project = make_project(session)
        version = make_version(session, project, commit=False)
        version["metadata"]["ftr_meta"] = '{"frameIn": 0}'
        review = session.create(
            "ReviewSession", {"name": unique("review"), "project": project, "description": "d"}
        )
        session.create(
            "ReviewSessionObject",
            {
                "name": "plate",
                "version": "v1",
                "review_session": review,
                "asset_version": version,
            },
        )
        assert len(session.recorded_operations) >= 5
        mark = embedded_server.log_mark()
        session.commit()
        assert len(embedded_server.api_requests_since(mark)) == 1
        assert len(session.recorded_operations) == 0
        review_id, version_id = review["id"], version["id"]

    with open_session(embedded_server, tmp_path) as other:
        objects = other.query(
            "select name, version, asset_version.id, review_session.name from "
            f'ReviewSessionObject where review_session_id is "{review_id}"'
        ).all()
        assert len(objects) == 1
        assert objects[0]["name"] == "plate"
        assert objects[0]["asset_version"]["id"] == version_id
        fetched = other.get("AssetVersion", version_id)
        assert fetched["metadata"]["ftr_meta"] == '{"frameIn": 0}'
        assert fetched["comment"] == "made by a test"


def test_failed_commit_keeps_operations_and_state(session: Any) -> None:
    project = make_project(session)
    name = unique("kept")
    project["name"] = name
    duplicate = session.create("Project", {"name": unique("dup"), "full_name": "x"})
    session.create("Project", {"id": duplicate["id"], "name": unique("dup2"), "full_name": "y"})
    pending = len(session.recorded_operations)
    with pytest.raises(ServerError):
        session.commit()
    assert len(session.recorded_operations) == pending
    assert project["name"] == name
    assert project.state == "modified"
    session.rollback()
    assert len(session.recorded_operations) == 0
    assert project["name"] != name  # the local change is gone, the server value is back
    session.populate([project], "name")
    project["name"] = name
    session.commit()
    assert session.query(f'Project where name is "{name}"').one()["id"] == project["id"]


def test_query_paging_one_first(session: Any, embedded_server: Any) -> None:
    prefix = unique("page")
    for index in range(12):
        session.create("AssetType", {"name": f"{prefix}-{index:02d}", "short": f"{prefix}{index}"})
    session.commit()
    session.reset()
    expression = f'select name from AssetType where name like "{prefix}%"'
    mark = embedded_server.log_mark()
    result = session.query(expression, page_size=5)
    names = sorted(entity["name"] for entity in result)
    assert names == [f"{prefix}-{i:02d}" for i in range(12)]
    assert len(embedded_server.api_requests_since(mark)) == 3  # 5 + 5 + 2
    assert session.query(f"{expression} limit 4").all().__len__() == 4
    assert session.query(f'{expression} and name is "{prefix}-03"').one()["name"] == f"{prefix}-03"
    with pytest.raises(MultipleResultsFoundError):
        session.query(expression).one()
    with pytest.raises(NoResultFoundError):
        session.query(f'AssetType where name is "{prefix}-none"').one()
    assert session.query(f'AssetType where name is "{prefix}-none"').first() is None
    assert session.query(expression).first() is not None


def test_auto_populate_200_entities_in_one_request(fresh_server: Any, tmp_path: Path) -> None:
    prefix = unique("many")
    with open_session(fresh_server, tmp_path) as writer:
        for index in range(200):
            writer.create("AssetType", {"name": f"{prefix}-{index:03d}", "short": f"s{index}"})
        writer.commit()
    with open_session(fresh_server, tmp_path) as session:
        entities = session.query(f'select id from AssetType where name like "{prefix}%"').all()
        assert len(entities) == 200
        mark = fresh_server.log_mark()
        shorts = {entity["short"] for entity in entities}
        assert len(fresh_server.api_requests_since(mark)) == 1
        assert shorts == {f"s{i}" for i in range(200)}
        # Everything is in the identity map now: reading again costs nothing.
        mark = fresh_server.log_mark()
        assert {entity["short"] for entity in entities} == shorts
        assert fresh_server.api_requests_since(mark) == []


def test_projections_fill_identity_map(session: Any, embedded_server: Any) -> None:
    project = make_project(session)
    version = make_version(session, project)
    session.reset()
    mark = embedded_server.log_mark()
    loaded = session.query(
        "select comment, asset.name, asset.parent.name from AssetVersion "
        f'where id is "{version["id"]}"'
    ).one()
    assert len(embedded_server.api_requests_since(mark)) == 1
    mark = embedded_server.log_mark()
    assert loaded["comment"] == "made by a test"
    assert loaded["asset"]["name"]
    assert loaded["asset"]["parent"]["name"] == project["name"]
    assert session.get("AssetVersion", version["id"]) is loaded
    assert embedded_server.api_requests_since(mark) == []


def test_populate_several_attributes_one_request(session: Any, embedded_server: Any) -> None:
    project = make_project(session)
    versions = [make_version(session, project, commit=False) for _ in range(3)]
    session.commit()
    ids = [v["id"] for v in versions]
    session.reset()
    fresh = [session.get("AssetVersion", vid) for vid in ids]
    mark = embedded_server.log_mark()
    session.populate(fresh, "comment, asset.name")
    assert len(embedded_server.api_requests_since(mark)) == 1
    mark = embedded_server.log_mark()
    assert all(v["comment"] == "made by a test" and v["asset"]["name"] for v in fresh)
    assert embedded_server.api_requests_since(mark) == []


def test_auto_populate_off_returns_not_set(session: Any, embedded_server: Any) -> None:
    project = make_project(session)
    session.reset()
    loaded = session.query(f'select id from Project where id is "{project["id"]}"').one()
    mark = embedded_server.log_mark()
    with session.auto_populating(False):
        assert loaded["name"] is NOT_SET
    assert embedded_server.api_requests_since(mark) == []
    assert loaded["name"] == project["name"]


def test_operation_recording_switch_and_context(session: Any) -> None:
    assert session.record_operations is True
    project = make_project(session)
    with session.operation_recording(False):
        project["name"] = "not sent"
        assert session.record_operations is False
    assert session.record_operations is True
    assert len(session.recorded_operations) == 0
    session.record_operations = False
    session.create("AssetType", {"name": unique("unrecorded"), "short": "u"})
    session.record_operations = True
    assert len(session.recorded_operations) == 0
    project["name"] = unique("sent")
    ops = list(session.recorded_operations)
    assert len(ops) == 1 and ops[0].attribute_name == "name"
    assert ops[0].new_value == project["name"]


def test_update_collection_reference_and_delete(session: Any, embedded_server: Any) -> None:
    project = make_project(session)
    version = make_version(session, project)
    version["comment"] = "changed"
    version["metadata"]["a"] = "1"
    version["metadata"]["b"] = "2"
    session.commit()
    version["metadata"]["a"] = "one"
    del version["metadata"]["b"]
    session.commit()
    asset_type = session.create("AssetType", {"name": unique("gone"), "short": "g"})
    session.commit()
    session.delete(asset_type)
    session.commit()
    session.reset()
    again = session.get("AssetVersion", version["id"])
    assert again["comment"] == "changed"
    assert dict(again["metadata"]) == {"a": "one"}
    assert session.get("AssetType", asset_type["id"]) is None


def test_context_manager_closes_pool_and_hub(embedded_server: Any, tmp_path: Path) -> None:
    with open_session(embedded_server, tmp_path) as session:
        session.query("Location").first()
    assert session.closed
    assert not session.event_hub.connected
    with pytest.raises(Exception, match="closed"):
        session.query("Location").first()


# -- caches and plugins -------------------------------------------------------------------------
def test_file_cache_layer_serves_a_later_session(embedded_server: Any, tmp_path: Path) -> None:
    cache_path = str(tmp_path / "entities.dbm")
    with open_session(embedded_server, tmp_path, cache=FileCache(cache_path)) as first:
        project = make_project(first)
        assert len(first.cache.caches) == 2
        project_id, name = project["id"], project["name"]
    mark = embedded_server.log_mark()
    with open_session(
        embedded_server, tmp_path, cache=lambda session: FileCache(cache_path)
    ) as second:
        assert embedded_server.api_requests_since(mark)[-1]["actions"] == [
            "query_server_information"
        ]
        mark = embedded_server.log_mark()
        cached = second.get("Project", project_id)
        assert cached["name"] == name
        assert embedded_server.api_requests_since(mark) == []


def test_plugins_registered_with_arguments(
    embedded_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugins = tmp_path / "plugins"
    (plugins / "sub").mkdir(parents=True)
    (plugins / "sub" / "hello.py").write_text(
        "def register(session, greeting='none'):\n"
        "    session.greeting = greeting\n"
        "    session.seen_types = len(session.types)\n"
    )
    (plugins / "broken.py").write_text("import does_not_exist\n")
    monkeypatch.setenv("FTRACK_EVENT_PLUGIN_PATH", str(plugins))
    with open_session(
        embedded_server, tmp_path, plugin_paths=None, plugin_arguments={"greeting": "hi"}
    ) as session:
        assert session.greeting == "hi"
        assert session.seen_types > 50
        assert session.registered_plugins == [str(plugins / "sub" / "hello.py")]


# -- uploads ------------------------------------------------------------------------------------
def _payload(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


def _download(session: Any, component: Any) -> bytes:
    response = requests.get(session.component_url(component), timeout=30)
    response.raise_for_status()
    return response.content


def test_upload_with_progress_and_component(session: Any, tmp_path: Path) -> None:
    project = make_project(session)
    version = make_version(session, project)
    path = tmp_path / "movie.mp4"
    data = _payload(path, 3 * 1024 * 1024 + 17)
    seen: List[Any] = []
    component = session.create_component(
        path,
        {"name": "ftrackreview-mp4", "version": version},
        location=session.server_location,
        progress=lambda stage, fraction, message: seen.append((stage, fraction, message)),
    )
    assert seen[0][1] == 0.0 and seen[-1][1] == 1.0
    assert all(stage == "upload" for stage, _, _ in seen)
    fractions = [fraction for _, fraction, _ in seen]
    assert fractions == sorted(fractions) and len(fractions) >= 3
    assert seen[-1][2].startswith(f"{len(data)}/{len(data)} bytes")
    session.reset()
    loaded = session.query(
        "select name, size, file_type, component_locations.location_id, "
        "component_locations.resource_identifier from FileComponent "
        f'where id is "{component["id"]}"'
    ).one()
    assert loaded["size"] == len(data) and loaded["file_type"] == ".mp4"
    locations = loaded["component_locations"]
    assert [cl["location_id"] for cl in locations] == [session.server_location["id"]]
    assert locations[0]["resource_identifier"] == component["id"]
    assert _download(session, component) == data


def test_upload_pending_until_one_commit(
    session: Any, tmp_path: Path, embedded_server: Any
) -> None:
    project = make_project(session)
    version = make_version(session, project, commit=False)
    path = tmp_path / "still.jpg"
    data = _payload(path, 100_000)
    component = session.create_component(path, {"version": version}, commit=False)
    assert session.query(f'FileComponent where id is "{component["id"]}"').first() is None
    assert session.get("FileComponent", component["id"]) is component  # only known locally
    mark = embedded_server.log_mark()
    session.commit()
    assert len(embedded_server.api_requests_since(mark)) == 1
    assert _download(session, component) == data


def test_multipart_upload(embedded_server: Any, tmp_path: Path) -> None:
    with open_session(
        embedded_server,
        tmp_path,
        uploads=UploadOptions(part_size=5 * 1024 * 1024, multipart_threshold=6 * 1024 * 1024),
    ) as session:
        path = tmp_path / "big.bin"
        data = _payload(path, 12 * 1024 * 1024 + 5)
        mark = embedded_server.log_mark()
        calls: List[Any] = []
        component = session.create_component(
            path,
            {"name": "big"},
            progress=lambda stage, fraction, message: calls.append(
                (fraction, threading.get_ident())
            ),
        )
        fractions = [fraction for fraction, _ in calls]
        assert fractions == sorted(fractions) and fractions[-1] == 1.0
        assert {thread for _, thread in calls} == {threading.get_ident()}
        puts = [r for r in embedded_server.requests_since(mark) if r["method"] == "PUT"]
        assert len(puts) == 3
        logged = embedded_server.api_requests_since(mark)
        actions = [action for entry in logged for action in entry["actions"]]
        assert "complete_multipart_upload" in actions
        assert _download(session, component) == data


def test_mid_upload_connection_drop_is_retried(embedded_server: Any, tmp_path: Path) -> None:
    proxy = CuttingProxy(embedded_server.port, cuts=1, after_bytes=512 * 1024)
    try:
        with open_session(
            embedded_server, tmp_path, server_url=proxy.url, retry=RetryPolicy(backoff=0.05)
        ) as session:
            path = tmp_path / "drop.bin"
            data = _payload(path, 4 * 1024 * 1024)
            fractions: List[float] = []
            component = session.create_component(
                path, {"name": "drop"}, progress=lambda s, f, m: fractions.append(f)
            )
            assert proxy.cut_connections == 1
            assert proxy.put_connections == 2
            assert fractions[-1] == 1.0 and fractions == sorted(fractions)
            assert _download(session, component) == data
    finally:
        proxy.close()


def test_failed_upload_leaves_nothing_pending(embedded_server: Any, tmp_path: Path) -> None:
    proxy = CuttingProxy(embedded_server.port, cuts=10, after_bytes=64 * 1024)
    try:
        with open_session(
            embedded_server, tmp_path, server_url=proxy.url, retry=RetryPolicy(1, 0.01)
        ) as session:
            with pytest.raises(UploadError, match=r"missing\.mov"):
                session.create_component(tmp_path / "missing.mov", commit=False)
            project = make_project(session)
            version = make_version(session, project, commit=False)
            pending = len(session.recorded_operations)
            path = tmp_path / "never.bin"
            _payload(path, 1024 * 1024)
            with pytest.raises(UploadError, match="after 2 attempts"):
                session.create_component(path, {"version": version}, commit=False)
            assert proxy.cut_connections == 2
            assert len(session.recorded_operations) == pending  # only the version's creates
            session.commit()
            assert session.query(f'FileComponent where version_id is "{version["id"]}"').all() == []
    finally:
        proxy.close()


# -- events -------------------------------------------------------------------------------------
def test_event_round_trip(embedded_server: Any, tmp_path: Path) -> None:
    pytest.importorskip("websocket")
    from ft_dcc.session.event_hub import Event

    received: List[Any] = []
    arrived = threading.Event()

    def on_event(event: Any) -> None:
        received.append(event)
        arrived.set()

    topic = unique("ft_dcc.test")
    with open_session(embedded_server, tmp_path, auto_connect_event_hub=True) as listener:
        with open_session(embedded_server, tmp_path) as publisher:
            publisher.event_hub.connect()
            deadline = threading.Event()
            for _ in range(100):
                if listener.event_hub.connected:
                    break
                deadline.wait(0.1)
            assert listener.event_hub.connected
            listener.event_hub.subscribe(f"topic={topic}", on_event)
            publisher.event_hub.publish(Event(topic=topic, data={"answer": 42}))
            assert arrived.wait(10), "event not delivered"
        assert received[0]["data"] == {"answer": 42}
        assert received[0]["topic"] == topic
    assert not listener.event_hub.connected


def test_dropped_api_connection_retried_for_reads_not_for_commits(
    embedded_server: Any, tmp_path: Path
) -> None:
    with open_session(embedded_server, tmp_path) as direct:
        project = make_project(direct)
    proxy = CuttingProxy(embedded_server.port, cuts=0, after_bytes=0, method=b"POST")
    try:
        with open_session(
            embedded_server, tmp_path, server_url=proxy.url, retry=RetryPolicy(backoff=0.01)
        ) as session:
            proxy.cuts_left = 2  # the next two API requests die before reaching the server
            assert session.get("Project", project["id"])["name"] == project["name"]
            assert proxy.cut_connections == 2
            name = unique("never")
            session.create("AssetType", {"name": name, "short": "n"})
            proxy.cuts_left = 1
            with pytest.raises(ApiConnectionError, match="may or may not"):
                session.commit()
            assert len(session.recorded_operations) == 1  # still pending, nothing lost
            session.commit()  # the connection is fine again
            assert session.query(f'AssetType where name is "{name}"').one()
    finally:
        proxy.close()


def test_unreachable_event_hub_never_blocks_the_session(
    embedded_server: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("websocket")
    proxy = CuttingProxy(embedded_server.port, cuts=0, refuse=(b"/socket.io",))
    try:
        with (
            caplog.at_level(logging.WARNING),
            open_session(
                embedded_server, tmp_path, server_url=proxy.url, auto_connect_event_hub=True
            ) as session,
        ):
            assert session.query("Location").all()
            project = make_project(session)
            assert session.get("Project", project["id"]) is project
            for _ in range(100):
                if proxy.refused and "event" in caplog.text.lower():
                    break
                threading.Event().wait(0.1)
            assert not session.event_hub.connected
        assert proxy.refused >= 1
        assert "event" in caplog.text.lower()
        assert embedded_server.api_key not in caplog.text
    finally:
        proxy.close()


def test_items_and_nested_collections_load_in_one_request_each(
    session: Any, embedded_server: Any, tmp_path: Path
) -> None:
    project = make_project(session)
    version = make_version(session, project)
    for index in range(5):
        path = tmp_path / f"part{index}.bin"
        path.write_bytes(b"x" * (index + 1))
        session.create_component(path, {"name": f"part{index}", "version": version}, commit=False)
    session.commit()
    session.reset()
    loaded = session.get("AssetVersion", version["id"])
    mark = embedded_server.log_mark()
    components = loaded["components"]
    sizes = sorted(component["size"] for component in components)
    assert sizes == [1, 2, 3, 4, 5]
    assert len(embedded_server.api_requests_since(mark)) == 2  # the collection, then all sizes
    mark = embedded_server.log_mark()
    values = dict(components[0].items())
    assert values["version_id"] == version["id"] and values["name"].startswith("part")
    assert len(embedded_server.api_requests_since(mark)) == 1
    with pytest.raises(ValueError, match="cannot change"):
        loaded["id"] = "another-id"


def test_503_answers_are_retried_with_backoff(embedded_server: Any, tmp_path: Path) -> None:
    proxy = CuttingProxy(embedded_server.port, cuts=0, method=b"POST", answer_503=True)
    try:
        with open_session(
            embedded_server, tmp_path, server_url=proxy.url, retry=RetryPolicy(backoff=0.01)
        ) as session:
            proxy.cuts_left = 2
            mark = embedded_server.log_mark()
            name = unique("after503")
            session.create("AssetType", {"name": name, "short": "x"})
            session.commit()  # a 503 never reached the server, so resending is safe
            assert proxy.cut_connections == 2
            assert len(embedded_server.api_requests_since(mark)) == 1
            proxy.cuts_left = 5  # more failures than retries: unavailable, as unreachable
            with pytest.raises(ApiConnectionError, match="HTTP 503"):
                session.query("Location").all()
    finally:
        proxy.close()


def test_a_database_outage_503_is_retried_and_then_reported_as_unreachable(
    embedded_server: Any, tmp_path: Path
) -> None:
    """The embedded server answers 503 with an ftrack error while its database is down: nothing
    was applied, so the client retries it, and past its retries says the server cannot be
    reached (ApiConnectionError: a publish is queued, exit 75), not that the request failed."""
    outage = json.dumps(
        {"exception": "ServerError", "content": "The review server cannot reach its database"}
    ).encode()
    proxy = CuttingProxy(
        embedded_server.port, cuts=0, method=b"POST", answer_503=True, body_503=outage
    )
    try:
        with open_session(
            embedded_server, tmp_path, server_url=proxy.url, retry=RetryPolicy(backoff=0.01)
        ) as session:
            proxy.cuts_left = 2
            mark = embedded_server.log_mark()
            name = unique("after-outage")
            session.create("AssetType", {"name": name, "short": "x"})
            session.commit()
            assert proxy.cut_connections == 2
            assert len(embedded_server.api_requests_since(mark)) == 1
            assert session.query(f'AssetType where name is "{name}"').one()["short"] == "x"
            proxy.cuts_left = 5  # more failures than retries
            with pytest.raises(ApiConnectionError, match="cannot reach its database"):
                session.query("Location").all()
    finally:
        proxy.close()


def test_silent_server_times_out(tmp_path: Path) -> None:
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # accepts connections (kernel backlog) but never answers
        with pytest.raises(ApiConnectionError, match="tried 2 times"):
            Session(
                server_url=f"http://127.0.0.1:{listener.getsockname()[1]}",
                api_key="k",
                api_user="u",
                timeout=0.3,
                retry=RetryPolicy(retries=1, backoff=0.01),
                schema_cache_path=False,
                plugin_paths=[],
            )


def test_corrupt_schema_cache_is_replaced(embedded_server: Any, tmp_path: Path) -> None:
    cache_dir = tmp_path / "schemas"
    with open_session(embedded_server, tmp_path, schema_cache_path=str(cache_dir)):
        pass
    (cache_file,) = cache_dir.glob("*.json")
    cache_file.write_text("{ not json")
    mark = embedded_server.log_mark()
    with open_session(embedded_server, tmp_path, schema_cache_path=str(cache_dir)) as session:
        assert "Project" in session.types
    assert api_actions(embedded_server, mark) == [["query_server_information", "query_schemas"]]
    mark = embedded_server.log_mark()
    with open_session(embedded_server, tmp_path, schema_cache_path=str(cache_dir)):
        pass
    assert api_actions(embedded_server, mark) == [["query_server_information"]]


def test_unknown_entity_type_is_explained(session: Any) -> None:
    from ft_dcc.exceptions import ApiError

    with pytest.raises(ApiError, match="Unknown entity type 'Projekt'") as caught:
        session.query("Projekt where name is x").all()
    assert "session.types" in str(caught.value)


def test_threads_share_one_session(session: Any, embedded_server: Any) -> None:
    project = make_project(session)
    session.reset()
    errors: List[BaseException] = []
    names: List[str] = []

    def work() -> None:
        try:
            for _ in range(10):
                names.append(session.get("Project", project["id"])["name"])
                session.query("Location").all()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(names) == {project["name"]} and len(names) == 40


def test_broken_cache_layer_never_breaks_the_session(
    embedded_server: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache_path = tmp_path / "entities.dbm"
    with open_session(embedded_server, tmp_path, cache=FileCache(str(cache_path))) as session:
        project = make_project(session)
        session.reset()
        for leftover in tmp_path.glob("entities.dbm*"):
            leftover.unlink()  # the cache file disappears under the session
        with caplog.at_level(logging.WARNING):
            assert session.get("Project", project["id"])["name"] == project["name"]
        assert "cache" in caplog.text


def test_encode_decode_and_serialised_cache(embedded_server: Any, tmp_path: Path) -> None:
    from ft_dcc.session import SerialisedCache

    with open_session(embedded_server, tmp_path) as session:
        project = make_project(session)
        text = session.encode({"p": project, "when": project["created_at"]})
        assert f'"id":"{project["id"]}"' in text and '"__type__":"datetime"' in text
        decoded = session.decode(text)
        assert decoded["p"] is project and decoded["when"] == project["created_at"]
    cache_path = str(tmp_path / "serialised.dbm")

    def serialised(session: Any) -> Any:
        return SerialisedCache(FileCache(cache_path), encode=session.encode, decode=session.decode)

    with open_session(embedded_server, tmp_path, cache=serialised) as first:
        first.query(f'select name from Project where id is "{project["id"]}"').one()
    with open_session(embedded_server, tmp_path, cache=serialised) as second:
        mark = embedded_server.log_mark()
        assert second.get("Project", project["id"])["name"] == project["name"]
        assert embedded_server.api_requests_since(mark) == []


def test_composite_key_entities_populate_in_one_request(session: Any, embedded_server: Any) -> None:
    project = make_project(session)
    version = make_version(session, project)
    for index in range(4):
        version["metadata"][f"k{index}"] = f"v{index}"
    session.commit()
    session.reset()
    rows = session.query(
        f'select parent_id, key from Metadata where parent_id is "{version["id"]}"'
    ).all()
    assert len(rows) == 4
    mark = embedded_server.log_mark()
    assert sorted(row["value"] for row in rows) == ["v0", "v1", "v2", "v3"]
    assert len(embedded_server.api_requests_since(mark)) == 1
    k2 = next(row for row in rows if row["key"] == "k2")
    assert session.get("Metadata", [version["id"], "k2"]) is k2
