"""``{"action": "ft_dcc.audit", "review_session_id": str}``: read a review session's audit trail.

Optional: ``since`` (ISO-8601 date or time, UTC unless it says otherwise: entries at or after
it), ``after`` (a ``seq``: entries after it, to page on), ``verify`` (true: also walk the
session's whole chain). Only those who manage the session may read it (an administrator, its
creator, a Supervisor or Project Manager of its project); anyone else is refused (403) whether
or not the session exists. Reply::

    {"action": "ft_dcc.audit", "review_session_id": str,
     "entries": [{"seq", "time", "act", "who", "review_session_id", "source", "detail",
                  "prev_hash", "hash"}, ...],            # oldest first, at most PAGE
     "next_after": int | null,                            # more: ask again with after=this
     "verify": {"ok", "checked", "broken_seq", "reason", "head"} | null}
"""

from __future__ import annotations

from typing import Optional

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.audit import entries, verify
from ft_dcc.server.audit.table import since_text
from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.review.access.identity import Caller
from ft_dcc.server.review.reads.data import ReviewData
from ft_dcc.server.rules import permissions
from ft_dcc.server.rules.review import manages
from ft_dcc.server.runtime.context import ApiContext

ACTION = "ft_dcc.audit"
#: entries per reply
PAGE = 5000
REFUSED = (
    "Only an administrator, the review session's creator or a Supervisor or Project Manager of "
    "its project may read its audit trail; ask them (ft-dcc review audit SESSION, or the desk)."
)


def _session_id(op: JsonObject) -> str:
    try:
        return check_component_id(op.get("review_session_id"))
    except FileStoreError:
        raise ApiOperationError(
            "review_session_id must be the id of a review session.",
            "ValidationError",
        ) from None


def _since(value: object) -> Optional[str]:
    if value is None or value == "":
        return None
    try:
        return since_text(str(value)[:64])
    except ValueError:
        raise ApiOperationError(
            "since must be an ISO-8601 date or time, e.g. 2026-11-24 or 2026-11-24T09:30:00Z.",
            "ValidationError",
        ) from None


def _after(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**62:
        raise ApiOperationError("after must be a whole number (a seq).", "ValidationError")
    return value


def read_audit(ctx: ApiContext, op: JsonObject, caller: Caller) -> object:
    """Answer ``ft_dcc.audit`` (see the module docstring)."""
    review_session_id = _session_id(op)
    since, after = _since(op.get("since")), _after(op.get("after"))
    facts = ReviewData(ctx.execute, caller.user_id).session_facts(review_session_id)
    if not manages(ctx.store, caller.user_id, facts.id if facts is not None else None):
        raise ApiOperationError(REFUSED, permissions.PERMISSION_ERROR, status=403)
    found = list(entries(ctx.store, review_session_id, since, after, PAGE + 1))
    page = found[:PAGE]
    checked = verify(entries(ctx.store, review_session_id)) if op.get("verify") else None
    return {
        "action": ACTION,
        "review_session_id": review_session_id,
        "entries": page,
        "next_after": page[-1]["seq"] if len(found) > PAGE else None,
        "verify": checked,
    }
