"""The sign-in behind a TLS-terminating proxy (``--forwarded-allow-ips``): the cookie is
``Secure`` when the request came over https, and the rate limit counts the source the proxy
names; no password, cookie or link token reaches the request log; a sign-in form posted from
another site's page is refused (no one signs a browser in to an account of theirs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from support.trust import start_server

from server.signin.people import PAGE, cookie_header, password_on


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server that believes the proxy at 127.0.0.1, and a user with a password."""
    server = start_server(tmp_path_factory.mktemp("signin-proxied"),
                          ["--forwarded-allow-ips", "127.0.0.1"])  # fmt: skip
    yield server
    server.stop()


def _post(server: Any, headers: Any, name: str, password: str) -> Any:
    return requests.post(f"{server.url}/signin", data={"username": name, "password": password},
                         headers={**PAGE, **headers}, allow_redirects=False,
                         timeout=60)  # fmt: skip


def test_the_cookie_is_secure_over_https(proxied: Any) -> None:
    name, password = password_on(proxied, "tls", from_file=True)

    over_https = _post(proxied, {"X-Forwarded-Proto": "https"}, name, password)
    over_http = _post(proxied, {}, name, password)

    assert over_https.status_code == 303 and over_http.status_code == 303
    assert cookie_header(over_https)["secure"] == "yes"
    assert "secure" not in cookie_header(over_http)


def test_the_request_log_holds_no_password_nor_cookie(proxied: Any) -> None:
    name, password = password_on(proxied, "tls", from_file=True)
    signed = _post(proxied, {}, name, password)
    cookie = cookie_header(signed)["value"]

    requests.get(f"{proxied.url}/", headers=PAGE, cookies={"ft_dcc_signin": cookie}, timeout=60)
    log = Path(proxied.request_log).read_text(encoding="utf-8")

    assert "/signin" in log
    assert password not in log and cookie not in log


@pytest.mark.parametrize("headers", [{"Origin": "http://elsewhere.example"},
                                     {"Sec-Fetch-Site": "cross-site"},
                                     {"Sec-Fetch-Site": "same-site"}])  # fmt: skip
def test_a_sign_in_form_from_another_site_is_refused(proxied: Any, headers: Any) -> None:
    name, password = password_on(proxied, "tls", from_file=True)

    reply = _post(proxied, headers, name, password)

    assert reply.status_code == 403
    assert "another site" in reply.text
    assert "set-cookie" not in reply.headers
