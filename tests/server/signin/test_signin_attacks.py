"""The sign-in under attack (SQLite; PostgreSQL with 4 workers): guesses sent at once are judged
no more than the limit allows, made-up one-time links from one address lock no one else's link,
a password change, deactivation or reactivation ends every outstanding one-time link, and a
name that signed in from an address is limited there like anywhere else.

Sources are told apart by binding the client to other loopback addresses (127.0.0.x), so these
tests do not spend the shared server's budget of 127.0.0.1.

Seen failing first: 16 sign-ins of one name at once were all judged (limit 10); 12 made-up link
GETs from one address made a real user's link answer 429 from another; a link printed before a
password change (or a deactivation and reactivation) still signed in; after one right sign-in
from an address, wrong passwords from it were never refused.
"""

from __future__ import annotations

import http.client
import uuid
from typing import Any, Dict, Optional
from urllib.parse import urlencode, urlsplit

from support.together import at_once
from support.trust import call, update

from server.signin.people import ft_dcc_user, new_signer, signed_in, who
from server.signin.test_signin_grants import LINK

#: FT_DCC_SIGNIN_FAILURES_PER_USER's default
PER_USER = 10
FORM = {"content-type": "application/x-www-form-urlencoded", "accept": "text/html"}


def post_from(world: Any, source: str, path: str, fields: Optional[Dict[str, str]] = None,
              method: str = "POST") -> int:  # fmt: skip
    """``method path`` (a form of ``fields``) from the loopback address ``source``: its status."""
    url = urlsplit(world.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120,
                                            source_address=(source, 0))  # fmt: skip
    try:
        body = urlencode(fields or {}) if method == "POST" else None
        connection.request(method, path, body=body, headers={**FORM, "origin": world.url})
        reply = connection.getresponse()
        reply.read()
        return reply.status
    finally:
        connection.close()


def printed_link(world: Any, name: str) -> str:
    printed = ft_dcc_user(world, "signin-link", name)
    assert printed.returncode == 0, printed.stderr
    found = LINK.search(printed.stdout)
    assert found is not None, printed.stdout + printed.stderr
    return found.group(1)


def test_sixteen_guesses_at_once_are_judged_no_more_than_the_limit(trust_world: Any) -> None:
    signer = new_signer(trust_world, "rushed")

    def guess(index: int) -> int:
        password = signer.password if index == 7 else f"guess {index}"
        return post_from(trust_world, "127.0.0.81", "/signin",
                         {"username": signer.name, "password": password})  # fmt: skip

    statuses = at_once(16, guess)

    # the limit is on failures: the right password gives its place back once judged, so a
    # wrong guess that arrives after it may take that place (11 judged, 10 of them wrong)
    wrong = [status for status in statuses if status == 401]
    judged = [status for status in statuses if status != 429]
    assert set(statuses) <= {303, 401, 429}, statuses
    assert len(wrong) <= PER_USER, f"{len(wrong)} wrong guesses of 16 judged: {statuses}"
    assert len(judged) <= PER_USER + 1, f"{len(judged)} of 16 judged: {statuses}"
    after = post_from(trust_world, "127.0.0.82", "/signin",
                      {"username": signer.name, "password": signer.password})  # fmt: skip
    assert after in (303, 429)  # the name's window holds at most the limit, judged or not


def test_made_up_links_from_one_address_lock_no_real_link_elsewhere(trust_world: Any) -> None:
    made_up = [post_from(trust_world, "127.0.0.83", f"/signin/link?token={uuid.uuid4().hex}",
                         method="GET") for _ in range(PER_USER + 2)]  # fmt: skip
    assert set(made_up) <= {403, 429} and made_up[0] == 403, made_up
    signer = new_signer(trust_world, "linkholder")
    link = printed_link(trust_world, signer.name)

    looked = post_from(trust_world, "127.0.0.84", link, method="GET")
    used = post_from(trust_world, "127.0.0.84", link)

    assert looked == 200, "a stranger's made-up links locked a real user's link"
    assert used == 303


def test_a_password_change_ends_every_outstanding_link(trust_world: Any) -> None:
    signer = new_signer(trust_world, "changed")
    link = printed_link(trust_world, signer.name)
    done = ft_dcc_user(trust_world, "password", signer.name, "--password-stdin",
                       password="another password 456")  # fmt: skip
    assert done.returncode == 0, done.stderr

    looked = post_from(trust_world, "127.0.0.85", link, method="GET")
    used = post_from(trust_world, "127.0.0.85", link)

    assert (looked, used) == (403, 403), "a link printed before the password change signed in"


def test_a_password_set_on_the_page_ends_every_outstanding_link(trust_world: Any) -> None:
    signer = new_signer(trust_world, "pagechanged")
    link = printed_link(trust_world, signer.name)
    session, csrf = signed_in(trust_world, signer)
    new = "a page-set password 789"
    done = session.post(f"{trust_world.url}/signin/password", allow_redirects=False, timeout=60,
                        data={"csrf_token": csrf, "current": signer.password, "new": new,
                              "again": new})  # fmt: skip
    assert done.status_code == 303, done.text[:500]

    used = post_from(trust_world, "127.0.0.85", link)

    assert used == 403, "a link printed before the password change signed in"
    assert who(trust_world, session) == signer.name  # the browser that set it stays signed in


def test_deactivating_and_reactivating_ends_every_outstanding_link(trust_world: Any) -> None:
    signer = new_signer(trust_world, "returning")
    link = printed_link(trust_world, signer.name)
    for active in (False, True):
        reply = call(trust_world.server, [update("User", signer.user_id, is_active=active)])
        assert reply.status_code == 200, reply.text

    used = post_from(trust_world, "127.0.0.86", link)

    assert used == 403, "a link printed before the deactivation signed in after it"


def test_a_name_that_signed_in_from_an_address_is_still_limited_there(trust_world: Any) -> None:
    signer = new_signer(trust_world, "known")
    right = {"username": signer.name, "password": signer.password}
    assert post_from(trust_world, "127.0.0.87", "/signin", right) == 303

    wrong = [post_from(trust_world, "127.0.0.87", "/signin",
                       {"username": signer.name, "password": f"guess {n}"})
             for n in range(PER_USER + 1)]  # fmt: skip

    assert wrong[:PER_USER] == [401] * PER_USER
    assert wrong[PER_USER] == 429, "a name that signed in once was never limited from there"
