"""Proxy headers only from configured proxies: ``X-Forwarded-For`` names a request's source only
when the peer that connected is one of ``ft-dcc server --forwarded-allow-ips`` (none by default),
so the per-source limits and the audit trail's ``source`` count the address the server proved.

Seen failing first: uvicorn believed ``X-Forwarded-For`` from 127.0.0.1 by default: 360 wrong
API keys from 127.0.0.1, each claiming another address, were all answered 401 (no 429), and the
audit entry of a session made from 127.0.0.1 named the claimed 203.0.113.7 as its source; the
option did not exist (the server refused to start with it).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from support.cli import run_ft_dcc
from support.trust import create, make_task, ok, start_server

from .test_auth_rate_limits import send

PER_SOURCE = 300  # the default
GUESSES = 360
QUERY = [{"action": "query", "expression": "select id from Project limit 1"}]


@pytest.fixture(scope="module", params=["sqlite", "postgresql-4-workers"])
def plain_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """A server of this module's own with the default limits and no proxy option, its window
    an hour (so that it never turns during the test)."""
    args: List[str] = []
    if request.param != "sqlite":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database("proxies", template=cluster.template)
        args = ["--database", url, "--workers", "4"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FT_DCC_AUTH_WINDOW", "3600")
        server = start_server(tmp_path_factory.mktemp(f"proxies-{request.param}"), args)
    yield server
    server.stop()


def wrong_key(server: Any, source: str, claimed: str) -> int:
    headers = {"ftrack-user": "ghost-" + uuid.uuid4().hex[:8], "ftrack-api-key": "wrong",
               "ftrack-strict-api": "true", "content-type": "application/json",
               "x-forwarded-for": claimed}  # fmt: skip
    return send(server, "POST", "/api", source, QUERY, headers)[0]


@pytest.mark.slow
def test_wrong_keys_claiming_other_addresses_count_against_the_real_one(plain_server: Any) -> None:
    statuses = [wrong_key(plain_server, "127.0.0.1", f"10.{i // 250}.{i % 250}.9")
                for i in range(GUESSES)]  # fmt: skip

    assert statuses[:PER_SOURCE] == [401] * PER_SOURCE
    assert statuses[PER_SOURCE:] == [429] * (GUESSES - PER_SOURCE)


def session_source(server: Any, source: str, claimed: str) -> str:
    """The audit source of a review session made from ``source`` claiming ``claimed``."""
    task = make_task(server)
    made = create("ReviewSession", name="proxied", project_id=task["project"])
    headers = {"ftrack-user": server.api_user, "ftrack-api-key": server.api_key,
               "ftrack-strict-api": "true", "content-type": "application/json",
               "x-forwarded-for": claimed}  # fmt: skip
    status, _headers, body = send(server, "POST", "/api", source, [made], headers)
    assert status == 200, body[:500]
    session_id = made["entity_key"][0]
    reply = ok(server, [{"action": "ft_dcc.audit", "review_session_id": session_id}])
    entries: List[Dict[str, Any]] = reply[0]["entries"]
    return str(next(e for e in entries if e["act"] == "session.changed")["source"])


def test_the_audit_source_is_the_peer_not_a_claim(server_on_each_backend: Any) -> None:
    assert session_source(server_on_each_backend, "127.0.0.1", "203.0.113.7") == "127.0.0.1"


@pytest.fixture(scope="module")
def behind_a_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server that believes the proxy 127.0.0.4 (and no one else)."""
    server = start_server(tmp_path_factory.mktemp("proxied"),
                          ["--forwarded-allow-ips", "127.0.0.4"])  # fmt: skip
    yield server
    server.stop()


def test_a_configured_proxy_names_the_client(behind_a_proxy: Any) -> None:
    assert session_source(behind_a_proxy, "127.0.0.4", "203.0.113.8") == "203.0.113.8"
    assert session_source(behind_a_proxy, "127.0.0.5", "203.0.113.8") == "127.0.0.5"
    assert session_source(behind_a_proxy, "127.0.0.1", "203.0.113.8") == "127.0.0.1"


def test_a_huge_claim_through_the_proxy_is_cut_first(behind_a_proxy: Any) -> None:
    """Seen failing first (the proxy trusted, the trail's pattern as it was): a 60,000-letter
    ``X-Forwarded-For`` was scrubbed whole by the audit trail's quadratic pattern, and the
    request not answered within 60 s (12,000 letters: 5.6 s)."""
    source = session_source(behind_a_proxy, "127.0.0.4", "a" * 60_000)
    assert source == "a" * 200


def test_a_proxy_option_that_is_no_address_is_refused(tmp_path: Path) -> None:
    result = run_ft_dcc(["server", "--data", str(tmp_path / "data"), "--port", "1",
                         "--forwarded-allow-ips", "proxy.example"])  # fmt: skip
    assert result.returncode == 1
    assert "--forwarded-allow-ips" in result.stderr and "proxy.example" in result.stderr
    assert "Traceback" not in result.stderr
