"""No input gets a 5xx: validation gaps, stalled bodies, vanished clients."""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.parse
from typing import Any, Iterator

import pytest
import requests
from support.trust import (
    call,
    create,
    make_task,
    new_id,
    ok,
    publish,
    query,
    refused,
    start_server,
    update,
)

BODY_TIMEOUT = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    previous = os.environ.get("FT_DCC_BODY_TIMEOUT")
    os.environ["FT_DCC_BODY_TIMEOUT"] = str(BODY_TIMEOUT)
    try:
        running = start_server(tmp_path_factory.mktemp("no5xx"))
    finally:
        if previous is None:
            os.environ.pop("FT_DCC_BODY_TIMEOUT", None)
        else:
            os.environ["FT_DCC_BODY_TIMEOUT"] = previous
    yield running
    running.stop()


def raw_api(server: Any, body: str) -> requests.Response:
    headers = {"ftrack-user": server.api_user, "ftrack-api-key": server.api_key,
               "ftrack-strict-api": "true", "content-type": "application/json"}  # fmt: skip
    return requests.post(server.url + "/api", data=body.encode("utf-8"), headers=headers)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", "0", "-5", "true"])
def test_widget_url_expiry_must_be_a_finite_positive_number(server: Any, value: str) -> None:
    body = '[{"action":"get_widget_url","name":"review_session","expires_in":VALUE}]'
    body = body.replace("VALUE", value)
    refused(raw_api(server, body), 400, "ValidationError")


def test_a_task_needs_a_parent_and_versions_count_from_one(server: Any) -> None:
    body = refused(call(server, [create("Task", name="orphan")]), 400, "ValidationError")
    assert "needs a parent" in body["content"]
    task = make_task(server)
    asset = new_id()
    ok(server, [create("Asset", id=asset, name="a", context_id=task["shot"])])
    for version in (-1, 0):
        made = create("AssetVersion", asset_id=asset, version=version)
        assert "from 1 up" in refused(call(server, [made]), 400, "ValidationError")["content"]
    published = publish(server, task)
    refused(call(server, [update("AssetVersion", published["version"], version=-1)]), 400,
            "ValidationError")  # fmt: skip
    assert (
        query(server, f'select version from AssetVersion where id is "{published["version"]}"')[0][
            "version"
        ]
        == 1
    )


def test_an_update_naming_another_entity_type_is_refused(server: Any) -> None:
    task = make_task(server)
    wrong = update("Task", task["task"], name="renamed")
    wrong["entity_data"]["__entity_type__"] = "AssetVersion"
    body = refused(call(server, [wrong]), 400, "ValidationError")
    assert "__entity_type__" in body["content"]
    assert query(server, f'select name from Task where id is "{task["task"]}"')[0]["name"] == "comp"


def test_review_page_requests_with_bad_input_are_client_errors(server: Any) -> None:
    task = make_task(server)
    published = publish(server, task)
    session, item, invitee = new_id(), new_id(), new_id()
    ok(server, [create("ReviewSession", id=session, name="D", project_id=task["project"]),
                create("ReviewSessionObject", id=item, name="o", review_session_id=session,
                       version_id=published["version"]),
                create("ReviewSessionInvitee", id=invitee, name="I", email="i@x.example",
                       review_session_id=session)])  # fmt: skip
    # An invitee's link: a session's shared link writes nothing until its holder says who
    # they are (tests/server/review/test_room_link.py).
    link = ok(server, [{"action": "get_widget_url", "name": "review_session",
                        "entity_type": "ReviewSessionInvitee",
                        "entity_key": [invitee]}])[0]  # fmt: skip
    token = urllib.parse.parse_qs(urllib.parse.urlparse(link["widget_url"]).query)["token"][0]
    notes = f"{server.url}/review/{session}/notes"
    bodies = [
        '{"object_id": "ITEM", "content": "\\ud800"}',  # a lone surrogate
        '{"object_id": "ITEM", "content": "hi", "frame": 1e400}',
        '{"object_id": "ITEM", "content": 5}',
        "[]",
        "\udcff",  # the byte 0xff: not UTF-8
    ]
    for body in bodies:
        data = body.replace("ITEM", item).encode("utf-8", "surrogateescape")
        response = requests.post(notes, params={"token": token}, data=data)
        assert response.status_code == 400, (body, response.status_code, response.text)
    assert not any(requests.get(notes, params={"token": token}).json().values())


def _send_raw(server: Any, head: bytes, body: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.sendall(head + body)
    return sock


def _api_head(server: Any, length: int) -> bytes:
    return (
        f"POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"ftrack-user: {server.api_user}\r\nftrack-api-key: {server.api_key}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode("ascii")


def test_a_body_that_never_finishes_times_out(server: Any) -> None:
    # the server must answer 408 by itself: a recv that waits longer than this fails the test
    sock = _send_raw(server, _api_head(server, 1000), b'[{"action": "query_')
    sock.settimeout(BODY_TIMEOUT + 60)
    data = b""
    try:
        while b"RequestTimeoutError" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    answer = data.decode("latin-1")
    assert answer.startswith("HTTP/1.1 408"), answer[:300]
    assert "RequestTimeoutError" in answer


def test_a_client_disconnect_is_not_an_unhandled_500(server: Any) -> None:
    mark = server.log_mark()
    sock = _send_raw(server, _api_head(server, 1000), b'[{"action": ')
    sock.close()
    deadline = time.monotonic() + BODY_TIMEOUT + 20
    while time.monotonic() < deadline and not server.requests_since(mark):
        time.sleep(0.2)
    logged = server.requests_since(mark)
    assert logged and all(entry["status"] != 500 for entry in logged), logged
    log_text = server.stderr_path.read_text(errors="replace")
    assert "unhandled error" not in log_text and "Traceback" not in log_text
    ok(server, [{"action": "query_server_information"}])


def test_strings_that_cannot_be_stored_are_refused_not_crashed(server: Any) -> None:
    body = json.dumps([create("Project", name="\ud800", full_name="x")], ensure_ascii=True)
    response = raw_api(server, body)
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_date_time_outside_the_years_utc_holds_is_refused_not_crashed(
    server: Any, when: str
) -> None:
    """A date-time whose UTC time falls before year 1 or after 9999 (written in a time zone:
    valid as written): refused as a bad value, written or asked for, naming it; nothing made."""
    name = f"p{new_id()[:8]}"
    made = create("Project", name=name, full_name="x", start_date=when)
    body = refused(call(server, [made]), 400, "ValidationError")
    assert when in body["content"] and "9999" in body["content"], body
    assert query(server, f'select id from Project where name is "{name}"') == []
    asked = {"action": "query", "expression": f'select id from Project where start_date > "{when}"'}
    body = refused(call(server, [asked]), 400, "ValidationError")
    assert when in body["content"], body
