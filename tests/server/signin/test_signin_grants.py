"""What ends a sign-in and what limits it (SQLite; PostgreSQL with 4 workers, each request on a
new connection, so any worker answers): wrong passwords are refused with 429 past the limit, the
right one too; a one-time link signs in once; a new password or a deactivated User ends the
sign-in at the next request; no ``/api`` query answers a password or its hash.
"""

from __future__ import annotations

import re
from typing import Any

from support.trust import call, query, update

from server.signin.people import (
    browser,
    ft_dcc_user,
    new_signer,
    sign_in,
    signed_in,
    who,
)

#: FT_DCC_SIGNIN_FAILURES_PER_USER's default
PER_USER = 10
#: the path of a printed link (its address is the server's URL as the data dir records it)
LINK = re.compile(r"https?://\S+?(/signin/link\?token=[A-Za-z0-9_-]+)")


def test_wrong_passwords_are_refused_with_429_past_the_limit_the_right_one_too(
    trust_world: Any,
) -> None:
    signer = new_signer(trust_world, "guessed")
    wrong = [sign_in(trust_world, browser(trust_world), signer.name, f"guess {n}").status_code
             for n in range(PER_USER)]  # fmt: skip
    assert wrong == [401] * PER_USER

    locked = sign_in(trust_world, browser(trust_world), signer.name, "guess again")
    right = sign_in(trust_world, browser(trust_world), signer.name, signer.password)

    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1
    assert right.status_code == 429, "the right password was let in while the name was locked"
    assert "set-cookie" not in right.headers
    assert "try again in" in right.text


def test_a_one_time_link_signs_in_once(trust_world: Any) -> None:
    signer = new_signer(trust_world, "linked")
    printed = ft_dcc_user(trust_world, "signin-link", signer.name, "--minutes", "5")
    assert printed.returncode == 0, printed.stderr
    found = LINK.search(printed.stdout)
    assert found is not None, printed.stdout
    link = trust_world.url + found.group(1)
    session = browser(trust_world)

    looked = session.get(link, timeout=60)  # a look (a mail scanner's) spends nothing
    first = session.post(link, allow_redirects=False, timeout=60)
    again = browser(trust_world).post(link, allow_redirects=False, timeout=60)

    assert looked.status_code == 200 and signer.name in looked.text
    assert first.status_code == 303 and first.headers["location"] == "/desk/"
    assert who(trust_world, session) == signer.name
    assert again.status_code == 403 and "used already" in again.text
    assert "set-cookie" not in again.headers
    log = trust_world.server.request_log.read_text(encoding="utf-8")
    assert "/signin/link" in log and found.group(1).split("=")[1] not in log  # redacted


def test_a_link_with_its_token_in_the_path_works_too(trust_world: Any) -> None:
    signer = new_signer(trust_world, "pathed")
    printed = ft_dcc_user(trust_world, "signin-link", signer.name)
    found = LINK.search(printed.stdout)
    assert found is not None, printed.stdout + printed.stderr
    path = found.group(1).replace("?token=", "/")
    session = browser(trust_world)

    used = session.post(trust_world.url + path, allow_redirects=False, timeout=60)

    assert used.status_code == 303
    assert who(trust_world, session) == signer.name


def test_a_new_password_ends_the_sign_in(trust_world: Any) -> None:
    signer = new_signer(trust_world, "renewed")
    session, _csrf = signed_in(trust_world, signer)

    done = ft_dcc_user(trust_world, "password", signer.name, "--password-stdin",
                       password="a new password 123")  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert [who(trust_world, session) for _ in range(8)] == [None] * 8
    old = sign_in(trust_world, browser(trust_world), signer.name, signer.password)
    assert old.status_code == 401


def test_deactivating_the_user_ends_the_sign_in(trust_world: Any) -> None:
    signer = new_signer(trust_world, "leaver")
    session, _csrf = signed_in(trust_world, signer)
    assert who(trust_world, session) == signer.name

    reply = call(trust_world.server, [update("User", signer.user_id, is_active=False)])

    assert reply.status_code == 200, reply.text
    assert [who(trust_world, session) for _ in range(8)] == [None] * 8
    refused = sign_in(trust_world, browser(trust_world), signer.name, signer.password)
    assert refused.status_code == 401


def test_a_deactivated_users_sign_in_stays_ended_when_they_are_active_again(
    trust_world: Any,
) -> None:
    signer = new_signer(trust_world, "returner")
    session, _csrf = signed_in(trust_world, signer)
    off = call(trust_world.server, [update("User", signer.user_id, is_active=False)])
    assert off.status_code == 200, off.text
    assert who(trust_world, session) is None

    on = call(trust_world.server, [update("User", signer.user_id, is_active=True)])

    assert on.status_code == 200, on.text
    assert [who(trust_world, session) for _ in range(8)] == [None] * 8
    again, _csrf = signed_in(trust_world, signer)  # a new sign-in works
    assert who(trust_world, again) == signer.name


def test_no_api_query_answers_a_password(trust_world: Any) -> None:
    signer = new_signer(trust_world, "secretive")
    where = f'where id is "{signer.user_id}"'
    users = query(trust_world.server, f"select id, username from User {where}")
    asked = f"select password, password_hash from User {where}"
    every = call(trust_world.server, [{"action": "query", "expression": asked}])

    text = str(users) + every.text
    assert signer.password not in text and "scrypt$" not in text
    assert every.status_code != 200 or "password" not in every.json()[0]["data"][0]
