"""What the review routes write to the audit trail (:mod:`ft_dcc.server.audit`): who a link
acts as and where the request came from.

``who``: ``invitee:<id>`` for an invitee's link (an identity chosen in the room included),
``user:<id>`` for a User's personal link, ``room`` for the session's shared link. ``source``:
the client's address as the server sees it. The act has happened (and committed) when it is
recorded: a trail that cannot be written is logged as an error, the reply stands.
"""

from __future__ import annotations

from typing import Mapping, Optional

from starlette.requests import Request

from ft_dcc.server.audit import record_after
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.review.access.links import Link


def who_of(link: Link) -> str:
    """Who ``link`` acts as, for the trail (:attr:`Link.who`)."""
    return link.who


def source_of(request: Request) -> str:
    """The request's client address."""
    return request.client.host if request.client else "unknown"


def record_act(
    store: StoreParts,
    act: str,
    link: Link,
    source: str,
    review_session_id: Optional[str],
    detail: Optional[Mapping[str, object]] = None,
) -> None:
    """Add ``act`` by ``link``'s holder from ``source`` to the trail (failures are logged)."""
    record_after(store, act, who=who_of(link), review_session_id=review_session_id,
                 source=source, detail=detail)  # fmt: skip
