"""A signed-in person sets their own password at ``/signin/password`` (SQLite; PostgreSQL with 4
workers): a sign-in by a one-time link sets one without the old (the administrator's reset), a
password sign-in gives the current one; the CSRF token is needed; every other sign-in ends and
this browser stays signed in."""

from __future__ import annotations

import re
from typing import Any, Dict

import requests
from support.insiders import assert_unchanged, snapshot

from server.signin.people import browser, ft_dcc_user, new_signer, signed_in, signs_in, who

NEW = "a brand new password"
#: the wrong sign-ins every server process counts (PostgreSQL), as a refusal is meant to
FAILURES = "ft_dcc_limit"
LINK = re.compile(r"https?://\S+?(/signin/link\?token=[A-Za-z0-9_-]+)")


def _set(world: Any, session: requests.Session, fields: Dict[str, str]) -> requests.Response:
    return session.post(f"{world.url}/signin/password", data=fields, allow_redirects=False,
                        timeout=60)  # fmt: skip


def _form(world: Any, session: requests.Session) -> str:
    page = session.get(f"{world.url}/signin/password", timeout=60)
    assert page.status_code == 200, page.text[:500]
    return page.text


def test_a_link_sign_in_sets_a_forgotten_password_without_the_old_one(trust_world: Any) -> None:
    signer = new_signer(trust_world, "forgot")
    printed = ft_dcc_user(trust_world, "signin-link", signer.name)
    found = LINK.search(printed.stdout)
    assert found is not None, printed.stdout + printed.stderr
    session = browser(trust_world)
    assert session.post(trust_world.url + found.group(1), allow_redirects=False,
                        timeout=60).status_code == 303  # fmt: skip
    form = _form(trust_world, session)
    assert 'name="current"' not in form
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form)
    assert csrf is not None

    done = _set(trust_world, session, {"csrf_token": csrf.group(1), "new": NEW, "again": NEW})

    assert done.status_code == 303, done.text[:500]
    assert who(trust_world, session) == signer.name  # this browser signed in anew
    assert signs_in(trust_world, signer.name, signer.password) == 401
    assert signs_in(trust_world, signer.name, NEW) == 303


def test_a_password_sign_in_gives_the_current_one(trust_world: Any) -> None:
    signer = new_signer(trust_world, "changer")
    session, csrf = signed_in(trust_world, signer)
    other, _other_csrf = signed_in(trust_world, signer)
    assert 'name="current"' in _form(trust_world, session)
    before = snapshot(trust_world)

    wrong = _set(trust_world, session, {"csrf_token": csrf, "current": "not it", "new": NEW,
                                        "again": NEW})  # fmt: skip
    assert wrong.status_code == 403 and "not your current password" in wrong.text
    after = snapshot(trust_world)
    for counts in (before.tables, after.tables):  # the wrong password is counted (PostgreSQL)
        counts.pop(FAILURES, None)
    assert after == before

    done = _set(trust_world, session, {"csrf_token": csrf, "current": signer.password, "new": NEW,
                                       "again": NEW})  # fmt: skip

    assert done.status_code == 303, done.text[:500]
    assert who(trust_world, session) == signer.name
    assert who(trust_world, other) is None  # every other sign-in ended
    assert signs_in(trust_world, signer.name, NEW) == 303


def test_setting_a_password_needs_the_csrf_token(trust_world: Any) -> None:
    signer = new_signer(trust_world, "forged")
    session, _csrf = signed_in(trust_world, signer)
    before = snapshot(trust_world)

    for token in ("", "0" * 64):
        refused = _set(trust_world, session, {"csrf_token": token, "current": signer.password,
                                              "new": NEW, "again": NEW})  # fmt: skip
        assert refused.status_code == 403
        assert "CSRF token" in refused.text

    assert_unchanged(trust_world, before)
    assert who(trust_world, session) == signer.name


def test_the_new_password_is_typed_twice_and_long_enough(trust_world: Any) -> None:
    signer = new_signer(trust_world, "typist")
    session, csrf = signed_in(trust_world, signer)
    given = {"csrf_token": csrf, "current": signer.password}

    differ = _set(trust_world, session, {**given, "new": NEW, "again": NEW + "!"})
    short = _set(trust_world, session, {**given, "new": "short", "again": "short"})

    assert differ.status_code == 400 and "differ" in differ.text
    assert short.status_code == 400 and "at least 8 characters" in short.text
    assert signs_in(trust_world, signer.name, signer.password) == 303
