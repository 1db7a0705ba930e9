"""Nobody speaks as someone else by typing an e-mail address.

A note posted through an invitee link is never credited to a real User because the invitee's
e-mail matches theirs; a User changing their own e-mail to a client's does not re-route that
client's link to them. An invitee becomes a User only with that User's consent (their API key
AND the invitee's own link, ``claim_review_invitee``) or an administrator's; a refused note
leaves no row behind.
"""

from __future__ import annotations

from typing import Any, Dict

from support.insiders import (
    api_refused,
    assert_unchanged,
    item_post,
    note_authors,
    review_of,
    review_post,
    route_refused,
    snapshot,
    token_of,
    widget,
)
from support.trust import call, create, new_id, update


def test_an_invitee_with_the_admins_email_does_not_write_as_the_admin(trust_world: Any) -> None:
    world, mallory = trust_world, trust_world.mallory
    review = review_of(world, mallory)
    fake = new_id()
    response = call(world.server, [create("ReviewSessionInvitee", id=fake, name="Boss",
                                          email=world.admin.email,
                                          review_session_id=review.session)],
                    **mallory.auth)  # fmt: skip
    if response.status_code != 200:  # refusing such an invitee is one correct answer
        assert 400 <= response.status_code < 500, response.text
        return
    token = token_of(widget(world, mallory, "ReviewSessionInvitee", fake))
    posted = item_post(world, review, token, "notes", content="approved by the boss")
    assert posted.status_code in (201, 403), posted.text
    authors = {author for _content, author in note_authors(world, review.item)}
    assert world.admin.id not in authors, "a note was credited to the administrator"


def test_changing_ones_email_does_not_reroute_a_clients_link(trust_world: Any) -> None:
    world, mallory = trust_world, trust_world.mallory
    review = review_of(world, world.alice)
    token = token_of(widget(world, world.alice, "ReviewSessionInvitee", review.client))
    changed = call(world.server, [update("User", mallory.id, email=review.client_email)],
                   **mallory.auth)  # fmt: skip
    try:
        posted = item_post(world, review, token, "notes", content="client feedback")
        assert posted.status_code == 201, posted.text
        authors = {author for _content, author in note_authors(world, review.item)}
        assert mallory.id not in authors, "the client's note was credited to mallory"
    finally:
        if changed.status_code == 200:
            call(world.server, [update("User", mallory.id, email=mallory.email)], **mallory.auth)


def _claim(world: Any, who: Any, **fields: Any) -> Any:
    return call(world.server, [dict(fields, action="claim_review_invitee")], **who.auth)


def _client_link(world: Any, owner: Any, email: str) -> Dict[str, str]:
    """``owner``'s review with an invitee of ``email``, and that invitee's link token."""
    review = review_of(world, owner)
    invitee = new_id()
    response = call(world.server, [create("ReviewSessionInvitee", id=invitee, name="Named Person",
                                          email=email, review_session_id=review.session)],
                    **owner.auth)  # fmt: skip
    assert response.status_code == 200, response.text
    token = token_of(widget(world, owner, "ReviewSessionInvitee", invitee))
    return {"session": review.session, "item": review.item, "invitee": invitee, "token": token}


def _note_by(world: Any, link: Dict[str, str], content: str) -> str:
    """Post ``content`` through ``link``; the id of the User the note is credited to."""
    posted = review_post(world, link["session"], link["token"], "notes",
                         {"object_id": link["item"], "content": content})  # fmt: skip
    assert posted.status_code == 201, posted.text
    return dict(note_authors(world, link["item"]))[content]


def test_a_refused_note_leaves_no_collaborator_user_behind(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    link = _client_link(world, alice, "fresh-client@client.example")
    before = snapshot(world)
    refusals = [
        review_post(world, link["session"], link["token"], "notes", fields)
        for fields in ({"object_id": new_id(), "content": "on nothing"},
                       {"object_id": link["item"], "content": ""},
                       {"object_id": link["item"], "content": "re", "in_reply_to_id": new_id()})
    ]  # fmt: skip
    assert_unchanged(world, before)
    for refused in refusals:
        route_refused(refused, (400, 404))


def test_a_user_claims_their_own_invitee_with_their_key_and_its_link(trust_world: Any) -> None:
    world, alice, mallory = trust_world, trust_world.alice, trust_world.mallory
    link = _client_link(world, alice, mallory.email.upper())  # e-mail case does not matter
    first = _note_by(world, link, "before the claim")
    assert first not in (mallory.id, alice.id, world.admin.id)  # the invitee's own record
    claimed = _claim(world, mallory, token=link["token"])
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()[0]["user_id"] == mallory.id
    assert _note_by(world, link, "after the claim") == mallory.id
    # An e-mail change afterwards re-routes nothing: the claim names the User, not an address.
    changed = call(world.server, [update("User", mallory.id, email="elsewhere@studio.example")],
                   **mallory.auth)  # fmt: skip
    try:
        assert changed.status_code == 200, changed.text
        assert _note_by(world, link, "after the e-mail change") == mallory.id
    finally:
        call(world.server, [update("User", mallory.id, email=mallory.email)], **mallory.auth)


def test_a_claim_needs_the_users_key_the_invitees_link_and_its_email(trust_world: Any) -> None:
    world, alice, mallory = trust_world, trust_world.alice, trust_world.mallory
    clients = _client_link(world, alice, "client-of-alice@client.example")
    bosses = _client_link(world, mallory, world.admin.email)  # mallory's own invitee "as admin"
    before = snapshot(world)
    # The invitee's id alone is not consent: that needs its link.
    api_refused(_claim(world, mallory, review_session_invitee_id=clients["invitee"]))
    # Holding a link is not enough either: the invitee's e-mail must be the caller's own.
    api_refused(_claim(world, mallory, token=bosses["token"]))
    # Nor may a User hand an invitee to another User.
    api_refused(_claim(world, mallory, token=bosses["token"], user_id=world.admin.id))
    # A forged or altered link is no link.
    api_refused(_claim(world, mallory, token=clients["token"][:-4] + "AAAA"), 403)
    assert_unchanged(world, before)
    assert _note_by(world, bosses, "still not the boss") != world.admin.id


def test_an_e_mail_changed_to_the_invitees_does_not_win_a_claim(trust_world: Any) -> None:
    world, mallory = trust_world, trust_world.mallory
    bosses = _client_link(world, mallory, world.admin.email)
    changed = call(world.server, [update("User", mallory.id, email=world.admin.email)],
                   **mallory.auth)  # fmt: skip
    try:
        if changed.status_code == 200:
            # mallory's e-mail now matches and she holds the link: that is her own consent, so
            # the invitee becomes mallory, never the administrator whose address it was.
            claimed = _claim(world, mallory, token=bosses["token"])
            assert claimed.status_code == 200, claimed.text
            assert claimed.json()[0]["user_id"] == mallory.id
            assert _note_by(world, bosses, "claimed by the typist") == mallory.id
    finally:
        call(world.server, [update("User", mallory.id, email=mallory.email)], **mallory.auth)


def test_an_administrator_links_an_invitee_to_a_user(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    link = _client_link(world, alice, "alice-at-home@home.example")
    claimed = _claim(world, world.admin, review_session_invitee_id=link["invitee"],
                     user_id=alice.id)  # fmt: skip
    assert claimed.status_code == 200, claimed.text
    assert _note_by(world, link, "linked by the admin") == alice.id
    before = snapshot(world)
    api_refused(_claim(world, world.admin, review_session_invitee_id=new_id(), user_id=alice.id),
                400)  # fmt: skip
    assert_unchanged(world, before)
