"""Each credential opens only its own part of the server (the policy's table, over HTTP on
SQLite and on PostgreSQL with 4 workers): a signed-in browser's cookie is no API key, an API key
opens no desk, a review link opens neither, and a refusal writes nothing."""

from __future__ import annotations

from typing import Any

import requests
from support.insiders import personal_widget, review_of, snapshot, token_of
from support.trust import call, create, new_id

from server.rules.test_role_rights import assert_unchanged_state
from server.signin.people import new_signer, signed_in

JSON = {"Accept": "application/json"}


def test_each_credential_opens_only_its_own_door(trust_world: Any) -> None:
    world = trust_world
    signer = new_signer(world, "doors")
    browser, csrf = signed_in(world, signer)
    review = review_of(world, world.alice, private=False)
    token = token_of(personal_widget(world, world.alice, review.session))
    write = [create("Project", id=new_id(), name="doors" + new_id()[:6], full_name="Doors")]
    before = snapshot(world)

    # the sign-in cookie at /api: no API key was given (the cookie proves nothing there)
    by_cookie = browser.post(f"{world.url}/api", json=write, timeout=60,
                             headers={"ftrack-strict-api": "true", "X-CSRF-Token": csrf})
    # a review link's token at /api and at the desk
    by_link = requests.post(f"{world.url}/api", params={"token": token}, json=write,
                            headers={"ftrack-strict-api": "true"}, timeout=60)  # fmt: skip
    desk_by_link = requests.get(f"{world.url}/desk/api/sessions", params={"token": token},
                                headers=JSON, timeout=60)  # fmt: skip
    # an API key at the desk and at a review page
    key = {"ftrack-user": world.alice.user, "ftrack-api-key": world.alice.key}
    desk_by_key = requests.get(f"{world.url}/desk/api/sessions", headers={**JSON, **key},
                               timeout=60)  # fmt: skip
    review_by_key = requests.get(f"{world.url}/review/{review.session}/items", headers=key,
                                 timeout=60)  # fmt: skip

    assert by_cookie.status_code == 401, by_cookie.text[:300]
    assert by_cookie.json()["exception"] == "InvalidCredentialsError"
    assert by_link.status_code == 401, by_link.text[:300]
    assert desk_by_link.status_code in (401, 403), desk_by_link.text[:300]
    assert desk_by_key.status_code in (401, 403), desk_by_key.text[:300]
    assert review_by_key.status_code == 403, review_by_key.text[:300]
    assert "no token" in review_by_key.json()["error"]
    assert_unchanged_state(before, _without_audit(snapshot(world), before))

    # and each still opens its own door
    assert browser.get(f"{world.url}/desk/api/sessions", headers=JSON, timeout=60).ok
    assert requests.get(f"{world.url}/review/{review.session}/items", params={"token": token},
                        timeout=60).ok  # fmt: skip
    assert call(world.server, [{"action": "query", "expression": "select id from Project"}],
                **world.alice.auth).status_code == 200  # fmt: skip


def _without_audit(after: Any, before: Any) -> Any:
    """``after`` with the audit trail's tables as they were (a refusal may be recorded)."""
    for name in ("ft_dcc_audit", "ft_dcc_audit_rows", "ft_dcc_limiter", "ft_dcc_auth_failures"):
        if name in before.tables:
            after.tables[name] = before.tables[name]
        else:
            after.tables.pop(name, None)
    return after
