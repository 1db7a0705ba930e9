"""A review session's window may not close before it opens.

A ``ReviewSession``'s ``start_date`` and ``end_date`` are the window in which its client links
open the page (:mod:`ft_dcc.server.review.access.client_gate`): an ``end_date`` still to come that
is before the ``start_date`` is a window that closes before it opens, whose links would say "opens
on …" about a day they have already expired by. Such a create or update is refused (400, saying
what to send), judged on the row as it will be stored (a default ``start_date`` of now
included). An ``end_date`` that has passed closes the session whatever its ``start_date``: that
is how a session is closed (``ft-dcc review close`` sets it to now, also for a session that
was to open later), and ftrack's ``is_open`` reads ``end_date`` alone.

Other entities' dates (a Project's, a Task's) are planning data that the server never acts on,
and ftrack is not documented to refuse them; they are stored as sent.
"""

from __future__ import annotations

import datetime as dt

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.rules.registry import INTEGRITY_ORDER, BatchView, Rule, WriteStep

SESSION = "ReviewSession"


def _when(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


class ReviewWindowRule(Rule):
    """Refuse a ReviewSession whose end_date is still to come and before its start_date."""

    name = "review session window"
    order = INTEGRITY_ORDER

    def check_step(self, batch: BatchView, step: WriteStep) -> None:
        if step.etype.name != SESSION or step.action == "delete" or step.row is None:
            return
        start, end = step.row.get("start_date"), step.row.get("end_date")
        if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
            return
        if end < start and end > batch.now:
            raise ApiOperationError(
                f"ReviewSession end_date ({_when(end)}) is before its start_date "
                f"({_when(start)}): the session would close before it opens. Send an end_date "
                "after the start_date (or an earlier start_date).",
                "ValidationError",
            )
