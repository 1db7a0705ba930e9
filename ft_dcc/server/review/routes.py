"""All routes of the review room: the page and its media, the feedback API and the live stream,
and how the room answers the server's errors (:func:`error_reply`, used by ``app.py``)."""

from __future__ import annotations

import re
from typing import List

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from ft_dcc.server.common.errors import ServerError, SessionClosed
from ft_dcc.server.http.parts import Part
from ft_dcc.server.review.access.claim_records import claim_table
from ft_dcc.server.review.access.client_gate import (
    GateRefusal,
    PassphraseNeeded,
    ReviewNotOpen,
    record_refusal,
)
from ft_dcc.server.review.access.door import presented_link
from ft_dcc.server.review.cut.cut_page import CutRoutes
from ft_dcc.server.review.feedback.drawing_edit import DrawingRangeRoutes
from ft_dcc.server.review.feedback.feedback import MAX_ANNOTATION_BODY, FeedbackRoutes
from ft_dcc.server.review.feedback.sharing import ShareRoutes
from ft_dcc.server.review.page.page import ReviewRoutes
from ft_dcc.server.review.page.passphrase_page import MOST_BODY_BYTES as MOST_PASSPHRASE_BYTES
from ft_dcc.server.review.page.passphrase_page import PassphraseRoutes
from ft_dcc.server.review.page.room import RoomRoutes
from ft_dcc.server.review.presenter.lead_guard import LeadGuard
from ft_dcc.server.review.presenter.live import LiveRoutes
from ft_dcc.server.review.presenter.presenter import PresenterRoutes
from ft_dcc.server.review.render.html import denied, not_open, passphrase_prompt
from ft_dcc.server.runtime.embedded import EmbeddedServer

#: every path of the review room starts so
PREFIX = "/review/"
#: the room's HTML pages (the list and a session); every other path answers JSON
_PAGE = re.compile(r"/review/[^/]*")
NO_STORE = {"Cache-Control": "no-store"}


def routes(server: EmbeddedServer) -> List[BaseRoute]:
    """Starlette routes of the review page for an ``EmbeddedServer``: the page, its media, the
    feedback API (:mod:`ft_dcc.server.review.feedback.feedback`), the live stream
    (:mod:`ft_dcc.server.review.presenter.live`) and presenter mode
    (:mod:`ft_dcc.server.review.presenter.presenter`)."""
    base = ReviewRoutes(server)
    claim_table(server.store)  # created at start-up, before any worker serves
    presenter = PresenterRoutes(base)
    presenter.current = LeadGuard(server, presenter.table, presenter.publish).check
    return (
        base.routes()
        + FeedbackRoutes(base).routes()
        + LiveRoutes(base).routes()
        + presenter.routes()
        + RoomRoutes(base).routes()
        + DrawingRangeRoutes(base).routes()
        + PassphraseRoutes(base).routes()
        + ShareRoutes(base).routes()
        + CutRoutes(base).routes()
    )


def error_status(exc: ServerError) -> int:
    """The HTTP status of ``exc`` on the review routes: a write the store refused because the
    session is closed is a conflict (409), anything else the error's own status."""
    return exc.conflict_status if isinstance(exc, SessionClosed) else exc.status


def error_reply(request: Request, exc: ServerError) -> Response:
    """How the review room answers ``exc``: its HTML pages with the "Access denied" page (a bad
    link), its JSON routes with ``{"error": "<what to do>"}``; never cached. A session's page
    through a client link outside its window says when it opens or closed; one that asks for a
    passphrase shows the prompt. A client link's refusal goes to the audit trail once answered
    (``access.refused``)."""
    response = _reply(request, exc)
    server = getattr(request.app.state, "server", None)
    if isinstance(exc, GateRefusal) and server is not None:
        source = request.client.host if request.client else "unknown"
        response.background = BackgroundTask(record_refusal, server.store, exc, source)
    return response


def _reply(request: Request, exc: ServerError) -> Response:
    if exc.status == 403 and _PAGE.fullmatch(request.url.path):
        if isinstance(exc, ReviewNotOpen):
            return not_open(exc.headline)
        token = presented_link(request)
        session_id = request.url.path[len(PREFIX) :]
        if isinstance(exc, PassphraseNeeded) and token and session_id:
            return passphrase_prompt(session_id, token)
        return denied(exc.message)
    return JSONResponse({"error": exc.message}, status_code=error_status(exc), headers=NO_STORE)


#: the review room (``/review/…``): its pages and JSON, a drawing's PNG in a note's body, and
#: its own refusals (``error_reply``)
PART = Part((PREFIX,), lambda config: [(PREFIX, "/passphrase", MOST_PASSPHRASE_BYTES),
                                       (PREFIX, "", MAX_ANNOTATION_BODY)], error_reply)  # fmt: skip
