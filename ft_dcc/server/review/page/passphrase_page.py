"""``POST /review/<id>/passphrase?token=``: a viewer answers the passphrase prompt of a client
link (:mod:`ft_dcc.server.review.access.client_gate`).

The body is the page's plain form (``passphrase=...``, URL-encoded). A right answer (checked in
constant time against the stored scrypt hash) sets the viewer's **grant**: a cookie for this link
only (``HttpOnly``, ``SameSite=Strict``, ``Path=/review/<id>``, living as long as the link) and
answers ``303`` back to the page; a wrong one answers the prompt again (403). Wrong answers count
against the link and the source address (``limiter.PASSPHRASE``): past the limit every answer,
right or wrong, is a ``429`` until the window ends. Nothing of an answer is logged.
"""

from __future__ import annotations

import logging
import time
from typing import List, Optional, Tuple
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ft_dcc.server.limits import limiter
from ft_dcc.server.review.access.audit_acts import record_act, source_of
from ft_dcc.server.review.access.client_gate import cookie_name, grant_value, is_client, read_rules
from ft_dcc.server.review.access.door import presented_link
from ft_dcc.server.review.access.links import Link, open_link
from ft_dcc.server.review.page.page import ReviewRoutes, path_id
from ft_dcc.server.review.render.html import SECURITY_HEADERS, passphrase_prompt
from ft_dcc.server.review.render.markup import review_url
from ft_dcc.server.rules.passphrase import verify

log = logging.getLogger(__name__)

#: the longest form body read (a passphrase is at most 1,024 characters)
MOST_BODY_BYTES = 8192


def _answer(body: bytes) -> str:
    """The form's ``passphrase`` ("" when missing or unreadable)."""
    try:
        fields = parse_qs(body[:MOST_BODY_BYTES].decode("utf-8"), max_num_fields=4)
    except (UnicodeDecodeError, ValueError):
        return ""
    values = fields.get("passphrase") or [""]
    return values[0]


def set_grant(
    response: Response, request: Request, session_id: str, token: str, grant: str, expires: float
) -> None:
    """Give the viewer ``grant`` for ``token``'s link: a cookie for this link only, sent back
    to the session's routes only (``expires``: the link's end, 0 for none)."""
    response.set_cookie(
        cookie_name(token),
        grant,
        max_age=max(1, int(expires - time.time())) if expires else None,
        path=f"/review/{session_id}",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )


def room_grant(base: ReviewRoutes, link: Link, token: str) -> Optional[str]:
    """The grant for ``token``, a link of their own the room gives a person who said who they
    are, when the room ``link`` they hold passed the session's passphrase (None: no grant to
    give): they answered it once, in the room."""
    if not link.passed or link.review_session_id is None:
        return None
    rules = read_rules(base.server.store, link.review_session_id, None)
    if rules is None or not rules.passphrase:
        return None
    return grant_value(base.signer, link.review_session_id, token, rules.passphrase)


def attempt_target(link: Link) -> str:
    """What wrong answers are counted on: the session and the link (:attr:`Link.counted_as`)."""
    return link.counted_as


class PassphraseRoutes:
    """The prompt's answer route for one server."""

    def __init__(self, base: ReviewRoutes) -> None:
        self.base = base

    def _check(self, request: Request, answer: str) -> Tuple[Link, Optional[str]]:
        """(the link, its grant when ``answer`` is right, else None)."""
        server = self.base.server
        review_session_id = path_id(request, "review_session_id")
        token = presented_link(request)
        link = open_link(server.store, server.ctx.execute, self.base.signer, token,
                         review_session_id, answering=True)  # fmt: skip
        invitee = link.invitee.id if link.invitee is not None else None
        rules = read_rules(server.store, review_session_id, invitee)
        if rules is None or not rules.passphrase or not is_client(server.store, link, rules):
            return link, ""  # nothing to answer: the page opens as it is
        target = attempt_target(link)
        held = limiter.reserve(limiter.PASSPHRASE, target)
        right = verify(answer, rules.passphrase)
        held.settle(right)
        record_act(server.store, "passphrase.passed" if right else "passphrase.failed", link,
                   source_of(request), review_session_id)  # fmt: skip
        if not right:
            return link, None
        return link, grant_value(self.base.signer, review_session_id, link.token,
                                 rules.passphrase)  # fmt: skip

    async def answer(self, request: Request) -> Response:
        body = await request.body()
        link, grant = await run_in_threadpool(self._check, request, _answer(body))
        request.state.auth_ok = True
        session_id = str(link.review_session_id)
        if grant is None:
            return passphrase_prompt(session_id, link.token, wrong=True)
        response = RedirectResponse(review_url("", session_id, link.token), status_code=303,
                                    headers=SECURITY_HEADERS)  # fmt: skip
        if grant:
            set_grant(response, request, session_id, link.token, grant, link.expires)
        return response

    def routes(self) -> List[BaseRoute]:
        return [
            Route("/review/{review_session_id}/passphrase", self.answer, methods=["POST"]),
        ]
