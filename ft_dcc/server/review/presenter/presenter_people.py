"""Who is asking the presenter (:class:`~ft_dcc.server.review.presenter.presenter_state.Person`):
the person a link acts as in a session, and whom the lead may be handed to.

A person is named by the name they show -- an invitee's name (for someone who added themselves
in the room, the one they typed), a User's -- never by an e-mail address: an invitee without a
name is :data:`UNNAMED`. Those names reach every page of the session (the watchers, the
presenter); a page of the room link sees the others' keys only as digests (:class:`RoomView`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Tuple, Type

from ft_dcc.protocol.query_text import quote
from ft_dcc.server.common.errors import NotFound, ServerError
from ft_dcc.server.files.filestore import check_component_id
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.review.access.identity import Invitee, invitee_of, owner_invitee_id, query
from ft_dcc.server.review.access.links import Link
from ft_dcc.server.review.access.person_keys import ROOM_KEY, public_key
from ft_dcc.server.review.presenter.presenter_state import Person
from ft_dcc.server.review.reads.data import ReviewData, SessionView
from ft_dcc.server.review.reads.sight import CLIENT_NAME, STUDIO_SIGHT, Sight
from ft_dcc.server.rules.review import manages
from ft_dcc.server.store.store import Execute

#: the name of an invitee who has none (never their e-mail address)
UNNAMED = "Guest"


def shown_name(invitee: Invitee) -> str:
    """The name ``invitee`` shows the session's other pages."""
    return invitee.name.strip() or UNNAMED


def from_room(link: Link) -> bool:
    """Whether ``link`` is the room's: its shared link, or an identity chosen through it."""
    return link.shared or (link.invitee is not None and link.invitee.from_room)


def person_key(link: Link) -> str:
    """The key of the person ``link`` acts as (:class:`Person`)."""
    if link.invitee is not None:
        return "i:" + link.invitee.id
    return "u:" + link.maker_id if link.personal else ROOM_KEY


@dataclass(frozen=True)
class RoomView:
    """What a page sees of the session's people: through the room link or a client's (``room``:
    its shared link, an identity chosen there, an invitee's own link) the others only by the
    names they show -- every key but its own (``own``) made :func:`public_key`, in the watchers,
    the presenter's lead and the verdict events alike -- and as its ``sight`` names them (a
    client or room guest: a studio person is "Studio", another client unnamed and unlisted
    unless the session lets clients see each other)."""

    own: str
    room: bool
    sight: Sight = STUDIO_SIGHT

    def _name(self, key: object, name: object) -> Optional[str]:
        if not isinstance(key, str):
            return str(name or "")
        return self.sight.person_name(key, str(name or ""), self.own)

    def key(self, review_session_id: str, key: object) -> object:
        if not self.room or not isinstance(key, str) or key == self.own:
            return key
        return public_key(review_session_id, key)

    def presenter(self, review_session_id: str, state: Mapping[str, Any]) -> Dict[str, Any]:
        """A presenter state (``public_state``) as this page may see it."""
        lead = state.get("lead")
        if not self.room or not isinstance(lead, dict):
            return dict(state)
        name = self._name(lead.get("key"), lead.get("name"))
        return dict(state, lead=dict(lead, key=self.key(review_session_id, lead.get("key")),
                                     name=CLIENT_NAME if name is None else name))  # fmt: skip

    def watchers(self, review_session_id: str, people: object) -> List[Dict[str, Any]]:
        """A watchers list as this page may see it: key, name and pages only."""
        shown = []
        for p in people if isinstance(people, list) else []:
            name = self._name(p.get("key"), p.get("name")) if isinstance(p, dict) else None
            if name is not None and isinstance(p, dict):
                shown.append({"key": self.key(review_session_id, p.get("key")), "name": name,
                              "pages": p.get("pages")})  # fmt: skip
        return shown

    def shown(self, review_session_id: str, item: Tuple[str, Mapping[str, Any]]) -> Any:
        """A live event (name, payload) as this page may see it."""
        name, payload = item
        if not self.room or name not in ("watchers", "presenter", "status"):
            return item
        if name == "presenter":
            return name, self.presenter(review_session_id, payload)
        if name == "status":  # its invitee_id a digest too, unless it is the page's own
            invitee = payload.get("invitee_id")
            if not isinstance(invitee, str) or not invitee or "i:" + invitee == self.own:
                return item
            return name, dict(payload, invitee_id=public_key(review_session_id, "i:" + invitee))
        return name, {"watchers": self.watchers(review_session_id, payload.get("watchers"))}

    def people(self, candidates: List[Person]) -> List[Dict[str, str]]:
        """Whom the lead may be handed to, as this page may see them."""
        shown = []
        for person in candidates:
            name = self._name(person.key, person.name) if self.room else person.name
            if name is not None:
                shown.append({"key": person.key, "name": name})
        return shown


def view_of(key: str, sight: Sight) -> RoomView:
    """What the person of ``key`` with ``sight`` sees of the session's people: the studio
    everything, a client or room guest the others' keys as digests and names as their sight
    names them."""
    return RoomView(key, not sight.is_studio, sight)


def person_of(store: StoreParts, execute: Execute, link: Link, facts: SessionView) -> Person:
    """Who ``link`` acts as, and whether they may manage the session."""
    if link.invitee is not None:
        return Person(person_key(link), shown_name(link.invitee), False)
    if not link.personal:
        return Person(ROOM_KEY, "Room link", False)
    manager = manages(store, link.maker_id, facts.id)
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
