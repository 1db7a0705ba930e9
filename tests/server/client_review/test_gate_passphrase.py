"""ftrack's ``passphrase`` / ``passphrase_enabled`` of a ReviewSession, enforced on every client
link and on every route, over HTTP against a real server.

A session set through the genuine ``ftrack_api`` client with ``passphrase_enabled`` asks each
viewer of a client link (an invitee's link, the room link) for the passphrase once (a form on
the page); a right answer gives the viewer a grant (a cookie) that every route needs, and that
ends when the passphrase changes or is turned off and on again. The passphrase is stored hashed
and no query returns it, nor its hash. Wrong answers are rate-limited per link and per source.
The tests run on the shared SQLite server and on PostgreSQL with 4 workers (each request on a
connection of its own, so any worker may answer it); the rate limit on a server of its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests
from web.feedback_fixtures import Page

from .gate_world import (
    READS,
    Dailies,
    audit_acts,
    gate_server,
    get,
    make_owner,
    raw_rows,
    snapshot,
    stored_session_row,
    writes,
)

SECRET = "correct horse 42"
#: wrong answers a link takes before its lock (FT_DCC_AUTH_FAILURES_PER_TARGET of this module)
PER_TARGET = 4
#: each request on a connection of its own: with 4 workers, any of them may answer it
NEW_CONNECTION = {"Connection": "close"}


@pytest.fixture(scope="module")
def world(
    gate_backend_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Dict[str, Any]]:
    """The shared SQLite server, then the PostgreSQL one with 4 workers."""
    yield from _world(gate_backend_server, tmp_path_factory.mktemp("gate-passphrase"))


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    """A server of the module's own, with a low limit of wrong answers per link."""
    base = tmp_path_factory.mktemp("gate-passphrase-limit")
    with gate_server(base, FT_DCC_AUTH_FAILURES_PER_TARGET=str(PER_TARGET)) as server:
        yield from _world(server, base)


def _world(server: Any, base: Path) -> Iterator[Dict[str, Any]]:
    for owner in make_owner(server, base):
        dailies = Dailies(server, owner, base, passphrase=SECRET, passphrase_enabled=True)
        yield {"server": server, "owner": owner, "dailies": dailies}


def answer(viewer: requests.Session, page: Any, passphrase: str) -> requests.Response:
    """The viewer sends the page's passphrase form."""
    return viewer.post(page.base + "/passphrase", params={"token": page.token},
                       data={"passphrase": passphrase}, allow_redirects=False,
                       headers=NEW_CONNECTION, timeout=60)  # fmt: skip


def viewer_get(viewer: requests.Session, page: Any, route: str = "") -> requests.Response:
    return viewer.get(page.base + route, params={"token": page.token}, headers=NEW_CONNECTION,
                      timeout=30)  # fmt: skip


def refused_without_grant(response: requests.Response, route: str) -> None:
    assert response.status_code == 403, (route, response.status_code, response.text[:300])
    assert "passphrase" in response.text.lower(), (route, response.text[:300])


def test_the_passphrase_is_stored_hashed_and_no_query_returns_it(world: Dict[str, Any]) -> None:
    server, dailies = world["server"], world["dailies"]
    rs = dailies.id
    stored = stored_session_row(server, rs)["passphrase"]
    assert stored and SECRET not in stored, "the passphrase is stored in clear"
    expressions = [
        f'select passphrase, passphrase_enabled from ReviewSession where id is "{rs}"',
        f'select name, passphrase from ReviewSession where id is "{rs}" order by passphrase',
        f'select review_session.passphrase from ReviewSessionObject '
        f'where review_session_id is "{rs}"',
    ]
    for expression in expressions:
        text = repr(raw_rows(server, expression))
        assert SECRET not in text and stored not in text, (expression, text)
        assert stored.split("$")[-1] not in text and "scrypt" not in text, (expression, text)
    row = raw_rows(server, expressions[0])[0]
    assert row["passphrase_enabled"] is True
    assert row["passphrase"] == "********", row  # says one is set, and nothing of it
    # no filter finds the stored text (an oracle would give the hash away a letter at a time)
    for condition in (f'passphrase is "{stored}"', 'passphrase like "s%"', 'passphrase like "%$%"',
                      f'passphrase is "{SECRET}"'):  # fmt: skip
        found = raw_rows(server, f'select id from ReviewSession where id is "{rs}" and {condition}')
        assert found == [], condition
    inside = raw_rows(server, f'select id from ReviewSession where passphrase in '
                              f'(select passphrase from ReviewSession where id is "{rs}") '
                              f'and passphrase like "s%"')  # fmt: skip
    assert inside == []
    grouped = raw_rows(server, "select count(id), passphrase from ReviewSession "
                               "group by passphrase")  # fmt: skip
    assert stored not in repr(grouped) and SECRET not in repr(grouped)
    # the genuine client reads the same
    owner = world["owner"]
    fresh = owner.query(f'select passphrase, passphrase_enabled from ReviewSession '
                        f'where id is "{rs}"').one()  # fmt: skip
    assert fresh["passphrase"] == "********" and fresh["passphrase_enabled"] is True


def test_a_client_link_asks_once_and_every_route_needs_the_grant(world: Dict[str, Any]) -> None:
    server, dailies = world["server"], world["dailies"]
    page = dailies.invitee("ann")
    prompt = get(page)
    assert prompt.status_code == 403, prompt.text[:300]
    assert re.search(r"<form[^>]+method=\"post\"", prompt.text), prompt.text[:2000]
    assert 'name="passphrase"' in prompt.text and 'type="password"' in prompt.text
    assert SECRET not in prompt.text and "item-" not in prompt.text  # no review data
    for route in (*READS[1:], dailies.media(), "/live"):
        refused_without_grant(get(page, route), route)
    ranged = get(page, dailies.media(), Range="bytes=0-3")
    refused_without_grant(ranged, "media range")
    before = snapshot(server, dailies)
    for route, body in writes(dailies):
        refused_without_grant(page.post(route, body), route)
    assert snapshot(server, dailies) == before, "a refused write changed the database"

    viewer = requests.Session()
    wrong = answer(viewer, page, "not it")
    assert wrong.status_code == 403 and "not right" in wrong.text, wrong.text[:500]
    assert not viewer.cookies, "a wrong answer gave a grant"
    right = answer(viewer, page, SECRET)
    assert right.status_code == 303, right.text[:500]
    cookie = right.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie, cookie
    assert f"path=/review/{dailies.id}" in cookie, cookie
    shown = viewer_get(viewer, page)
    assert shown.status_code == 200, shown.text[:300]
    assert 'name="passphrase"' not in shown.text and SECRET not in shown.text
    for route in READS[1:]:
        assert viewer_get(viewer, page, route).status_code == 200, route
    ranged = viewer.get(page.base + dailies.media(), params={"token": page.token},
                        headers={"Range": "bytes=0-3"}, timeout=30)  # fmt: skip
    assert ranged.status_code == 206, ranged.text[:300]
    # both answers are in the audit trail, as Ann's, with nothing of what was typed
    ann_who = f"invitee:{dailies.dailies.ann['id']}"
    entries = audit_acts(server, dailies.id, ["passphrase.failed", "passphrase.passed"])
    acts = [(entry["act"], entry["who"]) for entry in entries]
    assert ("passphrase.failed", ann_who) in acts and ("passphrase.passed", ann_who) in acts
    assert SECRET not in repr(entries) and "not it" not in repr(entries)
    # the grant is the viewer's for this link: Bob's link asks Bob
    bob = dailies.invitee("bob")
    assert viewer_get(viewer, bob, "/feedback").status_code == 403
    # the owner's personal link is the studio's own access: not asked
    assert get(dailies.personal(), "/feedback").status_code == 200


def test_a_changed_or_reenabled_passphrase_ends_the_grant(world: Dict[str, Any]) -> None:
    dailies = world["dailies"]
    page = dailies.room()  # the room link is a client link too
    viewer = requests.Session()
    assert answer(viewer, page, SECRET).status_code == 303
    assert viewer_get(viewer, page, "/feedback").status_code == 200

    dailies.update(name="Dailies (renamed)")  # another field: the grant stands, the hash too
    assert viewer_get(viewer, page, "/feedback").status_code == 200
    dailies.update(passphrase="a new one")
    refused_without_grant(viewer_get(viewer, page, "/feedback"), "after the change")
    assert answer(viewer, page, SECRET).status_code == 403  # the old one no longer opens it
    assert answer(viewer, page, "a new one").status_code == 303
    assert viewer_get(viewer, page, "/feedback").status_code == 200

    dailies.update(passphrase_enabled=False)  # off: the link opens without any
    assert get(page, "/feedback").status_code == 200
    dailies.update(passphrase_enabled=True)  # on again: every earlier grant is gone
    refused_without_grant(viewer_get(viewer, page, "/feedback"), "after off and on")
    assert answer(viewer, page, "a new one").status_code == 303
    dailies.update(passphrase=SECRET)


def test_reading_and_committing_other_fields_keeps_the_passphrase(world: Dict[str, Any]) -> None:
    server, dailies = world["server"], world["dailies"]
    stored = stored_session_row(server, dailies.id)["passphrase"]
    owner = world["owner"]
    same = owner.query(f'ReviewSession where id is "{dailies.id}"').one()
    same["passphrase"] = same["passphrase"]  # what a read-modify-commit client sends back
    same["description"] = "read, changed, committed"
    owner.commit()
    assert stored_session_row(server, dailies.id)["passphrase"] == stored
    viewer = requests.Session()
    assert answer(viewer, dailies.invitee("bob"), SECRET).status_code == 303


def test_wrong_answers_are_rate_limited(limited: Dict[str, Any]) -> None:
    world = limited
    dailies, owner = world["dailies"], world["owner"]
    carl = owner.create("ReviewSessionInvitee", {"review_session": dailies.session,
                                                 "name": "Carl", "email": "carl@gate.example"})
    owner.commit()
    page = Page(owner.get_widget_url("review_session", entity=carl))
    viewer = requests.Session()
    statuses = [answer(viewer, page, f"guess {n}").status_code for n in range(PER_TARGET)]
    assert statuses == [403] * PER_TARGET, statuses
    locked = answer(viewer, page, SECRET)  # even the right one, while locked
    assert locked.status_code == 429, locked.text[:300]
    assert int(locked.headers["Retry-After"]) >= 1
    assert "too many" in locked.text.lower() and SECRET not in locked.text
    assert not viewer.cookies
    log = Path(world["server"].stderr_path).read_text(errors="replace")
    assert SECRET not in log and "guess 1" not in log, "the server logged a guess"
