"""The one identity of a request, and the audience it belongs to."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Optional


class Audience(enum.Enum):
    """Who is looking, as far as what they may see is concerned."""

    #: a member of the studio: a User by API key, sign-in cookie or their own personal link
    STUDIO = "studio"
    #: an invited client: a ``ReviewSessionInvitee``'s link (or an identity chosen in the room of a
    #: session whose clients are invited)
    CLIENT = "client"
    #: a room guest: the session's shared room link, acting as no one
    GUEST = "guest"
    #: nobody the server knows: anonymous, or a signed URL's narrow purpose
    NOBODY = "nobody"


class Kind(enum.Enum):
    """How the request proved who it is."""

    USER = "user"  # an API key, a sign-in cookie, or a User's personal review link
    INVITEE = "invitee"  # an invitee's link (a client)
    ROOM_GUEST = "room_guest"  # the session's shared room link
    SIGNED_URL = "signed_url"  # a signed URL for one narrow purpose (a download, an upload)
    ANONYMOUS = "anonymous"


_AUDIENCE_OF_KIND = {
    Kind.USER: Audience.STUDIO,
    Kind.INVITEE: Audience.CLIENT,
    Kind.ROOM_GUEST: Audience.GUEST,
    Kind.SIGNED_URL: Audience.NOBODY,
    Kind.ANONYMOUS: Audience.NOBODY,
}


@dataclass(frozen=True)
class Identity:
    """One request's identity, resolved once before any route.

    ``user_id`` is the studio User (:attr:`Kind.USER`); ``invitee_id`` the client
    (:attr:`Kind.INVITEE`); ``review_session_id`` the one session a link opens (``None`` when the
    identity is not bound to a session); ``purpose`` a signed URL's purpose.
    """

    kind: Kind
    user_id: Optional[str] = None
    invitee_id: Optional[str] = None
    review_session_id: Optional[str] = None
    purpose: Optional[str] = None

    @property
    def audience(self) -> Audience:
        return _AUDIENCE_OF_KIND[self.kind]

    @property
    def is_studio(self) -> bool:
        return self.audience is Audience.STUDIO


ANONYMOUS = Identity(Kind.ANONYMOUS)
