"""The one identity of a request, and the audience it belongs to.

The authentication layer (:mod:`.layer`) resolves it once, before any route, from the one
credential a request carries; a route reads it with :func:`~.layer.identity_of` and asks the
policy (:mod:`.policy`) what it may do, never a header, a cookie or a token.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Mapping, Optional

from starlette.authentication import BaseUser

from ft_dcc.server.grants.key import KeyGrant


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
    """Who the request proved it is."""

    USER = "user"  # an API key, a sign-in cookie, or a User's personal review link
    INVITEE = "invitee"  # an invitee's link (a client)
    ROOM_GUEST = "room_guest"  # the session's shared room link
    SIGNED_URL = "signed_url"  # a signed URL for one narrow purpose (a download, an upload)
    ANONYMOUS = "anonymous"


class Door(enum.Enum):
    """The credential the request came in with (one per request)."""

    API_KEY = "API key"  # ftrack-user / ftrack-api-key (or the URL forms of a download, the hub)
    SIGNIN = "sign-in cookie"  # a browser's sign-in (ft_dcc_signin)
    REVIEW_LINK = "review link"  # a review page token (room, invitee or personal link)
    SIGNED_URL = "signed URL"  # a download, upload or widget URL's token
    NONE = "none"


#: a signed URL's purposes (:attr:`Identity.purpose`)
DOWNLOAD = "download"
UPLOAD = "upload"
WIDGET = "widget"
SIGNIN_LINK = "one-time sign-in"

_AUDIENCE_OF_KIND = {
    Kind.USER: Audience.STUDIO,
    Kind.INVITEE: Audience.CLIENT,
    Kind.ROOM_GUEST: Audience.GUEST,
    Kind.SIGNED_URL: Audience.NOBODY,
    Kind.ANONYMOUS: Audience.NOBODY,
}


@dataclass(frozen=True)
class Identity(BaseUser):
    """One request's identity, resolved once before any route.

    ``user_id`` is the studio User (:attr:`Kind.USER`; for a review link, the User who made it);
    ``invitee_id`` the client (:attr:`Kind.INVITEE`); ``review_session_id`` the one session a link
    opens (``None`` when the identity is not bound to a session; ``"*"``: every session);
    ``purpose`` a signed URL's purpose (:data:`DOWNLOAD`, :data:`UPLOAD`, :data:`WIDGET`).

    ``door`` says which credential was presented, even when it proved nothing (a wrong key, a
    forged link: :attr:`Kind.ANONYMOUS` at that door), so a route can say what to fix. The other
    fields carry what a route's rules go on with, never a secret of the server: ``username`` the
    name the caller gave (API key), ``token`` the link or signed URL as presented (its route
    checks it against the path: its session, its component), ``claims`` a review link's checked
    payload, ``signin_id`` the sign-in (as its table keys it) and ``csrf`` its CSRF token,
    ``grant`` what an API key granted (re-checked on revocation), ``passphrase_grant`` a review
    link's passphrase grant, ``key_in_url`` an API key given in a download's URL.
    """

    kind: Kind
    user_id: Optional[str] = None
    invitee_id: Optional[str] = None
    review_session_id: Optional[str] = None
    purpose: Optional[str] = None
    door: Door = Door.NONE
    username: Optional[str] = None
    token: Optional[str] = field(default=None, repr=False)
    claims: Optional[Mapping[str, object]] = field(default=None, repr=False, compare=False)
    signin_id: Optional[str] = None
    csrf: str = field(default="", repr=False, compare=False)
    grant: Optional[KeyGrant] = field(default=None, repr=False, compare=False)
    passphrase_grant: Optional[str] = field(default=None, repr=False, compare=False)
    key_in_url: bool = False

    @property
    def audience(self) -> Audience:
        return _AUDIENCE_OF_KIND[self.kind]

    @property
    def is_studio(self) -> bool:
        return self.audience is Audience.STUDIO

    # -- what Starlette's ``request.user`` (a ``BaseUser``) is asked ----------------------------
    @property
    def is_authenticated(self) -> bool:
        return self.kind is not Kind.ANONYMOUS

    @property
    def display_name(self) -> str:
        return self.username or self.user_id or self.invitee_id or self.kind.value

    @property
    def key_user(self) -> Optional[str]:
        """The user name an API key was presented for (``None``: no API key was presented)."""
        return self.username if self.door is Door.API_KEY else None

    @property
    def identity(self) -> str:
        return self.user_id or self.invitee_id or ""


ANONYMOUS = Identity(Kind.ANONYMOUS)
