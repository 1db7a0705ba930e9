"""People sign in at ``/`` with a user name and password (SQLite; PostgreSQL with 4 workers):
a browser gets the sign-in page, an API client today's JSON; the cookie is HttpOnly, SameSite
and opaque; a signed-in browser's writes need the sign-in's CSRF token; signing out ends it.
"""

from __future__ import annotations

from typing import Any

import requests
from support.insiders import assert_unchanged, snapshot

from server.signin.people import (
    browser,
    cookie_header,
    csrf_of,
    new_signer,
    sign_in,
    signed_in,
    who,
)

#: today's answer of ``GET /`` to an API client, byte for byte (but the version)
API_INDEX = b'{"name":"ft_dcc embedded ftrack server","version":"%s","api":"/api"}'


def test_an_api_client_still_gets_the_json_answer(trust_world: Any) -> None:
    reply = requests.get(f"{trust_world.url}/", timeout=60)

    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/json")
    version = reply.json()["version"]
    assert reply.content == API_INDEX % version.encode()


def test_a_browser_gets_the_sign_in_form(trust_world: Any) -> None:
    reply = browser(trust_world).get(f"{trust_world.url}/", timeout=60)

    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert 'action="/signin"' in reply.text
    assert 'type="password"' in reply.text and 'autocomplete="current-password"' in reply.text
    assert "script" not in reply.headers["content-security-policy"]


def test_the_right_password_signs_in_with_an_opaque_httponly_cookie(trust_world: Any) -> None:
    signer = new_signer(trust_world)
    session = browser(trust_world)

    reply = sign_in(trust_world, session, signer.name, signer.password)

    assert reply.status_code == 303, reply.text[:500]
    assert reply.headers["location"] == "/desk/"
    cookie = cookie_header(reply)
    assert cookie["name"] == "ft_dcc_signin"
    assert cookie["httponly"] == "yes" and cookie["samesite"].lower() == "lax"
    assert "secure" not in cookie  # plain http here; https sets it
    assert signer.key not in reply.text and signer.key not in str(reply.headers)
    assert who(trust_world, session) == signer.name


def test_a_wrong_password_does_not_sign_in(trust_world: Any) -> None:
    signer = new_signer(trust_world)
    session = browser(trust_world)

    reply = sign_in(trust_world, session, signer.name, signer.password + "x")

    assert reply.status_code == 401
    assert "do not match" in reply.text
    assert "set-cookie" not in reply.headers
    assert who(trust_world, session) is None


def test_sign_out_needs_the_csrf_token_and_ends_the_sign_in(trust_world: Any) -> None:
    signer = new_signer(trust_world)
    session, csrf = signed_in(trust_world, signer)

    for sent in ({}, {"csrf_token": "0" * 64}):
        refused = session.post(f"{trust_world.url}/signout", data=sent, allow_redirects=False,
                               timeout=60)  # fmt: skip
        assert refused.status_code == 403, refused.text[:500]
        assert "CSRF token" in refused.text and "set-cookie" not in refused.headers
        assert who(trust_world, session) == signer.name  # nothing changed

    done = session.post(f"{trust_world.url}/signout", data={"csrf_token": csrf},
                        allow_redirects=False, timeout=60)  # fmt: skip

    assert done.status_code == 303
    assert who(trust_world, session) is None
    again = session.post(f"{trust_world.url}/signout", data={"csrf_token": csrf},
                         allow_redirects=False, timeout=60)  # fmt: skip
    assert again.status_code == 303  # nothing left to end


def test_a_csrf_token_is_this_sign_ins_only(trust_world: Any) -> None:
    signer = new_signer(trust_world)
    first, first_csrf = signed_in(trust_world, signer)
    second, second_csrf = signed_in(trust_world, signer)
    assert first_csrf != second_csrf
    before = snapshot(trust_world)

    refused = first.post(f"{trust_world.url}/signout", data={"csrf_token": second_csrf},
                         allow_redirects=False, timeout=60)  # fmt: skip

    assert refused.status_code == 403
    assert_unchanged(trust_world, before)
    assert who(trust_world, first) == who(trust_world, second) == signer.name
    assert csrf_of(trust_world, first) == first_csrf
