"""Who a browser's request is signed in as, and the CSRF token of that sign-in.

- :func:`signin_reader`: the sign-in cookie's door of the authentication layer
  (:mod:`ft_dcc.server.identity.layer`): the cookie's sign-in, read from the database once per
  request before any route, so a sign-in ended anywhere -- signed out, a new password, the User
  deactivated or deleted, in any server process -- is refused by the next request;
- :func:`current_person`: the :class:`Person` that request's identity is.
- :func:`csrf_token_for`: the token a page embeds for its writes; :func:`require_csrf` refuses a
  state-changing request whose ``X-CSRF-Token`` header (or form field ``csrf_token``, once the
  route has read its form with :func:`~ft_dcc.server.signin.forms.read_form`) is not the
  sign-in's token.
  The token is a digest of the cookie's random id (which the database does not hold), so it is
  tied to this one sign-in and unknown to any other site.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from typing import Optional

from starlette.requests import HTTPConnection, Request

from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.identity.layer import Reader, identity_of
from ft_dcc.server.identity.model import Door, Identity, Kind
from ft_dcc.server.identity.policy import Area, admits
from ft_dcc.server.runtime.embedded import EmbeddedServer
from ft_dcc.server.signin.cookies import COOKIE, cookie_id
from ft_dcc.server.signin.state import parts_for
from ft_dcc.server.signin.tables import digest

#: the header and the form field a signed-in page sends its CSRF token in
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
#: methods that change nothing (no token asked)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_REFUSED = (
    "This request did not come from a page of this server (its CSRF token is missing or not "
    "this sign-in's); reload the page and try again, or sign in again."
)


class SignInRefused(ServerError):
    """A browser's request without a valid sign-in or CSRF token: 403."""

    exception = "PermissionError"
    status = 403


@dataclasses.dataclass(frozen=True)
class Person:
    """A signed-in person: their User, user name, and the sign-in (``session_id``: the digest
    its table is keyed by, never the cookie's value)."""

    user_id: str
    username: str
    session_id: str
    #: this sign-in's CSRF token (see the module docstring)
    csrf: str = dataclasses.field(default="", repr=False, compare=False)


def csrf_of(raw_id: str) -> str:
    """The CSRF token of the sign-in whose cookie holds ``raw_id``."""
    return hashlib.sha256(b"ft_dcc csrf\0" + raw_id.encode("utf-8", "surrogatepass")).hexdigest()


def carries_cookie(conn: HTTPConnection) -> bool:
    """Whether the request carries a sign-in cookie."""
    return COOKIE in conn.cookies


def signin_reader(server: EmbeddedServer) -> Reader:
    """The sign-in cookie's door: the signed-in User (:attr:`Kind.USER`), read from the database
    on every request, so a sign-in ended anywhere is refused by the next request; anonymous at
    this door when the sign-in ended or the cookie is not one of ours."""

    def resolve(conn: HTTPConnection) -> Identity:
        raw = cookie_id(conn)
        if raw is None:
            return Identity(Kind.ANONYMOUS, door=Door.SIGNIN)
        session_id = digest(raw)
        found = parts_for(server).signins.find(session_id)
        if found is None:
            return Identity(Kind.ANONYMOUS, door=Door.SIGNIN)
        return Identity(Kind.USER, user_id=found.user_id, username=found.username,
                        door=Door.SIGNIN, signin_id=session_id, csrf=csrf_of(raw))  # fmt: skip

    return Reader("sign-in cookie", carries_cookie, resolve)


def person_in(identity: Identity) -> Optional[Person]:
    """The signed-in person an identity is (``None``: not a sign-in, or one that ended)."""
    if not admits(identity, Area.DESK):  # the policy: a User by their sign-in
        return None
    assert identity.user_id is not None and identity.signin_id is not None
    return Person(identity.user_id, identity.username or "", identity.signin_id, identity.csrf)


def current_person(request: HTTPConnection) -> Optional[Person]:
    """Who the request is signed in as (its identity, resolved before the route from its sign-in
    cookie), or ``None`` (no cookie, or its sign-in ended: signed out, expired, a new password,
    the User deactivated)."""
    return person_in(identity_of(request))


def csrf_token_for(person: Person) -> str:
    """The CSRF token a page of ``person``'s sign-in embeds for its writes."""
    return person.csrf


def _sent_token(request: Request) -> str:
    sent = request.headers.get(CSRF_HEADER)
    if sent:
        return sent
    form = getattr(request.state, "signin_form", None)  # read by the route (forms.read_form)
    value = form.get(CSRF_FIELD) if isinstance(form, dict) else None
    return value if isinstance(value, str) else ""


def require_csrf(request: Request) -> None:
    """Refuse (403, :class:`SignInRefused`) a state-changing request of a signed-in browser
    whose CSRF token is not its sign-in's, and any such request without a sign-in."""
    if request.method in SAFE_METHODS:
        return
    person = current_person(request)
    if person is None:
        raise SignInRefused("You are not signed in (or your sign-in ended); sign in again at /.")
    sent = _sent_token(request)
    if not sent or not hmac.compare_digest(sent.encode("utf-8", "replace"),
                                           person.csrf.encode("ascii")):  # fmt: skip
        raise SignInRefused(CSRF_REFUSED)
