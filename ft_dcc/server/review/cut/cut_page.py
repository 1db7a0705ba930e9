"""``GET /review/<id>/cut?token=``: the session's editor's cut as the review page plays it
("Play cut": :mod:`ft_dcc.server.review.cut.cut_view`, ``web/cut.js``).

The cut is the studio's editorial data (:attr:`~ft_dcc.server.identity.audience.Inside.EDITORIAL`):
a client's or room guest's link is refused (403, nothing of the cut said) and their page carries
no cut address -- except while a studio member presents the cut to the room (the presenter's
state names a record frame: ``cut``), when every page of the session is shown it. A session not
made from a cut answers no segments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ft_dcc.server.common.errors import NotFound
from ft_dcc.server.identity.audience import Inside
from ft_dcc.server.review.access.access import ReviewAccessError
from ft_dcc.server.review.access.door import presented_link
from ft_dcc.server.review.access.links import Link
from ft_dcc.server.review.cut.cut_conform import PREFIX, READY, Conformer, conform_id
from ft_dcc.server.review.cut.cut_view import cut_plan
from ft_dcc.server.review.page.page import ReviewRoutes, no_store_json, path_id
from ft_dcc.server.review.reads.data import ReviewData
from ft_dcc.server.review.render.markup import media_url

NOT_YOURS = "The cut of this session is the studio's; this link does not show it."
STALE = (
    "This movie of the cut is not the session's cut as it is now (a newer revision or version "
    "replaced it, or it is not built yet): reload the page."
)


class CutRoutes:
    """The cut route of one server's review room."""

    def __init__(self, base: ReviewRoutes) -> None:
        self.base = base
        self.conforms = Conformer(base.server.files)
        base.media_route.conform_of = self.conformed

    def _check(self, data: ReviewData, review_session_id: str, link: Link) -> None:
        if not data.sight.sees(Inside.EDITORIAL) and not self._presented(review_session_id, link):
            raise ReviewAccessError(NOT_YOURS)

    def _plan(self, request: Request) -> Mapping[str, object]:
        review_session_id = path_id(request, "review_session_id")
        _id, data, _link = self.base._access(request)
        self._check(data, review_session_id, _link)
        token = str(presented_link(request))
        plan: Dict[str, Any] = dict(cut_plan(data, review_session_id, token))
        if plan["segments"]:  # the one movie: built in the background, played once ready
            conform = self.conforms.state(review_session_id, plan)
            plan["conform"] = conform.as_json()
            if conform.state == READY:
                plan["conform"]["movie"] = media_url(review_session_id, conform.id, token)
        return plan

    def conformed(
        self, link: Link, data: ReviewData, review_session_id: str, component_id: str
    ) -> Optional[Path]:
        """The conformed cut the media route serves as ``component_id`` (None: a component, not
        a cut): only to a link that may see the cut, only the movie of the cut as it is now."""
        if not component_id.startswith(PREFIX):
            return None
        self._check(data, review_session_id, link)
        plan = cut_plan(data, review_session_id, "")
        path = self.conforms.movie(review_session_id, component_id)
        if conform_id(review_session_id, plan) != component_id or not path.is_file():
            raise NotFound(STALE)
        return path

    def _presented(self, review_session_id: str, link: Link) -> bool:
        """Whether a studio member presents the cut to the session's pages now (only their page
        may send a presenter state with ``cut``: presenter.py)."""
        shown = self.base.presenter_of(review_session_id, link) or {}
        state = shown.get("state")
        led = shown.get("lead") is not None  # a stopped presentation keeps its last state
        return led and isinstance(state, Mapping) and state.get("cut") is not None

    async def cut(self, request: Request) -> Response:
        return no_store_json(await run_in_threadpool(self._plan, request))

    def routes(self) -> List[BaseRoute]:
        return [Route("/review/{review_session_id}/cut", self.cut, methods=["GET"])]
