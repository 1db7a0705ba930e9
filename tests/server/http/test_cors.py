"""The server's CORS policy: only the configured origins (``--cors-origin`` or
``FT_DCC_CORS_ORIGINS``) may call it from a browser, with the credentials in the ftrack headers
(``credentials: include`` as ftrack's JavaScript client sends), and preflights are answered."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
import requests
from support.trust import start_server

ALLOWED = "http://review.example:8080"
PREFLIGHT_HEADERS = "content-type,ftrack-user,ftrack-api-key,ftrack-clienttoken,ftrack-pushtoken"


@pytest.fixture(scope="module")
def cors_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    server = start_server(tmp_path_factory.mktemp("cors"), ["--cors-origin", ALLOWED])
    yield server
    server.stop()


def _preflight(server: Any, origin: str, path: str = "/api", method: str = "POST") -> Any:
    return requests.options(server.url + path, timeout=30, headers={
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": PREFLIGHT_HEADERS})  # fmt: skip


def test_preflight_from_an_allowed_origin(cors_server) -> None:
    response = _preflight(cors_server, ALLOWED)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"
    allowed_headers = response.headers["access-control-allow-headers"].split(",")
    allowed = {h.strip().lower() for h in allowed_headers}
    assert set(PREFLIGHT_HEADERS.split(",")) <= allowed
    assert "POST" in response.headers["access-control-allow-methods"]
    upload = _preflight(cors_server, ALLOWED, "/component/upload", "PUT")
    assert upload.status_code == 200


def test_a_call_from_an_allowed_origin_can_read_the_reply(cors_server) -> None:
    response = requests.post(cors_server.url + "/api", timeout=30, json=[
        {"action": "query_server_information"}], headers={
        "Origin": ALLOWED, "ftrack-user": cors_server.api_user,
        "ftrack-api-key": cors_server.api_key})  # fmt: skip
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "etag" in response.headers["access-control-expose-headers"].lower()
    assert "origin" in response.headers["vary"].lower()


@pytest.mark.parametrize("origin", ["http://evil.example", "http://review.example:8081", "null"])
def test_other_origins_are_refused(cors_server, origin) -> None:
    response = _preflight(cors_server, origin)
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    call = requests.post(cors_server.url + "/api", timeout=30, json=[
        {"action": "query_server_information"}], headers={
        "Origin": origin, "ftrack-user": cors_server.api_user,
        "ftrack-api-key": cors_server.api_key})  # fmt: skip
    assert "access-control-allow-origin" not in call.headers


def test_by_default_no_origin_is_allowed_and_preflights_are_answered(embedded_server) -> None:
    response = _preflight(embedded_server, ALLOWED)
    assert response.status_code == 400, (response.status_code, response.text)
    assert "access-control-allow-origin" not in response.headers


def test_origins_from_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FT_DCC_CORS_ORIGINS", f"{ALLOWED}, http://other.example")
    server = start_server(tmp_path)
    try:
        for origin in (ALLOWED, "http://other.example"):
            response = _preflight(server, origin)
            assert response.headers.get("access-control-allow-origin") == origin
    finally:
        server.stop()
