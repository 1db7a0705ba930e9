"""The ``get_widget_url`` action for ``name="review_session"`` (``/api``): the signed review-page
link a caller may have (the session's room link, their personal link, an invitee's link, or the
list of open sessions); the routes that open it are :mod:`ft_dcc.server.review.page.page`'s."""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Dict, Mapping, Optional, Tuple

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.review.access.access import (
    ALL_SESSIONS,
    INVITEE_MAX_TTL,
    INVITEE_NO_END_TTL,
    MAX_TTL,
    PERSONAL,
    PERSONAL_MAX_TTL,
    PURPOSES,
    signer_for,
)
from ft_dcc.server.review.access.identity import Caller, load_invitee
from ft_dcc.server.review.access.links import key_mark, may_open
from ft_dcc.server.review.reads.data import ReviewData
from ft_dcc.server.review.render.markup import review_url
from ft_dcc.server.rules import permissions
from ft_dcc.server.rules.review import manages
from ft_dcc.server.runtime.context import ApiContext

WIDGET_NAME = "review_session"


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


def invitee_ttl(end: Optional[dt.datetime], now: Optional[float] = None) -> int:
    """How long an invitee's link lives: until the session's window ends (``end``), at most
    ``INVITEE_MAX_TTL``; ``INVITEE_NO_END_TTL`` when the session has no end (or it passed: the
    session is closed and refuses the link anyway)."""
    now = time.time() if now is None else now
    if end is None:
        return INVITEE_NO_END_TTL
    left = (end if end.tzinfo else end.replace(tzinfo=dt.timezone.utc)).timestamp() - now
    return INVITEE_NO_END_TTL if left <= 0 else int(min(INVITEE_MAX_TTL, math.ceil(left)))


def _link_target(
    ctx: ApiContext, op: Mapping[str, object], caller: Caller
) -> Tuple[Optional[str], Optional[str], Optional[dt.datetime]]:
    """(review session id or None for the list, invitee id or None, the session's end) of a
    widget request."""
    entity_key = _entity_key(op)
    entity_type = op.get("entity_type")
    if entity_key is None:
        return None, None, None
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
    if invitee is not None and not manages(ctx.store, caller.user_id, facts.id):
        raise _refuse(
            "Only those who manage the review session (its creator, a Supervisor or Project "
            "Manager of its project, an administrator) may make an invitee's link; ask them."
        )
    if invitee is None and not may_open(ctx.store, caller.user_id, facts):
        raise _refuse(
            "This review session is private: ask its creator, a Supervisor of its project or an "
            "administrator for an invitee's link (entity_type='ReviewSessionInvitee')."
        )
    return review_session_id, invitee.id if invitee else None, facts.end_date


def widget_url(ctx: ApiContext, op: Mapping[str, object], caller: Caller) -> Dict[str, str]:
    """Answer ``get_widget_url`` for ``name="review_session"``: a signed review-page link.

    With ``entity_type="ReviewSession"`` and ``entity_key`` the link is the session's shared
    room link: it watches, and its holders say who they are before writing; it acts as no one.
    With ``purpose="personal"`` as well it is the caller's own link to that session: it acts as
    the caller (the owner presents and gives verdicts through it), for at most
    ``PERSONAL_MAX_TTL`` seconds. With ``entity_type="ReviewSessionInvitee"`` it opens the
    invitee's session acting as that invitee (only those who manage the session may ask:
    :func:`ft_dcc.server.rules.review.manages`); without an entity it opens the list of open
    sessions. Optional ``expires_in``
    (seconds, default one day, at most 30 days; a personal link one hour, at most 12 hours; an
    invitee's link by default until the session's ``end_date``, 30 days when it has none, at
    most a year: :func:`invitee_ttl`) sets how long the link works.
    """
    personal = _personal(op)
    review_session_id, invitee_id, end = _link_target(ctx, op, caller)
    if personal and (review_session_id is None or invitee_id is not None):
        raise ApiOperationError(
            "A personal link opens one review session as yourself: send entity_type="
            "'ReviewSession' and its id (an invitee's link is made without purpose).",
            "ValidationError",
        )
    ttl = _ttl(op.get("expires_in"))
    if ttl is None and invitee_id is not None:
        ttl = invitee_ttl(end)
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
