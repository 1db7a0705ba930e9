"""The web review page of the embedded server: watch a review session and add notes.

Routes (every one needs ``?token=``, a review token from ``get_widget_url`` with
``name="review_session"``; see :mod:`ft_dcc.server.review.access`):

- ``GET /review/?token=``: the open review sessions (needs a token for every session);
- ``GET /review/<review session id>?token=``: the session's items in ``sort_order``, each with
  a frame-accurate player of its ``ftrackreview-mp4`` component, its version facts and notes;
- ``GET|HEAD /review/<id>/media/<component id>?token=`` (``&download=1``): a movie, thumbnail
  or drawing of that session, or a version's original, under the session's download policy and
  watermark (see :mod:`ft_dcc.server.review.media_route`);
- ``POST /review/<id>/notes?token=``: JSON ``{"object_id", "content", "frame",
  "in_reply_to_id"}`` creates a Note on that ReviewSessionObject (frame in the Note's ``frame``
  metadata); ``GET`` answers ``{object id: [note, ...]}`` (kept for old pages);
- ``/status``, ``/annotations``, ``/feedback``: see :mod:`ft_dcc.server.review.feedback`;
- ``GET /review/<id>/live?token=``: server-sent events, see :mod:`ft_dcc.server.review.live`;
- ``GET /review/static/...``: the page's CSS and JavaScript.

A link made for a ``ReviewSessionInvitee`` acts as that invitee, a personal link as the User
who made it for themselves; the session's shared room link acts as no one. A private session
opens only to its invitees' links and its managers' (see :mod:`ft_dcc.server.review.links`).
A bad, expired, foreign or refused token answers 403 with no data. Pages forbid inline scripts
and foreign origins (Content-Security-Policy) and never leak the token as a referrer.
"""

from __future__ import annotations

import logging
import math
from typing import Callable, Dict, List, Mapping, Optional, Tuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.errors import ApiOperationError
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.http.auth import KeyRing
from ft_dcc.server.http.bodies import read_limited_body
from ft_dcc.server.review.access import (
    ALL_SESSIONS,
    MAX_TTL,
    PERSONAL,
    PERSONAL_MAX_TTL,
    PURPOSES,
    ReviewAccessError,
    ReviewSigner,
    signer_for,
)
from ft_dcc.server.review.audit_acts import record_act, source_of
from ft_dcc.server.review.client_gate import passed_of
from ft_dcc.server.review.data import ReviewData, SessionView
from ft_dcc.server.review.fields import json_fields
from ft_dcc.server.review.html import (
    WEB_DIR,
    not_found,
    render_list,
    render_session,
    review_url,
)
from ft_dcc.server.review.identity import Caller, load_invitee
from ft_dcc.server.review.links import Link, key_mark, may_open, open_link
from ft_dcc.server.review.media_route import MediaRoute
from ft_dcc.server.rules import permissions
from ft_dcc.server.rules.review import may_manage
from ft_dcc.server.runtime.context import ApiContext
from ft_dcc.server.runtime.embedded import EmbeddedServer

log = logging.getLogger(__name__)

WIDGET_NAME = "review_session"


# -- links ---------------------------------------------------------------------------------------
def _entity_key(op: Mapping[str, object]) -> object:
    entity_key = op.get("entity_key")
    if isinstance(entity_key, list):
        entity_key = entity_key[0] if entity_key else None
    return entity_key


def _checked_id(value: object) -> str:
    try:
        return check_component_id(value)
    except FileStoreError as exc:
        raise ApiOperationError(exc.message, "ValidationError") from None


def _refuse(message: str) -> ApiOperationError:
    return ApiOperationError(message, permissions.PERMISSION_ERROR, status=403)


def _link_target(
    ctx: ApiContext, op: Mapping[str, object], caller: Caller
) -> Tuple[Optional[str], Optional[str]]:
    """(review session id or None for the list, invitee id or None) of a widget request."""
    entity_key = _entity_key(op)
    entity_type = op.get("entity_type")
    if entity_key is None:
        return None, None
    if entity_type not in (None, "ReviewSession", "ReviewSessionInvitee"):
        raise ApiOperationError(
            "The review_session widget needs a ReviewSession or a ReviewSessionInvitee, not "
            f"{str(entity_type)[:40]}.",
            "ValidationError",
        )
    ident = _checked_id(entity_key)
    invitee = load_invitee(ctx.execute, ident) if entity_type == "ReviewSessionInvitee" else None
    if entity_type == "ReviewSessionInvitee" and invitee is None:
        raise ApiOperationError(
            f"ReviewSessionInvitee {ident} does not exist; commit it first.",
            "ValidationError",
        )
    review_session_id = invitee.review_session_id if invitee else ident
    facts = ReviewData(ctx.execute, caller.user_id).session_facts(review_session_id)
    if facts is None:
        raise ApiOperationError(
            f"ReviewSession {review_session_id} does not exist; commit it first.",
            "ValidationError",
        )
    if invitee is not None and not may_manage(ctx.store, caller.user_id, facts.created_by_id):
        raise _refuse(
            "Only the review session's creator or an administrator may make an invitee's link; "
            "ask them for it."
        )
    if invitee is None and not may_open(ctx.store, caller.user_id, facts):
        raise _refuse(
            "This review session is private: ask its creator or an administrator for a link, "
            "or for an invitee's link (entity_type='ReviewSessionInvitee')."
        )
    return review_session_id, invitee.id if invitee else None


def widget_url(ctx: ApiContext, op: Mapping[str, object], caller: Caller) -> Dict[str, str]:
    """Answer ``get_widget_url`` for ``name="review_session"``: a signed review-page link.

    With ``entity_type="ReviewSession"`` and ``entity_key`` the link is the session's shared
    room link: it watches, and its holders say who they are before writing; it acts as no one.
    With ``purpose="personal"`` as well it is the caller's own link to that session: it acts as
    the caller (the owner presents and gives verdicts through it), for at most
    ``PERSONAL_MAX_TTL`` seconds. With ``entity_type="ReviewSessionInvitee"`` it opens the
    invitee's session acting as that invitee (only the session's creator or an administrator
    may ask); without an entity it opens the list of open sessions. Optional ``expires_in``
    (seconds, default one day, at most 30 days; a personal link one hour, at most 12 hours)
    sets how long the link works.
    """
    personal = _personal(op)
    review_session_id, invitee_id = _link_target(ctx, op, caller)
    if personal and (review_session_id is None or invitee_id is not None):
        raise ApiOperationError(
            "A personal link opens one review session as yourself: send entity_type="
            "'ReviewSession' and its id (an invitee's link is made without purpose).",
            "ValidationError",
        )
    ttl = _ttl(op.get("expires_in"))
    signer = signer_for(ctx.config.data_dir)
    mark = key_mark(ctx.store, caller.user_id) if personal else ""
    token = signer.sign(
        review_session_id or ALL_SESSIONS,
        caller.user_id,
        ttl,
        invitee_id,
        personal=personal,
        key_mark=mark,
    )
    return {
        "action": "get_widget_url",
        "widget_url": review_url(caller.base_url, review_session_id, token),
    }


def _personal(op: Mapping[str, object]) -> bool:
    """Whether ``op`` asks for the caller's personal link (``purpose``, default the room's)."""
    purpose = op.get("purpose")
    if purpose is not None and purpose not in PURPOSES:
        raise ApiOperationError(
            f"purpose must be one of {list(PURPOSES)} (leave it out for the room link).",
            "ValidationError",
        )
    return purpose == PERSONAL


def _ttl(expires_in: object) -> Optional[int]:
    """The link's lifetime in whole seconds from ``expires_in`` (``None``: the default)."""
    if expires_in is None:
        return None
    if (
        isinstance(expires_in, bool)
        or not isinstance(expires_in, (int, float))
        or not math.isfinite(expires_in)
        or expires_in <= 0
    ):
        raise ApiOperationError(
            f"expires_in must be a positive, finite number of seconds (at most {MAX_TTL}; "
            f"{PERSONAL_MAX_TTL} for a personal link).",
            "ValidationError",
        )
    return int(expires_in)


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


# -- routes --------------------------------------------------------------------------------------
class ReviewRoutes:
    """The review page's handlers for one ``EmbeddedServer``."""

    def __init__(self, server: EmbeddedServer) -> None:
        self.server = server
        self.signer: ReviewSigner = signer_for(server.config.data_dir)
        self.usernames = _UsernameCache(server.keys)
        self.media_route = MediaRoute(server)

    def _open(self, request: Request, review_session_id: Optional[str]) -> Link:
        link = open_link(
            self.server.store,
            self.server.ctx.execute,
            self.signer,
            request.query_params.get("token"),
            review_session_id,
            passed=passed_of(request.cookies, request.query_params.get("token")),
        )
        request.state.auth_ok = True
        request.state.ftrack_user = self.usernames.get(link.maker_id)
        return link

    def _access(self, request: Request) -> Tuple[str, ReviewData, Link]:
        review_session_id = path_id(request, "review_session_id")
        link = self._open(request, review_session_id)
        return review_session_id, ReviewData(self.server.ctx.execute, link.maker_id), link

    async def access(self, request: Request) -> Tuple[str, ReviewData, Link]:
        """The path's review session id, the link holder's view of the data and the link
        (raises ReviewAccessError for a bad link or path)."""
        return await run_in_threadpool(self._access, request)

    def _open_sessions(self, request: Request) -> List[SessionView]:
        link = self._open(request, None)
        sessions = ReviewData(self.server.ctx.execute, link.maker_id).open_sessions()
        return [s for s in sessions if may_open(self.server.store, link.maker_id, s)]

    async def list_page(self, request: Request) -> Response:
        sessions = await run_in_threadpool(self._open_sessions, request)
        return render_list(sessions, request.query_params["token"])

    async def session_page(self, request: Request) -> Response:
        review_session_id, data, link = await self.access(request)
        view = await run_in_threadpool(data.session, review_session_id)
        if view is None:
            return not_found()
        await run_in_threadpool(self.media_route.opened, link, view)
        await run_in_threadpool(record_act, self.server.store, "link.opened", link,
                                source_of(request), review_session_id)  # fmt: skip
        return render_session(view, request.query_params["token"])

    async def media(self, request: Request) -> Response:
        review_session_id, data, link = await self.access(request)
        component_id = path_id(request, "component_id")
        return await self.media_route.serve(request, link, data, review_session_id, component_id)

    def routes(self) -> List[BaseRoute]:
        return [
            Mount("/review/static", app=StaticFiles(directory=str(WEB_DIR)), name="review-static"),
            Route("/review/", self.list_page, methods=["GET"]),
            Route("/review/{review_session_id}", self.session_page, methods=["GET"]),
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
