"""The embedded server's /api transport: auth, error shapes, hostile input, request log, actions.

Real HTTP against the real server subprocess (conftest's ``embedded_server``/``fresh_server``).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import requests

FIXTURES = Path(__file__).resolve().parents[2] / "data" / "ftrack" / "fixtures"


def headers(server: Any, **extra: str) -> Dict[str, str]:
    base = {
        "ftrack-user": server.api_user,
        "ftrack-api-key": server.api_key,
        "ftrack-strict-api": "false",
        "content-type": "application/json",
        "accept": "application/json",
    }
    base.update({k.replace("_", "-"): v for k, v in extra.items()})
    return base


def call(
    server: Any, batch: Any, *, hdrs: Optional[Dict[str, str]] = None, raw: bytes = b""
) -> requests.Response:
    body = raw or json.dumps(batch).encode("utf-8")
    return requests.post(
        server.url + "/api", data=body, headers=hdrs or headers(server), timeout=30
    )


def ok(server: Any, batch: List[Dict[str, Any]]) -> List[Any]:
    response = call(server, batch)
    assert response.status_code == 200, response.text
    result = response.json()
    assert isinstance(result, list), result
    return result


def assert_error(
    response: requests.Response, status: int, exception: Optional[str] = None
) -> Dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"exception", "content", "error_code"}, body
    assert body["error_code"] is None
    assert "{" not in body["content"] and "}" not in body["content"]
    assert "Traceback" not in body["content"]
    if exception:
        assert body["exception"] == exception, body
    return body


def project_ops(name: str) -> List[Dict[str, Any]]:
    pid = str(uuid.uuid4())
    return [
        {
            "action": "create",
            "entity_type": "Project",
            "entity_key": [pid],
            "entity_data": {
                "__entity_type__": "Project",
                "id": pid,
                "name": name,
                "full_name": name,
            },
        }
    ]


def count(server: Any, expression: str) -> int:
    return len(ok(server, [{"action": "query", "expression": expression}])[0]["data"])


# -- server information and schemas ---------------------------------------------------------------
def test_server_information_has_the_real_servers_shape(embedded_server):
    golden = json.loads((FIXTURES / "query_server_information.json").read_text())
    info = ok(embedded_server, [{"action": "query_server_information"}])[0]
    assert set(golden) <= set(info)
    for key, value in golden.items():
        assert type(info[key]) is type(value), key
    assert info["storage_scenario"] == {"scenario": "ftrack.automatic", "data": {}}
    assert info["is_timezone_support_enabled"] is True
    assert info["version"].count(".") == 2


def test_schema_hash_is_the_clients_md5_of_query_schemas(embedded_server):
    import hashlib

    info, schemas = ok(
        embedded_server, [{"action": "query_server_information"}, {"action": "query_schemas"}]
    )
    assert isinstance(schemas, list) and len(schemas) > 20
    expected = hashlib.md5(json.dumps(schemas, sort_keys=True).encode("utf-8")).hexdigest()
    assert info["schema_hash"] == expected
    ids = {schema["id"] for schema in schemas}
    assert {"Location", "FileComponent", "ReviewSession", "Job"} <= ids
    assert all(schema["default_projections"] for schema in schemas)


def test_empty_batch_answers_empty_list(embedded_server):
    assert ok(embedded_server, []) == []


# -- authentication -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("user", "key"),
    [
        ("test.user", "wrong-key"),
        ("nobody", "test-key-7f3c1d9e2b"),
        (None, None),
        ("test.user", ""),
    ],
)
def test_bad_credentials_give_the_error_shape_with_200(embedded_server, user, key):
    hdrs = {"content-type": "application/json"}
    if user is not None:
        hdrs["ftrack-user"] = user
    if key is not None:
        hdrs["ftrack-api-key"] = key
    body = assert_error(call(embedded_server, [{"action": "query_schemas"}], hdrs=hdrs), 200)
    assert body["exception"] == "InvalidCredentialsError"
    assert "The supplied API key is not valid" in body["content"]
    assert "wrong-key" not in body["content"]


def test_bad_credentials_give_401_in_strict_mode(embedded_server):
    hdrs = headers(embedded_server, **{"ftrack-api-key": "wrong", "ftrack-strict-api": "true"})
    assert_error(
        call(embedded_server, [{"action": "query_schemas"}], hdrs=hdrs),
        401,
        "InvalidCredentialsError",
    )


def test_request_log_redacts_keys_and_records_actions(embedded_server):
    mark = embedded_server.log_mark()
    ok(embedded_server, [{"action": "query_server_information"}, {"action": "query_schemas"}])
    call(
        embedded_server,
        [{"action": "query_schemas"}],
        hdrs=headers(embedded_server, **{"ftrack-api-key": "secret-wrong"}),
    )
    requests.get(
        embedded_server.url + "/component/get",
        params={
            "id": "nope",
            "username": embedded_server.api_user,
            "apiKey": embedded_server.api_key,
        },
        timeout=10,
    )
    entries = embedded_server.requests_since(mark)
    # the key in the URL is exchanged at once for a signed URL (307), which answers 404
    assert [e["path"] for e in entries] == ["/api", "/api", "/component/get", "/component/get"]
    good, bad, exchange, download = entries
    assert exchange["status"] == 307 and exchange["auth_ok"] is True
    assert good["actions"] == ["query_server_information", "query_schemas"]
    assert good["auth_ok"] is True and good["ftrack_user"] == "test.user" and good["status"] == 200
    assert good["headers"]["ftrack-api-key"] == "<redacted>"
    assert good["headers"]["ftrack-strict-api"] == "false"
    assert bad["auth_ok"] is False
    assert download["status"] == 404 and download["auth_ok"] is True
    assert "apiKey" not in download["query"]
    text = embedded_server.request_log.read_text()
    assert embedded_server.api_key not in text and "secret-wrong" not in text
    server_output = embedded_server.stderr_path.read_text(errors="replace")
    assert embedded_server.api_key not in server_output and "secret-wrong" not in server_output


# -- hostile input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw",
    [
        b"[{",
        b"not json",
        b"\xff\xfe\x00",
        b'{"action": "query_schemas"}',
        b'"text"',
        b"[1, 2]",
        b"[[]]",
        b"",
    ],
)
def test_malformed_bodies_get_the_error_shape(embedded_server, raw):
    body = assert_error(call(embedded_server, None, raw=raw or b" "), 200)
    assert body["exception"] in ("ValidationError", "ValueError")


def test_deeply_nested_json_gets_the_error_shape(embedded_server):
    body = assert_error(call(embedded_server, None, raw=b"[" * 200_000 + b"]" * 200_000), 200)
    assert body["exception"] == "ValidationError"


def test_hostile_input_strict_mode_gives_400(embedded_server):
    hdrs = headers(embedded_server, **{"ftrack-strict-api": "true"})
    assert_error(call(embedded_server, None, raw=b"[{", hdrs=hdrs), 400, "ValidationError")


def test_unknown_action_is_named_like_the_client_expects(embedded_server):
    body = assert_error(
        call(embedded_server, [{"action": "query_schemas"}, {"action": "fly_to_moon"}]), 200
    )
    assert "Invalid action u'fly_to_moon'" in body["content"]
    assert "operation 2" in body["content"]


def test_unknown_action_becomes_server_compatibility_error_in_genuine_client(embedded_server):
    """The client maps 'Invalid action u'<name>'' to ServerCompatibilityError (probe §9)."""
    for action in (None, 42, ["x"]):
        body = assert_error(call(embedded_server, [{"action": action}]), 200)
        assert "Invalid action" in body["content"]


def test_oversized_body_is_refused_with_the_error_shape(embedded_server):
    big = b"[" + b'{"action": "query_schemas"},' * (33 * 1024 * 1024 // 28) + b"{}]"
    body = assert_error(call(embedded_server, None, raw=big), 200, "ValidationError")
    assert "larger than" in body["content"]


def test_wrong_method_and_path_are_json(embedded_server):
    response = requests.get(embedded_server.url + "/api", timeout=10)
    assert_error(response, 405)
    assert_error(requests.get(embedded_server.url + "/no/such/page", timeout=10), 404)


def test_path_like_ids_are_refused(embedded_server):
    for bad in ("../../etc/passwd", "a/b", "..", "x y", "/abs", "", "a" * 200):
        body = assert_error(
            call(
                embedded_server,
                [
                    {
                        "action": "get_upload_metadata",
                        "component_id": bad,
                        "file_name": "x.bin",
                        "file_size": 1,
                    }
                ],
            ),
            200,
            "ValidationError",
        )
        assert "component id" in body["content"]
        response = requests.get(
            embedded_server.url + "/component/get",
            params={
                "id": bad,
                "username": embedded_server.api_user,
                "apiKey": embedded_server.api_key,
            },
            timeout=10,
        )
        assert response.status_code in (400, 404)
        assert "root:" not in response.text


# -- CRUD through the store, one transaction per POST ---------------------------------------------
def test_create_query_update_delete_round_trip(embedded_server):
    name = f"http_{uuid.uuid4().hex[:8]}"
    ops = project_ops(name)
    pid = ops[0]["entity_key"][0]
    created = ok(embedded_server, ops)[0]
    assert created["action"] == "create"
    assert created["data"]["__entity_type__"] == "Project" and created["data"]["id"] == pid
    found = ok(
        embedded_server,
        [{"action": "query", "expression": f'select name from Project where id is "{pid}"'}],
    )[0]
    assert found["action"] == "query" and found["metadata"]["next"]["offset"] is None
    assert [row["name"] for row in found["data"]] == [name]
    updated = ok(
        embedded_server,
        [{"action": "update", "entity_type": "Project", "entity_key": [pid],
          "entity_data": {"__entity_type__": "Project", "full_name": "Renamed"}}],
    )[0]  # fmt: skip
    assert updated["action"] == "update" and updated["data"]["full_name"] == "Renamed"
    assert ok(
        embedded_server, [{"action": "delete", "entity_type": "Project", "entity_key": [pid]}]
    )[0] == {
        "action": "delete",
        "data": True,
    }
    assert count(embedded_server, f'select id from Project where id is "{pid}"') == 0


def test_failing_second_operation_writes_nothing_and_is_named(embedded_server):
    name = f"atomic_{uuid.uuid4().hex[:8]}"
    ops = project_ops(name)
    ops.append(
        {"action": "create", "entity_type": "NoSuchType", "entity_key": ["x"],
         "entity_data": {"__entity_type__": "NoSuchType", "id": "x"}}
    )  # fmt: skip
    body = assert_error(call(embedded_server, ops), 200)
    assert "operation 2" in body["content"] or "NoSuchType" in body["content"]
    assert count(embedded_server, f'select id from Project where name is "{name}"') == 0


def test_failing_operation_in_strict_mode_is_4xx(embedded_server):
    hdrs = headers(embedded_server, **{"ftrack-strict-api": "true"})
    response = call(
        embedded_server, [{"action": "query", "expression": "select from where"}], hdrs=hdrs
    )
    assert 400 <= response.status_code < 500
    assert_error(response, response.status_code)


def test_mixed_batch_with_upload_metadata_and_create(embedded_server):
    """The JS client sends create FileComponent + get_upload_metadata in one batch."""
    cid = str(uuid.uuid4())
    data = {"__entity_type__": "FileComponent", "id": cid, "name": "data", "file_type": ".json"}
    create = {
        "action": "create", "entity_type": "FileComponent", "entity_key": [cid],
        "entity_data": dict(data, size=13),
    }  # fmt: skip
    meta = {
        "action": "get_upload_metadata",
        "component_id": cid,
        "file_name": "data.json",
        "file_size": 13,
    }
    created, upload = ok(embedded_server, [create, meta])
    assert created["data"]["id"] == cid
    golden = json.loads((FIXTURES / "get_upload_metadata.json").read_text())
    assert set(golden) <= set(upload)
    assert upload["component_id"] == cid and upload["headers"]["Content-Length"] == "13"


# -- the other actions ----------------------------------------------------------------------------
def test_widget_url_is_signed_and_served(embedded_server):
    reply = ok(embedded_server, [{"action": "get_widget_url", "name": "info", "theme": "dark"}])[0]
    page = requests.get(reply["widget_url"], timeout=10)
    assert page.status_code == 200 and "info" in page.text
    tampered = reply["widget_url"][:-3] + "AAA"
    assert requests.get(tampered, timeout=10).status_code == 403
    assert_error(
        call(embedded_server, [{"action": "get_widget_url", "name": "bogus"}]),
        200,
        "ValidationError",
    )


def test_user_invite_is_recorded(embedded_server):
    user = ok(
        embedded_server,
        [{"action": "query", "expression": 'select id from User where username is "test.user"'}],
    )[0]
    user_id = user["data"][0]["id"]
    reply = ok(embedded_server, [{"action": "send_user_invite", "user_id": user_id}])[0]
    assert reply["sent"] is True
    body = assert_error(
        call(embedded_server, [{"action": "send_user_invite", "user_id": str(uuid.uuid4())}]), 200
    )
    assert "does not exist" in body["content"]


def test_reset_remote_api_key_replaces_the_key(fresh_server):
    user = ok(
        fresh_server,
        [{"action": "query", "expression": 'select id from User where username is "test.user"'}],
    )[0]
    user_id = user["data"][0]["id"]
    reply = ok(
        fresh_server,
        [
            {
                "action": "reset_remote",
                "reset_type": "api_key",
                "entity_type": "User",
                "entity_key": user_id,
            }
        ],
    )[0]
    new_key = reply["data"]["api_key"]
    assert new_key and new_key != fresh_server.api_key
    assert_error(call(fresh_server, [{"action": "query_schemas"}]), 200, "InvalidCredentialsError")
    hdrs = headers(fresh_server, **{"ftrack-api-key": new_key})
    assert isinstance(call(fresh_server, [{"action": "query_schemas"}], hdrs=hdrs).json(), list)
    assert new_key not in fresh_server.request_log.read_text()


def test_jobs_interrupted_by_a_restart_are_marked_failed(fresh_server):
    job_id = str(uuid.uuid4())
    job = {"__entity_type__": "Job", "id": job_id, "type": "api_job", "status": "running"}
    ok(
        fresh_server,
        [{"action": "create", "entity_type": "Job", "entity_key": [job_id], "entity_data": job}],
    )
    fresh_server.stop()
    fresh_server.start()
    found = ok(
        fresh_server,
        [{"action": "query", "expression": f'select status from Job where id is "{job_id}"'}],
    )
    assert found[0]["data"][0]["status"] == "failed"


def test_large_replies_are_gzipped_for_clients_that_accept_it(embedded_server):
    import gzip

    batch = json.dumps([{"action": "query_schemas"}]).encode()
    gzip_ok = headers(embedded_server, accept_encoding="gzip")
    url = embedded_server.url + "/api"
    raw = requests.post(url, data=batch, headers=gzip_ok, stream=True, timeout=30)
    assert raw.headers["content-encoding"] == "gzip"
    compressed = raw.raw.read(decode_content=False)
    schemas = json.loads(gzip.decompress(compressed))[0]
    assert len(compressed) < len(json.dumps(schemas)) / 4
    identity = headers(embedded_server, accept_encoding="identity")
    plain = requests.post(url, data=batch, headers=identity, timeout=30)
    assert "content-encoding" not in plain.headers and plain.json()[0] == schemas
    small = call(embedded_server, [{"action": "query_server_information"}])
    assert "content-encoding" not in small.headers


def long_movie(folder: Path) -> bytes:
    """A 30-second 1280x720 MPEG-4 movie (720 frames, which the server's encode takes a while
    to get through): one second encoded, then repeated by stream copy (``-stream_loop``), the
    same stream the server decodes as 30 seconds encoded (8.6 CPU-s), for a twentieth of it."""
    import subprocess

    import imageio_ffmpeg

    second, movie = folder / "second.mov", folder / "long.mov"
    ffmpeg = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-v", "error"]
    subprocess.run([*ffmpeg, "-f", "lavfi", "-i", "testsrc=size=1280x720:rate=24:duration=1",
                    "-c:v", "mpeg4", "-q:v", "5", str(second)], check=True)  # fmt: skip
    subprocess.run([*ffmpeg, "-stream_loop", "29", "-i", str(second), "-c", "copy", str(movie)],
                   check=True)  # fmt: skip
    return movie.read_bytes()


@pytest.mark.slow
def test_stopping_mid_encode_is_prompt_and_the_job_fails_on_restart(fresh_server, tmp_path):
    import base64
    import hashlib
    import time

    data = long_movie(tmp_path)
    cid = str(uuid.uuid4())
    checksum = base64.b64encode(hashlib.md5(data).digest()).decode()
    meta = ok(
        fresh_server,
        [{"action": "get_upload_metadata", "component_id": cid, "file_name": "long.mov",
          "file_size": len(data), "checksum": checksum}],
    )[0]  # fmt: skip
    assert requests.put(meta["url"], data=data, headers=meta["headers"], timeout=60).ok
    component = {"__entity_type__": "FileComponent", "id": cid, "name": "main", "size": len(data)}
    ok(
        fresh_server,
        [
            {
                "action": "create",
                "entity_type": "FileComponent",
                "entity_key": [cid],
                "entity_data": component,
            }
        ],
    )
    job_id = ok(
        fresh_server,
        [
            {
                "action": "encode_media",
                "component_id": cid,
                "version_id": None,
                "keep_original": True,
            }
        ],
    )[0]["job_id"]
    status_query = [
        {"action": "query", "expression": f'select status from Job where id is "{job_id}"'}
    ]
    deadline = time.monotonic() + 60
    while ok(fresh_server, status_query)[0]["data"][0]["status"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    fresh_server.stop()
    assert fresh_server.process.returncode == 0  # stopped cleanly, not killed after the grace time

    def leftover_ffmpeg() -> list:
        found = []
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                command = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "ffmpeg" in command and str(fresh_server.data_dir) in command:
                found.append(entry.name)
        return found

    deadline = time.monotonic() + 60
    while leftover_ffmpeg() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert leftover_ffmpeg() == []  # the server's ffmpeg stopped with it
    fresh_server.start()
    assert ok(fresh_server, status_query)[0]["data"][0]["status"] == "failed"


def _session_batch(name: str, widget: Dict[str, Any]) -> List[Dict[str, Any]]:
    """A project, a review session in it and ``widget`` (a get_widget_url), in batch order."""
    batch = project_ops(name)
    session_id = str(uuid.uuid4())
    batch.append(
        {
            "action": "create",
            "entity_type": "ReviewSession",
            "entity_key": [session_id],
            "entity_data": {
                "__entity_type__": "ReviewSession",
                "id": session_id,
                "name": "Dailies",
                "project_id": batch[0]["entity_key"][0],
            },
        }
    )
    return [*batch, dict(widget, entity_type="ReviewSession", entity_key=[session_id])]


def test_a_widget_url_after_the_creates_of_its_batch_sees_them(embedded_server):
    # ftrack runs a batch's operations in order: the link of a review session created earlier
    # in the same batch is answered (the publish's commit carries its review link this way).
    batch = _session_batch(f"widget-order-{uuid.uuid4().hex[:8]}", {
        "action": "get_widget_url", "name": "review_session"})  # fmt: skip
    reply = ok(embedded_server, batch)[-1]
    assert "/review/" in reply["widget_url"] and batch[1]["entity_key"][0] in reply["widget_url"]


def test_a_bad_widget_request_after_creates_writes_nothing(embedded_server):
    name = f"widget-bogus-{uuid.uuid4().hex[:8]}"
    for widget in ({"name": "bogus"}, {"name": "review_session", "expires_in": -1}):
        batch = _session_batch(name, dict(widget, action="get_widget_url"))
        assert_error(call(embedded_server, batch), 200, "ValidationError")
        assert count(embedded_server, f'select id from Project where name is "{name}"') == 0


def test_a_widget_url_failing_after_the_creates_writes_nothing(embedded_server):
    # all or nothing: a link request answered after the batch's data (in batch order) that
    # fails there (its review session does not exist) fails the whole batch, and the batch's
    # creates are not stored
    name = f"widget-late-{uuid.uuid4().hex[:8]}"
    missing = str(uuid.uuid4())
    for entity_type in ("ReviewSession", "ReviewSessionInvitee"):
        batch = _session_batch(name, {"action": "get_widget_url", "name": "review_session"})
        batch[-1].update(entity_type=entity_type, entity_key=[missing])
        reply = call(embedded_server, batch)
        content = assert_error(reply, 200, "ValidationError")["content"]
        assert count(embedded_server, f'select id from Project where name is "{name}"') == 0
        stored = f'select id from ReviewSession where id is "{batch[1]["entity_key"][0]}"'
        assert count(embedded_server, stored) == 0
        # named as the store's batch names a failed operation, in its place in the batch
        assert "operation 3 (get_widget_url" in content.lower() and missing in content, content
        assert "Nothing in this batch was written" in content, content
