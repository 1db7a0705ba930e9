"""A signed-in person opens a review page as themselves (``/signin/review/<id>``: a personal
link resting on the sign-in), and the sign-in's end ends it everywhere: signing out or the User's
deactivation refuses the open page's next request and closes its ``/live`` stream (SQLite;
PostgreSQL with 4 workers, the stream and the change on any worker).
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any, Dict

import requests
from support.trust import call, update
from support.waiting import wait_until

from server.grants.test_live_revocation import LiveStream
from server.grants.test_live_revocation import _note as note
from server.signin.people import ft_dcc_user


def _assert_ended(world: Any, review: Any, token: str, stream: LiveStream) -> None:
    """The stream is closed, later notes never reach it, and the page's next request is
    refused on every worker."""
    later = [note(world, review) for _ in range(3)]
    wait_until(stream.ended.is_set, "the server to end the signed-out stream", timeout=60)
    assert not [n for n in later if stream.mentions(n)], "the ended stream received notes"
    statuses = {requests.get(f"{world.url}/review/{review.session}/feedback",
                             params={"token": token}, timeout=60).status_code
                for _ in range(8)}  # fmt: skip
    assert statuses == {403}


def _payload(token: str) -> Dict[str, Any]:
    body = token.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


def test_the_pages_link_rests_on_the_sign_in_not_on_a_key(opened: Any) -> None:
    signer, _browser, _csrf, _review, token, _stream = opened

    payload = _payload(token)

    assert payload["p"] == "personal" and payload["u"] == signer.user_id and payload["si"]
    assert payload["e"] <= time.time() + 12 * 3600 + 5  # no longer than the sign-in
    assert signer.key not in token


def test_the_page_writes_as_the_signed_in_person(trust_world: Any, opened: Any) -> None:
    signer, _browser, _csrf, review, token, _stream = opened

    reply = requests.post(f"{trust_world.url}/review/{review.session}/notes",
                          params={"token": token}, timeout=60,
                          json={"object_id": review.item, "content": "from the desk"})  # fmt: skip

    assert reply.status_code == 201, reply.text
    notes = call(trust_world.server, [{"action": "query", "expression":
                 f'select user_id from Note where content is "from the desk" and parent_id is '
                 f'"{review.item}"'}]).json()[0]["data"]  # fmt: skip
    assert [n["user_id"] for n in notes] == [signer.user_id]


def test_signing_out_closes_the_open_page_and_its_stream(trust_world: Any, opened: Any) -> None:
    _signer, browser, csrf, review, token, stream = opened

    done = browser.post(f"{trust_world.url}/signout", data={"csrf_token": csrf},
                        allow_redirects=False, timeout=60)  # fmt: skip

    assert done.status_code == 303
    _assert_ended(trust_world, review, token, stream)


def test_a_new_password_closes_the_open_page_and_its_stream(
    trust_world: Any, opened: Any
) -> None:
    signer, browser, csrf, review, token, stream = opened

    done = browser.post(f"{trust_world.url}/signin/password", allow_redirects=False, timeout=60,
                        data={"csrf_token": csrf, "current": signer.password,
                              "new": "another password 1", "again": "another password 1"})

    assert done.status_code == 303, done.text[:500]
    _assert_ended(trust_world, review, token, stream)


def test_deactivation_closes_the_open_page_and_its_stream(trust_world: Any, opened: Any) -> None:
    signer, _browser, _csrf, review, token, stream = opened

    reply = call(trust_world.server, [update("User", signer.user_id, is_active=False)])

    assert reply.status_code == 200, reply.text
    _assert_ended(trust_world, review, token, stream)


def test_a_new_password_from_the_command_line_closes_the_open_page_and_its_stream(
    trust_world: Any, opened: Any
) -> None:
    """``ft-dcc user password`` run beside the server (another process, with no bus of its own)
    ends the open page's stream on SQLite too, as the page's own password change does. Seen
    failing first on SQLite: the command was told to PostgreSQL's servers only, and the stream
    kept delivering. The servers hear of it shortly after the command returns (a SQLite server
    reads the command's row within a second), so what is held to is: the stream ends, nothing
    written after it reaches it, and the page's next request is refused."""
    signer, _browser, _csrf, review, token, stream = opened

    done = ft_dcc_user(trust_world, "password", signer.name, "--password-stdin",
                       password="a password from the shell 1")  # fmt: skip

    assert done.returncode == 0, done.stderr
    wait_until(stream.ended.is_set, "the server to end the stream", timeout=60)
    _assert_ended(trust_world, review, token, stream)
