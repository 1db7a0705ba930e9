"""What one reader of a review session sees of its people, notes and verdicts: the rules of
:mod:`ft_dcc.server.identity.audience` applied to a session's facts.

:class:`Sight` is built once per request (:func:`ft_dcc.server.review.access.viewer.sight_of`) and
handed to :class:`~ft_dcc.server.review.reads.data.ReviewData`, the one place every reply of the
review room is read from (the page, ``/items``, ``/feedback``, ``/notes``, the media a link may
take), and to the live streams' and presenter's views of who is there. A studio member sees
everything; a client (an invitee's own link) and a room guest (the room link, or an identity chosen
in the room) see:

* the session's versions, shots and version names, never the version's internal ftrack status,
  the artist's comment or any studio person's name or e-mail (a studio person is "Studio");
* their own notes, drawings and verdicts;
* a studio member's note or drawing only when it was **shared with the client** (the note's
  :data:`SHARED_KEY` metadata), or -- a room guest of a session with no invited client -- when
  the session has no client to keep it from;
* another invited client's notes, verdicts and name only when the session lets clients see each
  other (:data:`~ft_dcc.protocol.client_review.CLIENTS_SEE_EACH_OTHER`); the people who said who
  they are in the room are named to the room by the names they typed there, as ever;
* never a studio member's verdict (the internal one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import FrozenSet, Optional

from ft_dcc.server.identity.audience import Inside, sees
from ft_dcc.server.identity.model import Audience

#: the Metadata key on a Note that shares it with the session's clients (value ``"true"``):
#: ftrack's Note has no field for it, and its ``metadata`` is where such facts live (the frame is
#: there too). A note without it is internal in a session with invited clients.
SHARED_KEY = "ft_dcc_shared_with_client"
#: how a studio person reads to a client or a room guest
STUDIO_NAME = "Studio"
#: how another client reads when the session does not let clients see each other
CLIENT_NAME = "Another client"


@dataclass(frozen=True)
class Sight:
    """One reader's sight of one session (see the module)."""

    audience: Audience
    #: User ids whose notes are the reader's own (a client's collaborator or claiming User)
    own_authors: FrozenSet[str] = frozenset()
    #: the invitee whose verdicts are the reader's own
    own_invitee: Optional[str] = None
    #: the session's studio invitees: the records that hold a User's own (internal) verdicts
    studio_invitees: FrozenSet[str] = frozenset()
    #: the session's invited clients (their own links; not the room's, not the studio's)
    client_invitees: FrozenSet[str] = frozenset()
    #: the collaborator User ids of the invited clients (the authors of their notes)
    client_authors: FrozenSet[str] = frozenset()
    #: the collaborator User ids of the people who said who they are in the room
    room_authors: FrozenSet[str] = frozenset()
    #: the session lets its clients see each other (their names, notes and verdicts)
    clients_see_each_other: bool = False
    #: the session has an invited client: studio notes are internal unless shared
    has_clients: bool = field(default=True)

    def sees(self, part: Inside) -> bool:
        return sees(self.audience, part)

    @property
    def is_studio(self) -> bool:
        return self.audience is Audience.STUDIO

    # -- notes ---------------------------------------------------------------------------------
    def note_shown(self, author_id: str, shared: bool) -> bool:
        """Whether a note by the User ``author_id`` (shared with the client or not) is shown."""
        if self.is_studio or author_id in self.own_authors:
            return True
        if author_id in self.client_authors:
            return self.clients_see_each_other
        if author_id in self.room_authors:
            return True
        # a studio member's note
        return shared or not self.has_clients or self.sees(Inside.INTERNAL_NOTES)

    def author_name(self, author_id: str, name: str) -> str:
        """How a shown note's author reads to this reader."""
        if self.is_studio or author_id in self.own_authors or author_id in self.room_authors:
            return name
        if author_id in self.client_authors:
            return name if self.clients_see_each_other else CLIENT_NAME
        return name if self.sees(Inside.STUDIO_PEOPLE) else STUDIO_NAME

    def shows_email(self, author_id: str) -> bool:
        """Whether an author's e-mail address is shown (a reader's own, or to the studio)."""
        return self.is_studio or author_id in self.own_authors

    # -- verdicts ------------------------------------------------------------------------------
    def verdict_shown(self, invitee_id: str) -> bool:
        """Whether the current verdict of ``invitee_id`` is shown."""
        if self.is_studio or invitee_id == self.own_invitee:
            return True
        if invitee_id in self.studio_invitees:
            return False  # the studio's internal verdict
        if invitee_id in self.client_invitees:
            return self.clients_see_each_other
        return True  # someone who said who they are in the room

    def is_client_verdict(self, invitee_id: str) -> bool:
        """Whether a verdict is a client's (or a room guest's), not the studio's internal one."""
        return invitee_id not in self.studio_invitees

    # -- people on the page (watchers, the presenter) ------------------------------------------
    def person_name(self, key: str, name: str, own: str) -> Optional[str]:
        """How a person on the page (``u:<user>``, ``i:<invitee>``, the room) reads to this
        reader; ``None``: not shown. ``own``: the reader's own key."""
        if self.is_studio or key == own:
            return name
        if key.startswith("u:"):
            return STUDIO_NAME
        if key.startswith("i:") and key[2:] in self.client_invitees:
            return name if self.clients_see_each_other else None
        if key.startswith("i:") and key[2:] in self.studio_invitees:
            return STUDIO_NAME
        return name


#: a studio member's sight: everything
STUDIO_SIGHT = Sight(Audience.STUDIO)
