"""A review link's token has one spelling: its two parts are read strictly (base64url without
padding, every character of the alphabet, the unused low bits of the last character zero), so
any other spelling is refused like a forged token, and a link's wrong passphrase answers are
counted on the whole token. Over HTTP on SQLite and on PostgreSQL with 4 workers; the lock on a
server of its own.

Seen failing first: ``tok.``, ``tok..``, ``tok=``, ``tok!!!`` and the token with its last
character's unused bit flipped all opened the page (200); with a link locked after its wrong
answers (429), the right answer sent through a re-spelled token was judged and got a grant (303).
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests
from support import genuine_sessions
from web.feedback_fixtures import Page, link, make_dailies

from ..client_review.gate_world import Dailies, gate_server, make_owner

ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"
SECRET = "one spelling only"
PER_TARGET = 4
NEW_CONNECTION = {"Connection": "close"}


def spellings(token: str) -> List[str]:
    """Other spellings of ``token`` a lenient decoder reads as the same bytes."""
    body, mac = token.split(".", 1)
    last = ALPHABET.index(mac[-1])
    slack = mac[:-1] + ALPHABET[last ^ 1]  # a 32-byte MAC leaves 2 bits of its last char unused
    return [token + ".", token + "..", token + "=", token + "==", token + "!!!", body + "." + slack,
            body + ".=" + mac, body + "." + mac[:10] + "\n" + mac[10:]]  # fmt: skip


def get_page(page: Page, token: str) -> requests.Response:
    return requests.get(page.base, params={"token": token}, headers=NEW_CONNECTION, timeout=30)


@pytest.fixture
def invitee_page(server_on_each_backend: Any, tmp_path: Path) -> Iterator[Page]:
    with genuine_sessions(server_on_each_backend, tmp_path / "cache") as make:
        owner = make()
        dailies = make_dailies(owner)
        yield link(owner, dailies.ann)


def test_only_the_tokens_own_spelling_opens_the_page(invitee_page: Page) -> None:
    assert get_page(invitee_page, invitee_page.token).status_code == 200
    forged = get_page(invitee_page, invitee_page.token[:-5] + "AAAAA")
    assert forged.status_code == 403

    for other in spellings(invitee_page.token):
        reply = get_page(invitee_page, other)
        assert reply.status_code == forged.status_code, (other, reply.status_code)
        assert reply.text == forged.text, other  # refused exactly like a forged token


@pytest.fixture(scope="module")
def locked_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    base = tmp_path_factory.mktemp("token-spelling")
    with gate_server(base, FT_DCC_AUTH_FAILURES_PER_TARGET=str(PER_TARGET),
                     FT_DCC_AUTH_WINDOW="3600") as server:  # fmt: skip
        for owner in make_owner(server, base):
            dailies = Dailies(server, owner, base, passphrase=SECRET, passphrase_enabled=True)
            yield {"server": server, "owner": owner, "dailies": dailies}


def answer(page: Page, token: str, passphrase: str) -> requests.Response:
    return requests.post(page.base + "/passphrase", params={"token": token},
                         data={"passphrase": passphrase}, allow_redirects=False,
                         headers=NEW_CONNECTION, timeout=60)  # fmt: skip


def test_a_locked_link_stays_locked_whatever_its_spelling(locked_world: Dict[str, Any]) -> None:
    owner, dailies = locked_world["owner"], locked_world["dailies"]
    dora = owner.create("ReviewSessionInvitee", {"review_session": dailies.session,
                                                 "name": "Dora", "email": "dora@gate.example"})
    owner.commit()
    page = Page(owner.get_widget_url("review_session", entity=dora))
    wrong = [answer(page, page.token, f"guess {n}").status_code for n in range(PER_TARGET)]
    assert wrong == [403] * PER_TARGET
    assert answer(page, page.token, SECRET).status_code == 429  # locked

    for other in spellings(page.token):
        reply = answer(page, other, SECRET)  # the right answer, through another spelling
        assert reply.status_code in (403, 429), (other, reply.status_code)
        assert "set-cookie" not in {k.lower() for k in reply.headers}, other
        assert "passphrase" not in reply.text.lower() or reply.status_code == 429, other

    assert answer(page, page.token, SECRET).status_code == 429  # still locked
