"""The sign-in routes.

- ``GET /``: a browser (``Accept`` naming ``text/html``) gets the sign-in page, or "signed in
  as" when it is; any other caller gets the API's JSON answer, unchanged (``api.routes``).
- ``POST /signin`` (form ``username``, ``password``): the right password sets the sign-in
  cookie and answers ``303`` to the desk; a wrong one answers the form again (401); past the
  limit (:mod:`.limits`) every try is a ``429`` page, the right password too.
- ``POST /signout`` (form ``csrf_token``): ends this sign-in everywhere, clears the cookie.
- ``GET /signin/link?token=<token>`` (or ``/signin/link/<token>``): a one-time link's page with
  one button (nothing used up: a mail scanner's look does not spend it); ``POST`` there uses it
  up and signs in. The printed link carries its token in the query, which the request log
  redacts (``http.request_log``), not in the path, which it keeps.
- ``GET /signin/review/<id>``: a review session's page as the signed-in person
  (:mod:`.review_link`).
- ``GET|POST /signin/password``: the signed-in person sets their password
  (:mod:`.password_page`).
- ``/signin/static/…``: the page's stylesheet.

A sign-in form posted from another site's page is refused (``Sec-Fetch-Site`` / ``Origin``): no
one can sign a browser in to an account of theirs.
"""

from __future__ import annotations

from typing import Awaitable, Callable, List, Optional
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ft_dcc.server.audit.source import peer_address
from ft_dcc.server.http.parts import Part
from ft_dcc.server.limits.limiter import SIGNIN_LINK, TooManyAttempts
from ft_dcc.server.runtime.embedded import EmbeddedServer
from ft_dcc.server.signin import page, password_page, review_link
from ft_dcc.server.signin.accounts import check_password, end_one
from ft_dcc.server.signin.cookies import clear_cookie, set_cookie
from ft_dcc.server.signin.forms import MOST_BODY_BYTES, read_form
from ft_dcc.server.signin.link_door import LINK_PATH, presented_signin_link
from ft_dcc.server.signin.person import SignInRefused, current_person, require_csrf
from ft_dcc.server.signin.state import SIGNIN_LIFETIME, SignInParts, parts_for
from ft_dcc.server.signin.tables import digest

WRONG = "That user name and password do not match; check both and try again."
LINK_USED = (
    "This sign-in link was used already, has expired, or is not one of this server's; ask your "
    "administrator for a new one (ft-dcc user signin-link NAME)."
)
CROSS_SITE = "This form was sent from another site's page; open this server's own page to sign in."
STYLESHEET = "/signin/static/signin.css"
#: the API's own ``GET /`` (what an API client is answered)
ApiIndex = Callable[[Request], Awaitable[Response]]


def wants_page(request: Request) -> bool:
    """Whether the caller is a browser asking for a page (not an API client)."""
    return "text/html" in request.headers.get("accept", "")


def from_this_site(request: Request) -> bool:
    """Whether a form came from this server's own page: the browser's ``Sec-Fetch-Site`` says
    so, or its ``Origin`` is this server (a client that sends neither is no browser)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host")


def link_token(request: Request) -> str:
    """A one-time link's token: its path's last part, or its ``token`` query parameter (read
    before the route by the authentication layer, :mod:`.link_door`)."""
    return presented_signin_link(request)


def _signed_in(request: Request, parts: SignInParts, user_id: str, reset: bool = False) -> Response:
    """Sign the browser in as ``user_id`` and send it to the desk (``reset``: by a one-time
    link, which may set a new password without the old one, :mod:`.password_page`; someone
    with no password yet is sent to that form)."""
    raw = parts.signins.open(user_id, SIGNIN_LIFETIME)
    if reset:
        parts.resets.allow(digest(raw), SIGNIN_LIFETIME)
    # a link's first sign-in (no password yet) goes on to set one
    first = reset and parts.passwords.stored(user_id) is None
    to = page.PASSWORD_PATH if first else page.DESK_PATH
    response = RedirectResponse(to, status_code=303, headers=page.HEADERS)
    set_cookie(response, request, raw, SIGNIN_LIFETIME)
    return response


def _too_many(exc: TooManyAttempts) -> Response:
    response = page.refused("Too many tries", exc.message, 429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


class SignInRoutes:
    """The sign-in's handlers for one server."""

    def __init__(self, server: EmbeddedServer, api_index: ApiIndex) -> None:
        self.server = server
        self.api_index = api_index

    @property
    def parts(self) -> SignInParts:
        return parts_for(self.server)

    async def index(self, request: Request) -> Response:
        if not wants_page(request):
            return await self.api_index(request)
        person = await run_in_threadpool(current_person, request)
        if person is None:
            return page.signin_form()
        return page.signed_in(person.username, person.csrf)

    async def signin(self, request: Request) -> Response:
        if not from_this_site(request):
            return page.refused("Not signed in", CROSS_SITE, 403)
        form = await read_form(request)
        username, password = form.get("username", "").strip(), form.get("password", "")
        source = peer_address(request.scope)
        try:
            user_id = await run_in_threadpool(check_password, self.parts, source, username,
                                              password)  # fmt: skip
        except TooManyAttempts as exc:
            return _too_many(exc)
        if user_id is None:
            return page.signin_form(WRONG, username[:255], status=401)
        request.state.auth_ok = True
        request.state.ftrack_user = username
        return await run_in_threadpool(_signed_in, request, self.parts, user_id)

    async def signout(self, request: Request) -> Response:
        await read_form(request)
        person = await run_in_threadpool(current_person, request)
        if person is not None:
            try:
                require_csrf(request)
            except SignInRefused as exc:  # a form from elsewhere: nothing ends
                return page.refused("Not signed out", exc.message, exc.status)
            await run_in_threadpool(end_one, self.parts, person.session_id)
        response = RedirectResponse("/", status_code=303, headers=page.HEADERS)
        clear_cookie(response, request)
        return response

    def _link_holder(self, request: Request, use: bool = False) -> Optional[str]:
        """The User a link's token signs in (``use``: using it up), counted per source address
        and per token: made-up links from one address lock no one else's."""
        token = link_token(request)
        held = self.parts.limiter.reserve(SIGNIN_LINK, peer_address(request.scope),
                                          digest(token))  # fmt: skip
        user_id = (self.parts.links.consume if use else self.parts.links.holder)(token)
        held.settle(user_id is not None)
        return user_id

    def _link_name(self, request: Request) -> Optional[str]:
        user_id = self._link_holder(request)
        if user_id is None:
            return None
        return self.server.keys.username_for(user_id) or user_id

    async def link(self, request: Request) -> Response:
        try:
            name = await run_in_threadpool(self._link_name, request)
        except TooManyAttempts as exc:
            return _too_many(exc)
        if name is None:
            return page.refused("Link not valid", LINK_USED, 403)
        return page.link_page(link_token(request), name)

    async def use_link(self, request: Request) -> Response:
        if not from_this_site(request):
            return page.refused("Not signed in", CROSS_SITE, 403)
        try:
            user_id = await run_in_threadpool(self._link_holder, request, True)
        except TooManyAttempts as exc:
            return _too_many(exc)
        if user_id is None:
            return page.refused("Link not valid", LINK_USED, 403)
        return await run_in_threadpool(_signed_in, request, self.parts, user_id, True)

    async def stylesheet(self, request: Request) -> Response:
        return FileResponse(page.WEB_DIR / "signin.css", media_type="text/css",
                            headers={"Cache-Control": "no-cache"})  # fmt: skip

    def routes(self) -> List[BaseRoute]:
        return [
            Route("/", self.index, methods=["GET", "HEAD"]),
            Route("/signin", self.signin, methods=["POST"]),
            Route("/signout", self.signout, methods=["POST"]),
            Route(LINK_PATH, self.link, methods=["GET"]),
            Route(LINK_PATH, self.use_link, methods=["POST"]),
            Route(LINK_PATH + "/{token}", self.link, methods=["GET"]),
            Route(LINK_PATH + "/{token}", self.use_link, methods=["POST"]),
            Route(STYLESHEET, self.stylesheet, methods=["GET", "HEAD"]),
            Route(review_link.PATH, review_link.open_review, methods=["GET"]),
            Route(page.PASSWORD_PATH, password_page.show, methods=["GET"]),
            Route(page.PASSWORD_PATH, password_page.change, methods=["POST"]),
        ]


#: sign-in and sign-out: small forms only
PART = Part(
    ("/signin", "/signout"),
    lambda config: [("/signin", "", MOST_BODY_BYTES), ("/signout", "", MOST_BODY_BYTES)],
)


def routes(server: EmbeddedServer, api_index: ApiIndex) -> List[BaseRoute]:
    """The sign-in's routes for ``server``; ``api_index`` answers ``GET /`` for API clients.
    Its tables are made now, before any worker serves (a review link rests on one)."""
    parts_for(server)
    return SignInRoutes(server, api_index).routes()
