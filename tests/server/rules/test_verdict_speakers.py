"""Through ``/api`` nobody speaks for another person's client.

A verdict (``ReviewSessionObjectStatus``) names an invitee: it is that person's answer. Through
``/api`` only an administrator and the **owner of the review session** write one, and only
naming an invitee of that session; the invitee writes their own through their link (the review
routes run as the invitee's own collaborator User, or the User who claimed it). Whoever merely
added an item to someone's open session owns the item, not the session's verdicts.

A note on an item of a **private** session is for its owner, its invitees (their links) and
administrators; an open session's items and versions and shots take notes from any User, as in
ftrack. The owner's verdict for an invitee does not block the invitee's own answer on their
link (it replaces the owner's row).

Seen failing first on ``196998a``: the refusals answered 200 and stored the row; the invitee's
answer after the owner's verdict answered 403 (the invitee did not own the owner's row).
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from support.insiders import (
    Review,
    api_refused,
    assert_unchanged,
    item_post,
    review_of,
    snapshot,
    token_of,
    widget,
)
from support.trust import call, create, delete, ok, update


def _verdict(review: Review, invitee: str = "", item: str = "", status: str = "approved"
             ) -> Dict[str, Any]:  # fmt: skip
    return create("ReviewSessionObjectStatus", status=status,
                  review_session_object_id=item or review.item,
                  review_session_invitee_id=invitee or review.client)  # fmt: skip


def _note(parent_id: str, parent_type: str = "ReviewSessionObject") -> Dict[str, Any]:
    return create("Note", content="I speak here", parent_id=parent_id, parent_type=parent_type)


def _refused(world: Any, who: Any, operations: List[Dict[str, Any]]) -> None:
    before = snapshot(world)
    api_refused(call(world.server, operations, **who.auth), 403)
    assert_unchanged(world, before)


def _verdicts(world: Any, item: str) -> List[Dict[str, Any]]:
    return ok(world.server, [{"action": "query", "expression":
              "select id, status, review_session_invitee_id from ReviewSessionObjectStatus "
              f'where review_session_object_id is "{item}"'}])[0]["data"]  # fmt: skip


@pytest.fixture(scope="module")
def untouched(trust_world: Any) -> Dict[str, Review]:
    """alice's private and open reviews and mallory's private one, for the module's tests that
    are only refused (each shows nothing changed, so the next finds them as made)."""
    world = trust_world
    return {"alice": review_of(world, world.alice), "mallory": review_of(world, world.mallory),
            "alice open": review_of(world, world.alice, private=False)}  # fmt: skip


# -- verdicts --------------------------------------------------------------------------------------
@pytest.mark.parametrize("private", [True, False])
def test_mallory_cannot_give_a_verdict_naming_alices_client(
    trust_world: Any, untouched: Dict[str, Review], private: bool
) -> None:
    theirs = untouched["alice" if private else "alice open"]
    _refused(trust_world, trust_world.mallory, [_verdict(theirs)])


def test_mallory_cannot_give_a_verdict_on_alices_item_naming_her_own_invitee(
    trust_world: Any, untouched: Dict[str, Review]
) -> None:
    theirs, mine = untouched["alice"], untouched["mallory"]
    _refused(trust_world, trust_world.mallory, [_verdict(theirs, invitee=mine.client)])


def test_adding_an_item_to_an_open_session_does_not_own_its_verdicts(trust_world: Any) -> None:
    """mallory adds her version to alice's open session (allowed): the client's verdict on
    that item stays the client's; mallory may neither give one for the client nor flip theirs."""
    world, mallory = trust_world, trust_world.mallory
    theirs = review_of(world, world.alice, private=False)
    mine = review_of(world, mallory)
    added = create("ReviewSessionObject", name="mine", review_session_id=theirs.session,
                   version_id=mine.published["version"], sort_order=2)  # fmt: skip
    ok(world.server, [added], **mallory.auth)
    item = added["entity_key"][0]
    _refused(world, mallory, [_verdict(theirs, item=item)])
    token = token_of(widget(world, world.alice, "ReviewSessionInvitee", theirs.client))
    answered = item_post(world, Review(theirs.session, item, theirs.client, "", {}), token,
                         "status", status="require_changes")  # fmt: skip
    assert answered.status_code == 200, answered.text
    status_id = _verdicts(world, item)[0]["id"]
    _refused(world, mallory, [update("ReviewSessionObjectStatus", status_id, status="approved")])
    _refused(world, mallory, [delete("ReviewSessionObjectStatus", status_id)])


def test_the_session_owner_speaks_only_for_her_own_sessions_invitees(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    theirs, mine = review_of(world, world.mallory), review_of(world, alice)
    ok(world.server, [_verdict(mine)], **alice.auth)
    assert [v["review_session_invitee_id"] for v in _verdicts(world, mine.item)] == [mine.client]
    # mallory's client is no invitee of alice's session: alice may not speak for them
    _refused(world, alice, [_verdict(mine, invitee=theirs.client)])
    ok(world.server, [_verdict(mine, invitee=theirs.client)], **world.admin.auth)


def test_the_clients_link_answers_after_the_owner_set_its_verdict(trust_world: Any) -> None:
    """alice records her client's verdict by hand through ``/api``; the client then answers on
    their own link: the client's answer replaces alice's row (one verdict, the client's)."""
    world, alice = trust_world, trust_world.alice
    review = review_of(world, alice)
    ok(world.server, [_verdict(review, status="approved")], **alice.auth)
    token = token_of(widget(world, alice, "ReviewSessionInvitee", review.client))
    answered = item_post(world, review, token, "status", status="require_changes")
    assert answered.status_code == 200, answered.text
    verdicts = _verdicts(world, review.item)
    assert [(v["status"], v["review_session_invitee_id"]) for v in verdicts] == [
        ("require_changes", review.client)
    ]
    # and the owner may still correct it by hand (she owns the session's verdicts)
    ok(world.server, [update("ReviewSessionObjectStatus", verdicts[0]["id"], status="approved")],
       **alice.auth)  # fmt: skip


# -- notes ---------------------------------------------------------------------------------------
def test_mallory_cannot_note_on_an_item_of_alices_private_session(
    trust_world: Any, untouched: Dict[str, Review]
) -> None:
    world, theirs = trust_world, untouched["alice"]
    _refused(world, world.mallory, [_note(theirs.item)])
    _refused(world, world.mallory, [_note(theirs.session, "ReviewSession")])


def test_notes_on_open_sessions_versions_and_shots_stay_open_to_any_user(trust_world: Any
                                                                         ) -> None:  # fmt: skip
    world, mallory = trust_world, trust_world.mallory
    private = review_of(world, world.alice)
    open_session = review_of(world, world.alice, private=False)
    notes = [_note(open_session.item), _note(private.published["version"], "AssetVersion"),
             _note(private.published["shot"], "TypedContext")]  # fmt: skip
    ok(world.server, notes, **mallory.auth)


def test_the_owner_and_the_invitees_note_on_a_private_sessions_items(trust_world: Any) -> None:
    world, alice = trust_world, trust_world.alice
    review = review_of(world, alice)
    ok(world.server, [_note(review.item)], **alice.auth)
    token = token_of(widget(world, alice, "ReviewSessionInvitee", review.client))
    posted = item_post(world, review, token, "notes", content="from the client")
    assert posted.status_code == 201, posted.text


def test_the_rules_know_the_invitees_collaborator_as_the_review_routes_make_it() -> None:
    """The ownership rule recognises an invitee's link by its collaborator User's id: the same
    id the review routes write as (``review.identity``), computed in the rules layer."""
    from ft_dcc.server.review.access.identity import Invitee, collaborator_id
    from ft_dcc.server.rules.speakers import collaborator_user_id

    invitee = Invitee(id="0f0e0d0c-0000-4000-8000-000000000001", name="C", email="c@x.example",
                      review_session_id="s")  # fmt: skip
    assert collaborator_id(invitee) == collaborator_user_id(invitee.id)
