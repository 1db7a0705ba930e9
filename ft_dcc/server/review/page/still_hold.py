"""How long "Play all" holds a still on the review page: the session's ``review`` setting
:data:`~ft_dcc.protocol.client_review.STILL_HOLD` (seconds; ``ft-dcc review create|update
--still-hold``), :data:`~ft_dcc.protocol.client_review.DEFAULT_STILL_HOLD` without one."""

from __future__ import annotations

import logging
import math

from ft_dcc.protocol.client_review import (
    DEFAULT_STILL_HOLD,
    GROUP,
    STILL_HOLD,
    STILL_HOLD_LIMITS,
)
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.files.filestore import check_component_id
from ft_dcc.server.review.access.identity import query
from ft_dcc.server.store.store import Execute

log = logging.getLogger(__name__)


def hold_seconds(text: object) -> float:
    """The hold a setting's value says, or the default (a value no page can use is logged)."""
    try:
        seconds = float(str(text))
    except ValueError:
        seconds = math.nan
    low, high = STILL_HOLD_LIMITS
    if not low <= seconds <= high:
        log.warning("the review setting %s=%r is not %g-%g seconds: %g s used", STILL_HOLD,
                    text, low, high, DEFAULT_STILL_HOLD)  # fmt: skip
        return DEFAULT_STILL_HOLD
    return seconds


def still_hold(execute: Execute, review_session_id: str) -> float:
    """The session's still hold in seconds."""
    rows = query(
        execute,
        "select value from EntitySetting where parent_id is "
        f"{quote(check_component_id(review_session_id))} and group is {quote(GROUP)} "
        f"and name is {quote(STILL_HOLD)}",
    )
    return hold_seconds(rows[0].get("value")) if rows else DEFAULT_STILL_HOLD
