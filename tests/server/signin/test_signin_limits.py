"""Wrong passwords counted per source address, the one the server proved (a server of its own
with small limits): past the limit a source is refused (429) whatever name it tries, the right
password too, and an ``X-Forwarded-For`` it sends changes nothing (no proxy is trusted); another
source signs in. Made-up one-time links lock their own source, never a real link opened from
elsewhere."""

from __future__ import annotations

import http.client
import os
from typing import Any, Dict, Iterator, Optional
from urllib.parse import urlencode, urlsplit

import pytest
from support.cli import run_ft_dcc
from support.trust import server_with_env

from server.signin.people import password_on

PER_SOURCE = 6


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The module's server with small limits; its tests guess from source addresses of their
    own, as users of their own, so no test's count reaches another's."""
    env = {"FT_DCC_AUTH_WINDOW": "3600", "FT_DCC_AUTH_FAILURES_PER_SOURCE": str(PER_SOURCE),
           "FT_DCC_SIGNIN_FAILURES_PER_USER": "1000"}  # fmt: skip
    with server_with_env(tmp_path_factory.mktemp("guarded"), env) as server:
        yield server


def sign_in(server: Any, source: str, name: str, password: str,
            headers: Optional[Dict[str, str]] = None) -> int:
    """POST the sign-in form from the loopback address ``source``; the status."""
    url = urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60,
                                            source_address=(source, 0))  # fmt: skip
    try:
        body = urlencode({"username": name, "password": password})
        connection.request("POST", "/signin", body=body, headers={
            "content-type": "application/x-www-form-urlencoded", **(headers or {})})  # fmt: skip
        reply = connection.getresponse()
        reply.read()
        return reply.status
    finally:
        connection.close()


def test_a_source_past_the_limit_is_refused_whatever_name_it_tries(guarded: Any) -> None:
    name, password = password_on(guarded, "src")
    guesses = [sign_in(guarded, "127.0.0.31", f"someone-{n}", "guess") for n in range(PER_SOURCE)]
    assert guesses == [401] * PER_SOURCE

    right = sign_in(guarded, "127.0.0.31", name, password)
    disguised = sign_in(guarded, "127.0.0.31", name, password, {"X-Forwarded-For": "10.1.2.3"})
    elsewhere = sign_in(guarded, "127.0.0.32", name, password)

    assert right == 429, "the right password was let in from a locked source"
    assert disguised == 429, "an X-Forwarded-For no proxy sent moved the count"
    assert elsewhere == 303


def get_from(server: Any, source: str, path: str) -> int:
    """GET ``path`` from the loopback address ``source``; the status."""
    url = urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60,
                                            source_address=(source, 0))  # fmt: skip
    try:
        connection.request("GET", path, headers={"accept": "text/html"})
        reply = connection.getresponse()
        reply.read()
        return reply.status
    finally:
        connection.close()


def test_made_up_links_lock_their_source_and_no_one_else(guarded: Any) -> None:
    made_up = [get_from(guarded, "127.0.0.33", f"/signin/link?token={n}x")
               for n in range(PER_SOURCE)]  # fmt: skip
    assert made_up == [403] * PER_SOURCE
    name, _password = password_on(guarded, "lnk")
    printed = run_ft_dcc(["user", "signin-link", name, "--data", str(guarded.data_dir)],
                         env=dict(os.environ))  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    link = "/signin/link" + printed.stdout.strip().split("/signin/link", 1)[1]

    assert get_from(guarded, "127.0.0.33", link) == 429  # the guessing source: locked
    assert get_from(guarded, "127.0.0.34", link) == 200  # the link's holder, elsewhere
