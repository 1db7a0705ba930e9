"""The authentication layer: one :class:`~.model.Identity` per request, resolved before any route.

Starlette's authentication pattern (an :class:`~starlette.authentication.AuthenticationBackend`
behind the server's one door, ``http.door``, which sets ``scope["auth"]`` and
``scope["user"]``), with the project's
credentials as :class:`Reader` s, one per door (API key, sign-in cookie, review link, signed
URL), made by the rooms that own those credentials and put in order by the app
(``ft_dcc.server.authentication``). The first reader whose credential the request carries
decides; a request that carries none is :data:`~.model.ANONYMOUS` without a thread hop.

A reader never refuses a wrong credential itself: it answers the door's anonymous identity and
the route, asking the policy, answers what its area answers (401 for ``/api``, the review room's
"Access denied" page...). A reader that must refuse before any route (too many failed attempts
from this address: 429) raises a :class:`~ft_dcc.server.common.errors.ServerError`, answered by the
app's own handler for it (``on_error``).

Routes read the result with :func:`identity_of`, never a header, cookie or token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Optional, Sequence, Tuple

from starlette.authentication import AuthCredentials, AuthenticationBackend
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.identity.model import ANONYMOUS, Identity

#: the identity of a request its reader resolves (in a worker thread: it may read the database)
Resolve = Callable[[HTTPConnection], Identity]
#: whether a request carries the reader's credential at all (cheap: no database)
Carries = Callable[[HTTPConnection], bool]
OnError = Callable[[Request, ServerError], Awaitable[Response]]


@dataclass(frozen=True)
class Reader:
    """One door: whether a request carries its credential, and the identity it proves."""

    name: str
    carries: Carries
    resolve: Resolve
    #: whether ``resolve`` may block (reads the database): then it runs in a worker thread
    blocking: bool = True


class IdentityBackend(AuthenticationBackend):
    """The project's readers, in order: the first that finds its credential decides."""

    def __init__(self, readers: Sequence[Reader], skip: Tuple[str, ...] = ()) -> None:
        self.readers = tuple(readers)
        #: path prefixes that take no credential (static files, health): anonymous, unread
        self.skip = skip

    def reader_for(self, conn: HTTPConnection) -> Optional[Reader]:
        path = conn.scope.get("path", "")
        if self.skip and path.startswith(self.skip):
            return None
        for reader in self.readers:
            if reader.carries(conn):
                return reader
        return None

    async def authenticate(self, conn: HTTPConnection) -> Tuple[AuthCredentials, Identity]:
        reader = self.reader_for(conn)
        if reader is None:
            identity = ANONYMOUS
        elif reader.blocking:
            identity = await run_in_threadpool(reader.resolve, conn)
        else:
            identity = reader.resolve(conn)
        scopes = [identity.kind.value] if identity.is_authenticated else []
        return AuthCredentials(scopes), identity


def identity_of(conn: HTTPConnection) -> Identity:
    """The request's identity (:data:`~.model.ANONYMOUS` when no layer resolved one)."""
    found = conn.scope.get("user")
    return found if isinstance(found, Identity) else ANONYMOUS
