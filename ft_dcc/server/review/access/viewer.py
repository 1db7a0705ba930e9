"""Who is looking at a review session, decided once per request from the link it carries.

:func:`audience_of` is the one decision of a link's :class:`~ft_dcc.server.identity.model.Audience`
(an invitee's own link: a client; the room link, or an identity chosen in the room: a room guest;
a User's personal link: the studio); :func:`sight_of` reads the session's facts that reader's
:class:`~ft_dcc.server.review.reads.sight.Sight` needs (its invitees, whether clients see each
other).
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Set

from ft_dcc.protocol.client_review import CLIENTS_SEE_EACH_OTHER, GROUP
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.files.filestore import check_component_id
from ft_dcc.server.identity.model import Audience
from ft_dcc.server.model.builtin_data import stable_id
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.review.access.claim_records import claimed_user
from ft_dcc.server.review.access.identity import (
    COLLABORATOR_OF,
    collaborator_id,
    invitee_of,
    owner_invitee_id,
    query,
)
from ft_dcc.server.review.access.link import Link
from ft_dcc.server.review.reads.sight import STUDIO_SIGHT, Sight
from ft_dcc.server.store.store import Execute


def audience_of(link: Link) -> Audience:
    """The audience of the person ``link`` acts as: a User's personal link the studio, an
    invitee's own link a client, the room link (and an identity chosen there) a room guest."""
    if link.personal:
        return Audience.STUDIO
    if link.invitee is not None and not link.invitee.from_room:
        return Audience.CLIENT
    return Audience.GUEST


def session_setting(execute: Execute, review_session_id: str, name: str) -> bool:
    """Whether the session's ``review`` setting ``name`` is ``"true"`` (no row: false)."""
    rows = query(
        execute,
        "select value from EntitySetting where parent_id is "
        f"{quote(check_component_id(review_session_id))} and group is {quote(GROUP)} "
        f"and name is {quote(name)}",
    )
    return any(str(r.get("value") or "").strip().lower() == "true" for r in rows)


#: what :func:`kinds_of` reads of a session's invitees
INVITEE_FIELDS = "id, name, email, review_session_id, created_from_shared_url, created_by_id"


def invitee_kinds(execute: Execute, review_session_id: str) -> Dict[str, List[str]]:
    """The session's invitee ids by kind (:func:`kinds_of`)."""
    rows = query(
        execute,
        f"select {INVITEE_FIELDS} from ReviewSessionInvitee where review_session_id is "
        f"{quote(check_component_id(review_session_id))}",
    )
    return kinds_of(rows, review_session_id)


def kinds_of(rows: Iterable[Mapping[str, object]], review_session_id: str) -> Dict[str, List[str]]:
    """A session's invitee ids (``rows``: :data:`INVITEE_FIELDS`) by kind: ``studio`` (the
    record of a User's own verdicts), ``client`` (invited with a link of their own) and ``room``
    (who said who they are in the room)."""
    kinds: Dict[str, List[str]] = {"studio": [], "client": [], "room": []}
    for row in rows:
        ident, maker = str(row["id"]), row.get("created_by_id")
        if maker and ident == owner_invitee_id(review_session_id, str(maker)):
            kinds["studio"].append(ident)
        elif invitee_of(row).from_room:
            kinds["room"].append(ident)
        else:
            kinds["client"].append(ident)
    return kinds


def sight_of(store: StoreParts, execute: Execute, link: Link) -> Sight:
    """What the person ``link`` acts as sees of its session (:class:`Sight`)."""
    audience = audience_of(link)
    session_id = link.review_session_id
    if audience is Audience.STUDIO or session_id is None:
        return STUDIO_SIGHT if audience is Audience.STUDIO else Sight(audience)
    kinds = invitee_kinds(execute, session_id)
    own_authors: Set[str] = set()
    if link.invitee is not None:
        own_authors.add(collaborator_id(link.invitee))
        claimer = claimed_user(store, link.invitee)
        if claimer:
            own_authors.add(claimer)
    own = link.invitee.id if link.invitee is not None else None
    return Sight(
        audience,
        own_authors=frozenset(own_authors),
        own_invitee=own,
        studio_invitees=frozenset(kinds["studio"]),
        client_invitees=frozenset(kinds["client"]),
        client_authors=frozenset(_authors(kinds["client"]) - own_authors),
        room_authors=frozenset(_authors(kinds["room"]) - own_authors),
        clients_see_each_other=session_setting(execute, session_id, CLIENTS_SEE_EACH_OTHER),
        has_clients=bool(kinds["client"]),
    )


def _authors(invitee_ids: List[str]) -> Set[str]:
    """The collaborator User ids standing for ``invitee_ids`` (:func:`collaborator_id`)."""
    return {stable_id(COLLABORATOR_OF, ident) for ident in invitee_ids}
