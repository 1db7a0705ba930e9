"""The web review page of the embedded server: watch a review session and add notes.

Routes (every one needs ``?token=``, a review token from ``get_widget_url`` with
``name="review_session"``; see :mod:`ft_dcc.server.review.access.access`):

- ``GET /review/?token=``: the open review sessions (needs a token for every session);
- ``GET /review/<review session id>?token=``: the session's items in ``sort_order``, each with
  a frame-accurate player of its ``ftrackreview-mp4`` component, its version facts and notes
  (its first asset groups: the page's size does not grow with the session);
- ``GET /review/<id>/items?token=&from=N`` (``&objects=ID,...``): the rest of the page's groups
  as data, a page of them at a time (the groups of versions added after the page opened);
- ``GET|HEAD /review/<id>/media/<component id>?token=`` (``&download=1``): a movie, thumbnail
  or drawing of that session, or a version's original, under the session's download policy and
  watermark (see :mod:`ft_dcc.server.review.media.media_route`);
- ``POST /review/<id>/notes?token=``: JSON ``{"object_id", "content", "frame",
  "in_reply_to_id", "comment"}`` creates a Note on that ReviewSessionObject (frame in the Note's
  ``frame`` metadata), an ftrack to-do (``is_todo``) unless ``"comment": true`` or a reply;
  ``GET`` answers ``{object id: [note, ...]}`` (kept for old pages);
- ``/status``, ``/annotations``, ``/feedback``: see :mod:`ft_dcc.server.review.feedback.feedback`;
- ``GET /review/<id>/live?token=``: server-sent events, see
  :mod:`ft_dcc.server.review.presenter.live`;
- ``GET /review/static/...``: the page's CSS and JavaScript (``scripts.js``: all its scripts
  as one, see :func:`ft_dcc.server.review.render.scripts.script_bundle`).

A link made for a ``ReviewSessionInvitee`` acts as that invitee, a personal link as the User
who made it for themselves; the session's shared room link acts as no one. A private session
opens only to its invitees' links and its managers' (see :mod:`ft_dcc.server.review.access.links`).
A bad, expired, foreign or refused token answers 403 with no data. Pages forbid inline scripts
and foreign origins (Content-Security-Policy) and never leak the token as a referrer.
"""

from __future__ import annotations

import logging
import time
from typing import Callable, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.common.errors import BadInput, NotFound
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.http.auth import KeyRing
from ft_dcc.server.http.bodies import read_limited_body
from ft_dcc.server.identity.audience import Inside
from ft_dcc.server.review.access.access import (
    ReviewAccessError,
    ReviewSigner,
    signer_for,
)
from ft_dcc.server.review.access.audit_acts import record_act, source_of
from ft_dcc.server.review.access.door import passphrase_grant, presented_link
from ft_dcc.server.review.access.links import Link, open_link, openable
from ft_dcc.server.review.access.viewer import sight_of
from ft_dcc.server.review.media.media_route import MediaRoute
from ft_dcc.server.review.page.fields import json_fields
from ft_dcc.server.review.page.still_hold import still_hold
from ft_dcc.server.review.reads.data import ReviewData, SessionView
from ft_dcc.server.review.reads.skeleton import SessionSkeleton
from ft_dcc.server.review.render.html import (
    first_screen,
    groups_of,
    item_groups,
    items_page,
    not_found,
    page_of,
    render_list,
    render_session,
)
from ft_dcc.server.review.render.scripts import SCRIPT_BUNDLE, WEB_DIR, scripts_response
from ft_dcc.server.runtime.embedded import EmbeddedServer

log = logging.getLogger(__name__)


class _UsernameCache:
    """User id -> API user name, for the request log (``ftrack_user``) of review requests."""

    def __init__(self, keys: KeyRing) -> None:
        self._keys = keys
        self._names: Dict[str, Optional[str]] = {}

    def get(self, user_id: object) -> Optional[str]:
        if not isinstance(user_id, str):
            return None
        if user_id not in self._names:
            try:
                self._names[user_id] = self._keys.username_for(user_id)
            except Exception:
                log.exception("could not look up the user of a review link")
                return None
        return self._names[user_id]


def path_id(request: Request, name: str) -> str:
    """The id in the path's ``name`` part, or :class:`ReviewAccessError` (the link opens
    nothing else)."""
    try:
        return check_component_id(request.path_params[name])
    except FileStoreError as exc:
        raise ReviewAccessError(exc.message) from None


def no_store_json(body: Mapping[str, object], status: int = 200) -> JSONResponse:
    """A JSON answer no cache keeps."""
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


#: the most items one ``/items?objects=`` request names (a page asks again for more)
MOST_OBJECTS = 100
#: requests that change nothing: a passphrase grant's cookie may come with them from anywhere
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CROSS_SITE = (
    "This request came from another site's page, not from the review page; open the review "
    "page itself to write."
)


def check_same_origin(request: Request) -> None:
    """Refuse a request that changes something with a passphrase grant (a cookie, which a browser
    sends whoever made the page) unless the review page's own origin sent it: the browser's
    ``Sec-Fetch-Site`` says ``same-origin``, or (a browser that sends none: plain HTTP to a host
    other than this machine) its ``Origin`` is this server's address. ``SameSite=Strict`` alone
    lets a page of the same site (another port, another host of the studio's domain) write with
    the client's grant."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site != "same-origin":
            raise ReviewAccessError(CROSS_SITE)
        return
    origin = urlsplit(request.headers.get("origin") or "")
    if not origin.netloc or origin.netloc != request.headers.get("host"):
        raise ReviewAccessError(CROSS_SITE)


# -- routes --------------------------------------------------------------------------------------
class ReviewRoutes:
    """The review page's handlers for one ``EmbeddedServer``."""

    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server
        self.signer: ReviewSigner = signer_for(server.config.data_dir)
        self.usernames = _UsernameCache(server.keys)
        self.media_route = MediaRoute(server)
        self.skeleton = SessionSkeleton(server.store)
        #: the session's presenter state, which its page comes with (set by the presenter's
        #: routes, :mod:`ft_dcc.server.review.presenter.presenter`; None: the page asks for it
        #: itself)
        self.presenter_of: Callable[[str, Link], Optional[Mapping[str, object]]] = (
            lambda _id, _link: None
        )

    def _open(self, request: Request, review_session_id: Optional[str]) -> Link:
        passed = passphrase_grant(request)  # the request's identity: its link, and grant
        if passed is not None and request.method not in SAFE_METHODS:
            check_same_origin(request)
        link = open_link(
            self.server.store,
            self.server.ctx.execute,
            self.signer,
            presented_link(request),
            review_session_id,
            passed=passed,
        )
        request.state.auth_ok = True
        request.state.ftrack_user = self.usernames.get(link.maker_id)
        return link

    def _access(self, request: Request) -> Tuple[str, ReviewData, Link]:
        review_session_id = path_id(request, "review_session_id")
        link = self._open(request, review_session_id)
        execute = self.server.ctx.execute
        sight = sight_of(self.server.store, execute, link)  # who looks decides what they see
        data = ReviewData(execute, link.maker_id, sight, session_rows=self.skeleton)
        return review_session_id, data, link

    async def access(self, request: Request) -> Tuple[str, ReviewData, Link]:
        """The path's review session id, the link holder's view of the data and the link
        (raises ReviewAccessError for a bad link or path)."""
        return await run_in_threadpool(self._access, request)

    def _open_sessions(self, request: Request) -> List[SessionView]:
        link = self._open(request, None)
        sessions = ReviewData(self.server.ctx.execute, link.maker_id).open_sessions()
        return openable(self.server.store, link.maker_id, sessions)

    async def list_page(self, request: Request) -> Response:
        sessions = await run_in_threadpool(self._open_sessions, request)
        return render_list(sessions, str(presented_link(request)))

    async def session_page(self, request: Request) -> Response:
        received = time.time()  # with "now": the server's clock for the page (presenter.js)
        review_session_id, data, link = await self.access(request)
        view = await run_in_threadpool(data.session, review_session_id, first_screen)
        if view is None:
            return not_found()
        await run_in_threadpool(self.media_route.opened, link, view)
        await run_in_threadpool(record_act, self.server.store, "link.opened", link,
                                source_of(request), review_session_id)  # fmt: skip
        presenter = await run_in_threadpool(self.presenter_of, review_session_id, link)
        first = None if presenter is None else {
            "presenter": presenter, "received": received, "now": time.time()
        }  # fmt: skip
        cut = data.sight.sees(Inside.EDITORIAL)  # the editor's cut is the studio's (cut_page)
        hold = await run_in_threadpool(still_hold, self.server.ctx.execute, review_session_id)
        return render_session(view, str(presented_link(request)), first, cut, hold)

    def _items(self, request: Request) -> Mapping[str, object]:
        review_session_id, data, link = self._access(request)
        named = request.query_params.get("objects")
        wanted = set(named.split(",")[:MOST_OBJECTS]) if named is not None else None
        try:
            first = int(request.query_params.get("from") or 0)
        except ValueError:
            raise BadInput("from= is the number of the page's first asset group (0 on).") from None
        detail = groups_of(wanted) if wanted is not None else page_of(first)
        view = data.session(review_session_id, detail)
        if view is None:
            raise NotFound("No such review session: it may have been deleted.")
        self.media_route.downloads(link, view)
        token = str(presented_link(request))
        if wanted is not None:
            return item_groups(view, token, wanted)
        return items_page(view, token, first)

    async def items(self, request: Request) -> Response:
        """``GET /review/<id>/items?token=&from=N``: the page's asset groups from the N-th on
        (html.items_page); ``&objects=ID,ID...``: the groups of those items (versions added
        after the page opened: html.item_groups, at most MOST_OBJECTS named)."""
        return no_store_json(await run_in_threadpool(self._items, request))

    async def scripts(self, request: Request) -> Response:
        return scripts_response(request.headers.get("if-none-match"))

    async def media(self, request: Request) -> Response:
        review_session_id, data, link = await self.access(request)
        component_id = path_id(request, "component_id")
        return await self.media_route.serve(request, link, data, review_session_id, component_id)

    def routes(self) -> List[BaseRoute]:
        return [
            Route(f"/review/static/{SCRIPT_BUNDLE}", self.scripts, methods=["GET"]),
            Mount("/review/static", app=StaticFiles(directory=str(WEB_DIR)), name="review-static"),
            Route("/review/", self.list_page, methods=["GET"]),
            Route("/review/{review_session_id}", self.session_page, methods=["GET"]),
            Route("/review/{review_session_id}/items", self.items, methods=["GET"]),
            Route(
                "/review/{review_session_id}/media/{component_id}",
                self.media,
                methods=["GET", "HEAD"],
            ),
        ]


Work = Callable[[str, ReviewData, Link, JsonObject], Mapping[str, object]]


async def json_post(base: ReviewRoutes, request: Request, limit: int, work: Work) -> Response:
    """Open the request's link, read its JSON body (at most ``limit`` bytes) and answer
    ``work(review session id, data, link, fields)`` (run in a thread). Refusals are raised as
    the server's errors and answered by the app (``ft_dcc.server.review.routes.error_reply``):
    a bad link 403, :class:`BadInput` with its status."""
    review_session_id, data, link = await base.access(request)
    fields = json_fields(await read_limited_body(request, limit), limit)
    return no_store_json(await run_in_threadpool(work, review_session_id, data, link, fields))
