"""The server's authentication layer: its doors, in order, resolving one identity per request.

``identities(server)`` is the :class:`~ft_dcc.server.identity.layer.IdentityBackend` the server's
door (``http.door``) resolves every request with before its route, with the readers of the rooms
that own each credential:

1. a signed URL (``files.door``): an upload, download or widget URL's ``token``, or a one-time
   sign-in link (``signin.link_door``);
2. a review link (``review.door``): ``/review/...?token=``;
3. an API key (``http.auth``): the ``ftrack-user``/``ftrack-api-key`` headers, or a download's or
   the event hub's URL form;
4. the sign-in cookie (``signin.person``).

The first door whose credential a request carries decides (a link in the URL is what the page
or the download was opened with, whatever else the browser sends). Routes read the result with
``identity.layer.identity_of`` and ask ``identity.policy``.
"""

from __future__ import annotations

from typing import Tuple

from ft_dcc.server.files.door import SIGNED_URL_READER
from ft_dcc.server.http.auth import key_reader
from ft_dcc.server.identity.layer import IdentityBackend, Reader
from ft_dcc.server.review.access.access import signer_for
from ft_dcc.server.review.access.door import STATIC_PATHS, link_reader
from ft_dcc.server.runtime.embedded import EmbeddedServer
from ft_dcc.server.signin.link_door import SIGNIN_LINK_READER
from ft_dcc.server.signin.person import signin_reader

#: paths that take no credential: read nothing there
NO_CREDENTIAL = (STATIC_PATHS, "/health", "/ready")


def readers(server: EmbeddedServer) -> Tuple[Reader, ...]:
    """``server``'s doors, in the order they are tried."""
    return (
        SIGNED_URL_READER,
        SIGNIN_LINK_READER,
        link_reader(signer_for(server.config.data_dir)),
        key_reader(server.keys.grant),
        signin_reader(server),
    )


def identities(server: EmbeddedServer) -> IdentityBackend:
    """Every request's identity, resolved by the door before its route (inside the part that
    tells the failed-attempt counts the request's source, so 429s are counted and answered)."""
    return IdentityBackend(readers(server), skip=NO_CREDENTIAL)
