"""A claim of an invitee (``claim_review_invitee``) can be released.

``release_review_invitee`` with ``review_session_invitee_id``: by the User who holds the claim
or an administrator; anyone else (the session's owner included) is refused and nothing changes.
While claimed, the claiming User speaks for the invitee (their notes through its link are theirs,
and they may give its verdict through ``/api``); once released, the link writes as the invitee's
own collaborator record again and the User no longer speaks for them.

Seen failing first on ``196998a``: ``release_review_invitee`` was an unknown action (400), and
the claiming User's verdict through ``/api`` was not tied to the claim.
"""

from __future__ import annotations

from typing import Any, Dict

from support.insiders import (
    api_refused,
    assert_unchanged,
    note_authors,
    review_of,
    review_post,
    snapshot,
    token_of,
    widget,
)
from support.trust import call, create, new_id


def _release(world: Any, who: Any, invitee: str) -> Any:
    return call(world.server, [{"action": "release_review_invitee",
                                "review_session_invitee_id": invitee}], **who.auth)  # fmt: skip


def _claimed_by_alice(world: Any) -> Dict[str, str]:
    """mallory's private session with an invitee of alice's e-mail, claimed by alice."""
    review = review_of(world, world.mallory)
    invitee = new_id()
    made = call(world.server, [create("ReviewSessionInvitee", id=invitee, name="Alice at home",
                                      email=world.alice.email, review_session_id=review.session)],
                **world.mallory.auth)  # fmt: skip
    assert made.status_code == 200, made.text
    token = token_of(widget(world, world.mallory, "ReviewSessionInvitee", invitee))
    claimed = call(world.server, [{"action": "claim_review_invitee", "token": token}],
                   **world.alice.auth)  # fmt: skip
    assert claimed.status_code == 200, claimed.text
    return {"session": review.session, "item": review.item, "invitee": invitee, "token": token}


def _verdict(link: Dict[str, str]) -> Dict[str, Any]:
    return create("ReviewSessionObjectStatus", status="approved",
                  review_session_object_id=link["item"],
                  review_session_invitee_id=link["invitee"])  # fmt: skip


def _note_author(world: Any, link: Dict[str, str], content: str) -> str:
    posted = review_post(world, link["session"], link["token"], "notes",
                         {"object_id": link["item"], "content": content})  # fmt: skip
    assert posted.status_code == 201, posted.text
    return dict(note_authors(world, link["item"]))[content]


def test_only_the_claiming_user_or_an_administrator_releases_a_claim(trust_world: Any) -> None:
    world, alice, mallory = trust_world, trust_world.alice, trust_world.mallory
    link = _claimed_by_alice(world)
    assert _note_author(world, link, "while claimed") == alice.id
    verdict = call(world.server, [_verdict(link)], **alice.auth)  # alice speaks for her invitee
    assert verdict.status_code == 200, verdict.text
    before = snapshot(world)
    api_refused(_release(world, mallory, link["invitee"]), 403)  # the session's owner: no
    assert_unchanged(world, before)
    released = _release(world, alice, link["invitee"])
    assert released.status_code == 200, released.text
    assert released.json()[0]["user_id"] is None
    author = _note_author(world, link, "after the release")
    assert author not in (alice.id, mallory.id, world.admin.id)  # the invitee's own record
    api_refused(call(world.server, [_verdict(link)], **alice.auth), 403)


def test_an_administrator_releases_a_claim(trust_world: Any) -> None:
    world = trust_world
    link = _claimed_by_alice(world)
    released = _release(world, world.admin, link["invitee"])
    assert released.status_code == 200, released.text
    before = snapshot(world)
    api_refused(_release(world, world.alice, link["invitee"]), 400)  # nothing left to release
    assert_unchanged(world, before)
