"""All routes of the review room: the page and its media, the feedback API and the live stream."""

from __future__ import annotations

from typing import Any, List

from starlette.routing import BaseRoute

from ft_dcc.server.review.claims import claim_table
from ft_dcc.server.review.drawing_edit import DrawingRangeRoutes
from ft_dcc.server.review.feedback import FeedbackRoutes
from ft_dcc.server.review.live import LiveRoutes
from ft_dcc.server.review.page import ReviewRoutes
from ft_dcc.server.review.presenter import PresenterRoutes
from ft_dcc.server.review.room import RoomRoutes


def routes(server: Any) -> List[BaseRoute]:
    """Starlette routes of the review page for an ``EmbeddedServer``: the page, its media, the
    feedback API (:mod:`ft_dcc.server.review.feedback`), the live stream
    (:mod:`ft_dcc.server.review.live`) and presenter mode
    (:mod:`ft_dcc.server.review.presenter`)."""
    base = ReviewRoutes(server)
    claim_table(server.store)  # created at start-up, before any worker serves
    return (
        base.routes()
        + FeedbackRoutes(base).routes()
        + LiveRoutes(base).routes()
        + PresenterRoutes(base).routes()
        + RoomRoutes(base).routes()
        + DrawingRangeRoutes(base).routes()
    )
