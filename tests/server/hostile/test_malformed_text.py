"""Malformed input gets a clear 4xx and writes nothing, on SQLite and on PostgreSQL (which
refuses a NUL byte in any text): a NUL byte in a sign-in name, in an ``/api`` write or query, in
a desk write, a review note or a path or query string; a desk date whose time zone carries it
past year 9999 or before year 1 (and the keep-alive connection stays usable).

Seen failing first: a NUL byte in the sign-in name answered 500 on PostgreSQL (psycopg
``DataError``); the client-rules dates ``9999-12-31T23:59:59-05:00`` and
``0001-01-01T00:00:00+05:00`` answered 500 (``OverflowError`` in ``desk/writes.py``) on both.
"""

from __future__ import annotations

import socket
from typing import Any, Tuple
from urllib.parse import urlsplit

import pytest
import requests
from support.insiders import (
    Review,
    assert_unchanged,
    item_post,
    personal_widget,
    review_of,
    snapshot,
    token_of,
)
from support.trust import call, create, new_id

from server.signin.people import browser, ft_dcc_user, new_signer, sign_in, signed_in

NUL = "a\x00b"


@pytest.fixture(scope="module")
def supervised(trust_world: Any) -> Tuple[Any, Review, requests.Session, str]:
    """(world, alice's review, a Supervisor's signed-in browser, its CSRF token): one for the
    module's tests, which leave it as it was (each is refused; those that write show nothing
    changed)."""
    world = trust_world
    review = review_of(world, world.alice, private=False)
    supervisor = new_signer(world, "sup")
    given = ft_dcc_user(world, "role", supervisor.name, "--role", "supervisor", "--project",
                        review.published["project"])  # fmt: skip
    assert given.returncode == 0, given.stderr
    session, csrf = signed_in(world, supervisor)
    return world, review, session, csrf


def test_a_nul_byte_in_the_sign_in_name_is_a_wrong_sign_in(trust_world: Any) -> None:
    signer = new_signer(trust_world, "nul")
    before = snapshot(trust_world)
    for name in (signer.name + "\x00", "\x00", NUL):
        reply = sign_in(trust_world, browser(trust_world), name, signer.password)
        assert reply.status_code == 401, (name, reply.status_code, reply.text[:300])
    assert_unchanged(trust_world, before)


def test_a_nul_byte_in_api_text_is_refused_with_nothing_written(trust_world: Any) -> None:
    server = trust_world.server
    before = snapshot(trust_world)
    batches = [
        [create("Project", id=new_id(), name="nul-project", full_name=NUL)],
        [{"action": "query", "expression": f'select id from User where username is "{NUL}"'}],
        [{"action": "query", "expression": 'select id from User where username is "\x00"'}],
        [create("Project", id=new_id(), name="late-project", full_name="late",
                end_date={"__type__": "datetime", "value": "9999-12-31T23:59:59-05:00"})],
        [create("Project", id=new_id(), name="early-project", full_name="early",
                start_date={"__type__": "datetime", "value": "0001-01-01T00:00:00+05:00"})],
    ]
    for batch in batches:
        reply = call(server, batch)
        assert 400 <= reply.status_code < 500, (batch, reply.status_code, reply.text[:300])
    assert_unchanged(trust_world, before)


def test_a_nul_byte_in_a_credential_header_is_refused(trust_world: Any) -> None:
    url = urlsplit(trust_world.url)
    body = b'[{"action": "query", "expression": "select id from Project"}]'
    for header in (b"ftrack-user: a\x00b\r\nftrack-api-key: k", b"ftrack-user: x\r\n"
                   b"ftrack-api-key: \x00", b"Cookie: ft_dcc_signin=\x00"):  # fmt: skip
        with socket.create_connection((url.hostname, url.port), timeout=60) as connection:
            connection.sendall(b"POST /api HTTP/1.1\r\nHost: x\r\nftrack-strict-api: true\r\n"
                               + header + b"\r\nContent-Length: %d\r\n\r\n" % len(body)
                               + body)  # fmt: skip
            head = connection.recv(65536).split(b"\r\n", 1)[0]
        status = int(head.split()[1])
        assert 400 <= status < 500, (header, head)


def test_a_nul_byte_in_a_path_or_query_is_refused(supervised: Any) -> None:
    world, review, session, _csrf = supervised
    for path in (f"/desk/session/{review.session}%00", "/desk/session/%00",
                 f"/review/{review.session}%00?token=x", "/component/get?id=%00&username=a",
                 "/signin/link?token=%00"):  # fmt: skip
        reply = session.get(world.url + path, timeout=60)
        assert 400 <= reply.status_code < 500, (path, reply.status_code, reply.text[:300])


def test_a_nul_byte_in_desk_and_review_text_is_refused(supervised: Any) -> None:
    world, review, session, csrf = supervised
    before = snapshot(world)
    headers = {"X-CSRF-Token": csrf}
    for verb, body in (("rename", {"name": NUL}),
                       ("invite", {"people": [{"email": "c@agency.example", "name": NUL}]}),
                       ("rules", {"passphrase": "four words " + NUL})):  # fmt: skip
        reply = session.post(f"{world.url}/desk/api/session/{review.session}/{verb}", json=body,
                             headers=headers, timeout=60)  # fmt: skip
        assert reply.status_code == 400, (verb, reply.status_code, reply.text[:300])
    token = token_of(personal_widget(world, world.alice, review.session))
    note = item_post(world, review, token, "notes", content=NUL)
    assert 400 <= note.status_code < 500, (note.status_code, note.text[:300])
    assert_unchanged(world, before)


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_a_desk_date_past_the_calendar_is_refused(supervised: Any, when: str) -> None:
    world, review, session, csrf = supervised
    before = snapshot(world)

    reply = session.post(f"{world.url}/desk/api/session/{review.session}/rules",
                         json={"closes": when}, headers={"X-CSRF-Token": csrf},
                         timeout=60)  # fmt: skip

    assert reply.status_code == 400, reply.text[:300]
    assert "date" in reply.json()["error"]
    assert_unchanged(world, before)
    again = session.get(f"{world.url}/desk/api/session/{review.session}", timeout=60)
    assert again.status_code == 200  # the same keep-alive connection still answers
