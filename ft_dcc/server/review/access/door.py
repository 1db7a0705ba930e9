"""The review link's door of the authentication layer (:mod:`ft_dcc.server.identity.layer`).

A request to the review room (``/review/...?token=``) is the holder of its link: an invited
client (``i``: :attr:`~ft_dcc.server.identity.model.Kind.INVITEE`), a User through their personal
link (``p``: :attr:`~ft_dcc.server.identity.model.Kind.USER`) or a guest of the session's shared
room link (:attr:`~ft_dcc.server.identity.model.Kind.ROOM_GUEST`), read from a token this server
signed; a token it did not sign is anonymous at this door. A link this server signed whose time
is past is refused here, before any route, with one message on every route a link opens (the
page, its media, its notes, its live stream...: :class:`~ft_dcc.server.review.access.access.
LinkExpired`, answered by the room's error reply). The identity keeps the link as presented and
its passphrase grant (a cookie of that link): whether the link opens the path's session -- its
session, its maker still active, the session's rules -- is decided by
:func:`ft_dcc.server.review.access.links.open_link` for the route, which counts failures
(``attempts``).
"""

from __future__ import annotations

from typing import Optional

from starlette.requests import HTTPConnection

from ft_dcc.server.identity.layer import Reader, identity_of
from ft_dcc.server.identity.model import Door, Identity, Kind
from ft_dcc.server.review.access.access import PERSONAL, ReviewSigner, refuse_expired
from ft_dcc.server.review.access.client_gate import passed_of

#: the review room's paths, and those of it that take no link (its scripts and styles)
REVIEW_PATHS = "/review/"
STATIC_PATHS = "/review/static/"


def carries_link(conn: HTTPConnection) -> bool:
    """Whether the request is to the review room and carries a link's token."""
    path = conn.scope.get("path", "")
    return (path.startswith(REVIEW_PATHS) and not path.startswith(STATIC_PATHS)
            and "token" in conn.query_params)  # fmt: skip


def holder_of(signer: ReviewSigner, token: str, passed: object = None) -> Identity:
    """Who holds ``token``'s link (anonymous at this door when this server did not sign it);
    :class:`~ft_dcc.server.review.access.access.LinkExpired` when its time is past."""
    grant = passed if isinstance(passed, str) else None
    claims = signer.peek(token)
    if claims is None:
        return Identity(Kind.ANONYMOUS, door=Door.REVIEW_LINK, token=token, passphrase_grant=grant)
    refuse_expired(claims)
    scope = claims.get("rs")
    kind, user_id, invitee_id = Kind.ROOM_GUEST, None, None
    if "i" in claims:
        kind, invitee_id = Kind.INVITEE, str(claims.get("i"))
    elif claims.get("p") == PERSONAL:
        kind, user_id = Kind.USER, str(claims.get("u"))
    return Identity(kind, user_id=user_id, invitee_id=invitee_id, door=Door.REVIEW_LINK,
                    review_session_id=scope if isinstance(scope, str) else None, token=token,
                    claims=claims, passphrase_grant=grant)  # fmt: skip


def link_reader(signer: ReviewSigner) -> Reader:
    """The review link's door for the server whose links ``signer`` signs."""

    def resolve(conn: HTTPConnection) -> Identity:
        token = conn.query_params.get("token") or ""
        return holder_of(signer, token, passed_of(conn.cookies, token))

    return Reader("review link", carries_link, resolve, blocking=False)


def presented_link(conn: HTTPConnection) -> Optional[str]:
    """The review link the request's identity came with (``None``: it came with none)."""
    identity = identity_of(conn)
    return identity.token if identity.door is Door.REVIEW_LINK else None


def passphrase_grant(conn: HTTPConnection) -> Optional[str]:
    """The passphrase grant the request carries for its link (``None``: none)."""
    identity = identity_of(conn)
    return identity.passphrase_grant if identity.door is Door.REVIEW_LINK else None
