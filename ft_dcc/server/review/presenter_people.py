"""Who is asking the presenter (:class:`~ft_dcc.server.review.presenter_state.Person`): the
person a link acts as in a session, and whom the lead may be handed to.

A person is named by the name they show -- an invitee's name (for someone who added themselves
in the room, the one they typed), a User's -- never by an e-mail address: an invitee without a
name is :data:`UNNAMED`. Those names reach every page of the session (the watchers, the
presenter)."""

from __future__ import annotations

from typing import List, Tuple, Type

from ft_dcc.protocol.query_text import quote
from ft_dcc.server.errors import NotFound, ServerError
from ft_dcc.server.files.filestore import check_component_id
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.review.data import ReviewData, SessionView
from ft_dcc.server.review.identity import Invitee, invitee_of, owner_invitee_id, query
from ft_dcc.server.review.links import Link
from ft_dcc.server.review.presenter_state import ROOM_KEY, Person
from ft_dcc.server.rules.review import may_manage
from ft_dcc.server.store.store import Execute

#: the name of an invitee who has none (never their e-mail address)
UNNAMED = "Guest"


def shown_name(invitee: Invitee) -> str:
    """The name ``invitee`` shows the session's other pages."""
    return invitee.name.strip() or UNNAMED


def person_of(store: StoreParts, execute: Execute, link: Link, facts: SessionView) -> Person:
    """Who ``link`` acts as, and whether they may manage the session."""
    if link.invitee is not None:
        invitee = link.invitee
        return Person("i:" + invitee.id, shown_name(invitee), False)
    if not link.personal:
        return Person(ROOM_KEY, "Room link", False)
    manager = may_manage(store, link.maker_id, facts.created_by_id)
    return Person("u:" + link.maker_id, _user_name(execute, link.maker_id), manager)


def asker_of(
    store: StoreParts, execute: Execute, data: ReviewData, review_session_id: str, link: Link,
    missing: Type[ServerError] = NotFound,
) -> Tuple[SessionView, Person]:  # fmt: skip
    """The session ``link`` opens and who it acts as there; ``missing`` when the session is gone."""
    facts = data.session_facts(review_session_id)
    if facts is None:
        raise missing("No such review session; it may have been deleted.")
    return facts, person_of(store, execute, link, facts)


def _user_name(execute: Execute, user_id: str) -> str:
    rows = query(execute, "select first_name, last_name, username from User where id is "
                 + quote(check_component_id(user_id)))  # fmt: skip
    row = rows[0] if rows else {}
    full = " ".join(str(p) for p in (row.get("first_name"), row.get("last_name")) if p)
    return full or str(row.get("username") or "") or "Presenter"


def candidates_of(execute: Execute, facts: SessionView) -> List[Person]:
    """Whom the lead may be handed to: the session's owner and its invitees."""
    people = []
    if facts.created_by_id:
        owner = Person("u:" + facts.created_by_id, _user_name(execute, facts.created_by_id), True)
        people.append(owner)
    rows = query(
        execute,
        "select id, name, email from ReviewSessionInvitee where review_session_id is "
        + quote(check_component_id(facts.id)),
    )
    own = owner_invitee_id(facts.id, facts.created_by_id) if facts.created_by_id else ""
    invitees = [invitee_of(row) for row in rows if row.get("id") != own]
    for invitee in sorted(invitees, key=lambda i: (shown_name(i), i.id)):
        people.append(Person("i:" + invitee.id, shown_name(invitee), False))
    return people
