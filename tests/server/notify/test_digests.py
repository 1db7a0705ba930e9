"""Mail digests per person, over a real ``ft-dcc server`` and a real SMTP server (aiosmtpd on
127.0.0.1). The server first runs with a window of an hour (``FT_DCC_MAIL_DIGEST_SECONDS``) while
the notes and verdicts are written, then restarts with a short one: what waited survives the
restart and goes out, one letter per person, whatever the machine's speed.

Mallory publishes a version; Alice (a studio member who is no administrator) reviews it on the
page: three notes (one mentioning the administrator and Cleo, one Otto), a verdict, and she
reopens a note Mallory completed; the client invitee gives a verdict through their own link.
Mallory, the version's author, gets one digest with the notes, both verdicts and the reopened
note, each linking to its frame; the administrator, mentioned, gets one digest with that note;
Cleo, who speaks for the session's client invitee, gets none (the note is internal: a client
never sees it); Alice gets none (her own doings). Otto turned digests off on the desk (his own
setting: without its CSRF token, without a sign-in or with a wrong value he is refused and
nothing changes) and gets none for the note that mentions him.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests

pytest.importorskip("aiosmtpd")
from support.insiders import (
    item_post,
    make_world,
    token_of,
    widget,
)
from support.smtp import SmtpServer, body_text
from support.trust import call, create, new_id, ok, update
from support.waiting import wait_until

from ft_dcc.server.review.reads.sight import SHARED_KEY
from server.notify.digest_checks import count, dailies, settled, unsettled
from server.signin.people import new_signer, signed_in

CLEO = "cleo@agency.example"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[Any]:
    smtp = SmtpServer().start()
    os.environ["FT_DCC_MAIL_DIGEST_SECONDS"] = "3600"  # the restart below makes it short
    try:
        made = make_world(
            tmp_path,
            "sqlite",
            None,
            ["--smtp-url", smtp.url, "--public-url", "https://dailies.example"],
        )
    finally:
        del os.environ["FT_DCC_MAIL_DIGEST_SECONDS"]
    made.smtp = smtp
    yield made
    made.server.stop()
    smtp.close()


def _by_recipient(world: Any) -> Dict[str, List[Any]]:
    found: Dict[str, List[Any]] = {}
    for message in world.smtp.messages:
        found.setdefault(str(message["To"]), []).append(message)
    return found


def test_one_digest_per_person_with_what_each_may_see(world: Any, artifacts_dir: Path) -> None:
    alice, mallory, admin = world.alice, world.mallory, world.admin
    cleo = new_signer(world, "cleo")
    otto = new_signer(world, "otto")
    for who, address in ((cleo, CLEO), (otto, "otto@studio.example")):
        ok(world.server, [update("User", who.user_id, email=address)])
    # Otto turns his digests off on the desk (as himself, signed in)
    browser, csrf = signed_in(world, otto)
    _refusals_change_nothing(world, browser, csrf)
    off = browser.post(f"{world.url}/desk/api/mail", json={"digests": False},
                       headers={"X-CSRF-Token": csrf}, timeout=60)  # fmt: skip
    assert off.status_code == 200 and off.json() == {"digests": False}, off.text

    client = new_id()
    review = dailies(world, lambda session: create(
        "ReviewSessionInvitee", id=client, name="Cleo Client", email="cleo@agency.example",
        review_session_id=session))  # fmt: skip
    session, item, mine = review.session, review.item, review.token
    # the administrator makes Cleo's User speak for the client invitee
    claimed = call(world.server, [{"action": "claim_review_invitee",
                                   "review_session_invitee_id": client,
                                   "user_id": cleo.user_id}])  # fmt: skip
    assert claimed.status_code == 200, claimed.text

    first = item_post(
        world,
        review,
        mine,
        "notes",
        frame=1021,
        content=f"@{admin.user} and @{cleo.name}: the fin flickers",
    )
    assert first.status_code == 201, first.text
    second = item_post(world, review, mine, "notes", frame=1040, content="Grade is too warm")
    assert second.status_code == 201, second.text
    third = item_post(world, review, mine, "notes", frame=1050, content=f"@{otto.name} see this")
    assert third.status_code == 201, third.text
    verdict = item_post(world, review, mine, "status", status="require_changes")
    assert verdict.status_code == 200, verdict.text
    # Mallory completes the second note (as a publish addressing it does); Alice reopens it
    when = {"__type__": "datetime", "value": "2026-11-26T18:00:00"}
    ok(world.server, [update("Note", second.json()["id"], completed_at=when,
                             completed_by_id=mallory.id)], **mallory.auth)  # fmt: skip
    reopened = item_post(world, review, mine, "reopen", note_id=second.json()["id"])
    assert reopened.status_code == 200, reopened.text
    theirs = token_of(widget(world, alice, "ReviewSessionInvitee", client))
    client_verdict = item_post(world, review, theirs, "status", status="approved")
    assert client_verdict.status_code == 200, client_verdict.text
    # a note shared with the session's clients, mentioning Cleo, written as ftrack's clients
    # write one (the note, its sharing metadata and the Recipient in one batch)
    shared = new_id()
    ok(world.server, [
        create("Note", id=shared, content=f"@{cleo.name} the sky is lovely", parent_id=item,
               parent_type="ReviewSessionObject", user_id=alice.id, is_todo=False),
        _keyed("Metadata", [shared, SHARED_KEY], parent_id=shared, parent_type="Note",
               key=SHARED_KEY, value="true"),
        _keyed("Recipient", [shared, cleo.user_id], note_id=shared, resource_id=cleo.user_id,
               text_mentioned=f"@{cleo.name}"),
    ], **alice.auth)  # fmt: skip

    # everything is noted for its people; a restart with a short window sends it: each person's
    # items, all waiting by then, go out together whatever the machine's speed
    wait_until(lambda: count(world, "ft_dcc_notice") == 0 and count(world, "ft_dcc_digest_item")
               >= 9, lambda: unsettled(world))  # fmt: skip
    assert world.smtp.messages == []
    world.server.stop()
    os.environ["FT_DCC_MAIL_DIGEST_SECONDS"] = "0.2"
    try:
        world.server.start()
    finally:
        del os.environ["FT_DCC_MAIL_DIGEST_SECONDS"]
    world.smtp.wait_for(3)
    wait_until(lambda: settled(world), lambda: unsettled(world))
    mails = _by_recipient(world)
    assert sorted(mails) == sorted([mallory.email, admin.email, CLEO]), sorted(mails)
    assert all(len(m) == 1 for m in mails.values()), {k: len(v) for k, v in mails.items()}

    author = body_text(mails[mallory.email][0], "plain")
    for words in (
        "the fin flickers",
        "Grade is too warm",
        "see this",
        "requires changes",
        "approved",
        "frame 1021",
        "frame 1040",
        "Note reopened by alice",
    ):
        assert words in author, (words, author)
    links = re.findall(r"https://dailies\.example/signin/review/\S+", author)
    assert f"https://dailies.example/signin/review/{session}#frame={item},1021" in links, links
    html = body_text(mails[mallory.email][0], "html")
    (artifacts_dir / "digest_mail.html").write_text(html, encoding="utf-8")  # to look at
    assert f'href="https://dailies.example/signin/review/{session}#frame={item},1040"' in html

    mentioned = body_text(mails[admin.email][0], "plain")
    assert "You were mentioned in a note" in mentioned and "the fin flickers" in mentioned
    assert "Grade is too warm" not in mentioned and " gave " not in mentioned, mentioned
    # Cleo (a client) got the shared note alone, its studio author unnamed; Otto (turned off)
    # and Alice (her own doings) got nothing
    client = body_text(mails[CLEO][0], "plain")
    assert "the sky is lovely" in client and "by Studio" in client, client
    for internal in ("the fin flickers", "Grade is too warm", "alice", " gave "):
        assert internal not in client, (internal, client)
    assert alice.email not in mails and len(world.smtp.messages) == 3


def _refusals_change_nothing(world: Any, browser: Any, csrf: str) -> None:
    """A post without the sign-in's CSRF token, one without a sign-in and a value that is not
    true or false are refused, saying what to send; the choice stays as it was (on)."""
    assert browser.get(f"{world.url}/desk/api/mail", timeout=60).json() == {"digests": True}
    refused = browser.post(f"{world.url}/desk/api/mail", json={"digests": False}, timeout=60)
    assert refused.status_code == 403, refused.text
    bad = browser.post(f"{world.url}/desk/api/mail", json={"digests": "no"},
                       headers={"X-CSRF-Token": csrf}, timeout=60)  # fmt: skip
    assert bad.status_code == 400 and "true or false" in bad.json()["error"], bad.text
    stranger = requests.post(f"{world.url}/desk/api/mail", json={"digests": False},
                             headers={"Origin": world.url}, timeout=60)  # fmt: skip
    assert stranger.status_code == 403 and "sign in" in stranger.json()["error"], stranger.text
    assert browser.get(f"{world.url}/desk/api/mail", timeout=60).json() == {"digests": True}
    assert count(world, "ft_dcc_mail_choice") == 0


def _keyed(entity_type: str, entity_key: List[str], **data: Any) -> Dict[str, Any]:
    """A create of an entity keyed by more than an id (``Metadata``, ``Recipient``)."""
    return {"action": "create", "entity_type": entity_type, "entity_key": entity_key,
            "entity_data": dict(data, __entity_type__=entity_type)}  # fmt: skip
