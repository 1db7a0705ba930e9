"""The one-time sign-in link's door of the authentication layer
(:mod:`ft_dcc.server.identity.layer`): ``/signin/link/<token>`` (or ``/signin/link?token=``) is
a signed URL whose one purpose is to sign its User in once
(:data:`~ft_dcc.server.identity.model.SIGNIN_LINK`). The identity keeps the token as presented
(at most :data:`MOST_TOKEN` characters); the link's routes (:mod:`.routes`) look it up, or use
it up, counting failures."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from ft_dcc.server.identity.layer import Reader, identity_of
from ft_dcc.server.identity.model import SIGNIN_LINK, Door, Identity, Kind

#: the one-time links' path (the token is its last part, or its ``token`` query parameter)
LINK_PATH = "/signin/link"
#: the longest link token read (a token is 43 characters)
MOST_TOKEN = 128


def carries_signin_link(conn: HTTPConnection) -> bool:
    path = conn.scope.get("path", "")
    return path == LINK_PATH or path.startswith(LINK_PATH + "/")


def _resolve(conn: HTTPConnection) -> Identity:
    path = conn.scope.get("path", "")
    token = path[len(LINK_PATH) + 1:] or conn.query_params.get("token") or ""
    return Identity(Kind.SIGNED_URL, purpose=SIGNIN_LINK, door=Door.SIGNED_URL,
                    token=token[:MOST_TOKEN])  # fmt: skip


#: the one-time link's door
SIGNIN_LINK_READER = Reader("one-time sign-in link", carries_signin_link, _resolve, blocking=False)


def presented_signin_link(conn: HTTPConnection) -> str:
    """The one-time link's token the request came with (``""``: none)."""
    identity = identity_of(conn)
    return (identity.token or "") if identity.purpose == SIGNIN_LINK else ""
