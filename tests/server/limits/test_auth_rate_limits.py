"""Failed authentication of every kind is rate limited per source address and per target, with
a clear 429 (ftrack's error shape on the API, a plain page in the review room), and nothing
logged that helps a guesser; successful requests are never counted (count-based, no timing:
the window is an hour here, injected through the environment).

Sources are told apart by binding the client to other loopback addresses (127.0.0.2, …).

Seen failing first: every wrong key, forged review token and forged signature was answered
401/403 however many came before (the right key after them was answered 200): no 429 at all.
"""

from __future__ import annotations

import http.client
import json
import uuid
from typing import Any, Dict, Iterator, Optional, Tuple
from urllib.parse import urlsplit

import pytest
from support.trust import add_api_user, server_with_env

PER_SOURCE = 6
PER_TARGET = 10
QUERY = [{"action": "query", "expression": "select id from Project limit 1"}]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The module's server with small limits and a window of an hour. Its tests share it: each
    guesses from source addresses of its own and at targets of its own (a new user, a random
    session or upload), so no test's count reaches another's."""
    env = {"FT_DCC_AUTH_WINDOW": "3600", "FT_DCC_AUTH_FAILURES_PER_SOURCE": str(PER_SOURCE),
           "FT_DCC_AUTH_FAILURES_PER_TARGET": str(PER_TARGET)}  # fmt: skip
    with server_with_env(tmp_path_factory.mktemp("guarded"), env) as server:
        yield server


def send(
    server: Any, method: str, path: str, source: str, body: Optional[Any] = None,
    headers: Optional[Dict[str, str]] = None,
) -> Tuple[int, Dict[str, str], bytes]:  # fmt: skip
    """One request from the loopback address ``source``: status, headers, body."""
    url = urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60,
                                            source_address=(source, 0))  # fmt: skip
    try:
        data = None if body is None else json.dumps(body).encode("utf-8")
        connection.request(method, path, body=data, headers=dict(headers or {}))
        reply = connection.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read()
    finally:
        connection.close()


def api(server: Any, source: str, user: str, key: str) -> Tuple[int, Dict[str, str], bytes]:
    headers = {"ftrack-user": user, "ftrack-api-key": key, "ftrack-strict-api": "true",
               "content-type": "application/json"}  # fmt: skip
    return send(server, "POST", "/api", source, QUERY, headers)


def test_after_failures_from_a_source_its_right_key_is_refused_429(guarded: Any) -> None:
    name = "victim-" + uuid.uuid4().hex[:6]
    _user_id, key = add_api_user(guarded, name)
    wrong = ["wrong-" + uuid.uuid4().hex for _ in range(PER_SOURCE)]
    assert [api(guarded, "127.0.0.2", name, guess)[0] for guess in wrong] == [401] * PER_SOURCE

    status, headers, body = api(guarded, "127.0.0.2", name, key)  # the RIGHT key

    assert status == 429, body[:300]
    error = json.loads(body)
    assert error["exception"] == "RateLimitError" and "try again in" in error["content"]
    assert int(headers["retry-after"]) > 60  # the window is an hour
    assert api(guarded, "127.0.0.3", name, key)[0] == 200  # another source is not locked
    other = "other-" + uuid.uuid4().hex[:6]
    other_key = add_api_user(guarded, other)[1]
    assert api(guarded, "127.0.0.2", other, other_key)[0] == 429  # the source is locked
    assert api(guarded, "127.0.0.2", guarded.api_user, guarded.api_key)[0] == 200  # found right
    log = guarded.stderr_path.read_text(errors="replace") + guarded.request_log.read_text()
    assert not [guess for guess in wrong if guess in log], "a guessed key was logged"
    assert key not in log


def test_after_failures_on_a_target_only_a_key_proved_right_reaches_it(guarded: Any) -> None:
    """No source is exempt, not even one that signed in to the target before (behind a proxy
    every client shares its address); a key the server already found right is no guess."""
    name = "target-" + uuid.uuid4().hex[:6]
    _user_id, key = add_api_user(guarded, name)
    assert api(guarded, "127.0.0.20", name, key)[0] == 200  # the owner's farm node, earlier
    sources = [f"127.0.0.{21 + index // 2}" for index in range(PER_TARGET)]  # 2 guesses each
    statuses = [api(guarded, source, name, "guess-" + uuid.uuid4().hex)[0] for source in sources]
    assert statuses == [401] * PER_TARGET

    assert api(guarded, "127.0.0.20", name, "guess-again")[0] == 429  # from the farm's address
    assert api(guarded, "127.0.0.20", name, key)[0] == 200  # the key found right before
    assert api(guarded, "127.0.0.40", name, key)[0] == 200  # wherever it comes from
    assert api(guarded, "127.0.0.40", guarded.api_user, guarded.api_key)[0] == 200  # others


def test_successful_requests_are_never_counted(guarded: Any) -> None:
    statuses = [api(guarded, "127.0.0.50", guarded.api_user, guarded.api_key)[0]
                for _ in range(3 * PER_SOURCE)]  # fmt: skip
    assert statuses == [200] * (3 * PER_SOURCE)
    for _ in range(PER_SOURCE - 1):
        assert api(guarded, "127.0.0.50", guarded.api_user, "wrong")[0] == 401
    assert api(guarded, "127.0.0.50", guarded.api_user, guarded.api_key)[0] == 200


def test_forged_review_links_are_refused_429_with_a_plain_page(guarded: Any) -> None:
    session = str(uuid.uuid4())
    statuses = [send(guarded, "GET", f"/review/{session}?token=e30.{uuid.uuid4().hex}",
                     "127.0.0.60")[0] for _ in range(PER_SOURCE)]  # fmt: skip
    assert 429 not in statuses and all(400 <= status < 500 for status in statuses)

    status, headers, body = send(guarded, "GET", f"/review/{session}?token=e30.x", "127.0.0.60")

    assert status == 429
    assert headers["content-type"].startswith("text/plain") and b"try again in" in body


def test_forged_upload_signatures_are_refused_429(guarded: Any) -> None:
    path = f"/file-upload/{uuid.uuid4()}?token=eyJrIjoidXBsb2FkIn0."
    statuses = [send(guarded, "PUT", path + uuid.uuid4().hex, "127.0.0.70", "x")[0]
                for _ in range(PER_SOURCE)]  # fmt: skip
    assert statuses == [403] * PER_SOURCE

    status, _headers, body = send(guarded, "PUT", path + "forged", "127.0.0.70", "x")

    assert status == 429
    assert json.loads(body)["exception"] == "RateLimitError"
