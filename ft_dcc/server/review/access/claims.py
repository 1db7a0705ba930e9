"""An invitee becomes a User only with that User's consent, or an administrator's.

``claim_review_invitee`` (an ``/api`` action) links an invitee to a User; from then on the
invitee's notes and drawings are authored by that User (statuses stay the invitee's, as in
ftrack). It is accepted when:

* the caller sends ``token``: the invitee's **own link** (its ``?token=`` or the whole URL),
  not revoked (``review revoke``: issued before the session's or the invitee's mark),
  and the invitee's e-mail is the caller's own (case aside): the User consents with their API
  key, the holder of the invitation with its link. The invitee becomes the caller;
* the caller is an **administrator** and sends ``review_session_invitee_id`` and ``user_id``.

Never for an invitee who added themselves through a room link (anyone with that link may pick
them). The claim names the User by id, so later e-mail changes re-route nothing. Claims live in
the server's own table ``ft_dcc_invitee_claim`` (ftrack's schema has no place for them); a claim
names its invitee's session too, so an invitee id made again elsewhere inherits nothing.

Reply: ``{"action": "claim_review_invitee", "review_session_invitee_id": str, "user_id": str}``.

``release_review_invitee`` (with ``review_session_invitee_id``) ends a claim: the claiming User
or an administrator may, no one else (not the session's owner either: the claim is that User's
word). From then on the invitee's link writes as its own collaborator again, and the User no
longer speaks for the invitee (:mod:`ft_dcc.server.rules.speakers`). Reply:
``{"action": "release_review_invitee", "review_session_invitee_id": str, "user_id": None}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Dict, Optional
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.model.storage import write_transaction
from ft_dcc.server.review.access.access import ReviewAccessError, refuse_expired, signer_for
from ft_dcc.server.review.access.claim_records import claim_table
from ft_dcc.server.review.access.client_gate import (
    LinkRevoked,
    check_revoked,
    issued_at,
    read_rules,
)
from ft_dcc.server.review.access.identity import Caller, Invitee, load_invitee, query
from ft_dcc.server.rules import permissions
from ft_dcc.server.runtime.context import ApiContext

ACTION = "claim_review_invitee"
RELEASE_ACTION = "release_review_invitee"


def _record(store: StoreParts, invitee: Invitee, user_id: str, by: str) -> None:
    table = claim_table(store)
    values = {
        "review_session_id": invitee.review_session_id,
        "user_id": user_id,
        "claimed_by_id": by,
        "claimed_at": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
    }
    with write_transaction(store.engine) as connection:
        connection.execute(sa.delete(table).where(table.c.invitee_id == invitee.id))
        connection.execute(sa.insert(table).values(invitee_id=invitee.id, **values))


def _refuse(message: str) -> ApiOperationError:
    return ApiOperationError(message, permissions.PERMISSION_ERROR, status=403)


def _token_of(value: object) -> str:
    text = str(value or "")
    if "?" in text:  # the whole link was pasted
        text = (parse_qs(urlsplit(text).query).get("token") or [""])[0]
    return text


def _invitee_of_link(ctx: ApiContext, token: object) -> Invitee:
    signer = signer_for(ctx.config.data_dir)
    try:
        payload = signer.check(_token_of(token), None, any_session=True)
        refuse_expired(payload)  # a link given as data, not presented: no door read it
    except ReviewAccessError as exc:
        raise _refuse(f"{exc} The claim needs the invitee's own, valid link.") from None
    if "i" not in payload or payload.get("r"):
        raise ApiOperationError(
            "Send the invitee's own invitation link (token); a session or room link names no "
            "one, and people who added themselves in a room cannot be claimed.",
            "ValidationError",
        )
    invitee = load_invitee(ctx.execute, payload.get("i"))
    if invitee is None or invitee.review_session_id != payload.get("rs"):
        raise _refuse("This invitation was withdrawn; ask the session's owner for a new one.")
    rules = read_rules(ctx.store, invitee.review_session_id, invitee.id)
    try:
        if rules is not None:
            check_revoked(rules, issued_at(payload))
    except LinkRevoked as exc:
        raise _refuse(f"{exc.message} The claim needs a link issued since.") from None
    return invitee


def _own_email(ctx: ApiContext, user_id: str) -> str:
    rows = query(ctx.execute, f"select email from User where id is {quote(user_id)}")
    return str((rows[0].get("email") if rows else "") or "").strip().lower()


def claim(ctx: ApiContext, op: JsonObject, caller: Caller) -> Dict[str, str]:
    """The ``claim_review_invitee`` action (see the module docstring)."""
    admin = permissions.is_admin(ctx.store, caller.user_id)
    if op.get("token"):
        invitee = _invitee_of_link(ctx, op.get("token"))
        user_id = caller.user_id
        if op.get("user_id") not in (None, user_id) and not admin:
            raise _refuse("You may claim an invitee only for yourself; ask an administrator.")
        user_id = str(op.get("user_id") or user_id)
        email = invitee.email.strip().lower()
        if not admin and (not email or email != _own_email(ctx, caller.user_id)):
            raise _refuse(
                "This invitation is for another e-mail address; only its own person may claim "
                "it (or ask an administrator)."
            )
    elif admin:
        invitee_or_none = load_invitee(ctx.execute, op.get("review_session_invitee_id"))
        if invitee_or_none is None:
            raise ApiOperationError(
                "review_session_invitee_id names no invitee; send the id of an existing "
                "ReviewSessionInvitee.",
                "ValidationError",
            )
        invitee, user_id = invitee_or_none, str(op.get("user_id") or "")
    else:
        raise _refuse(
            "Send the invitee's own link as token (your consent is your API key, theirs the "
            "link), or ask an administrator."
        )
    if invitee.from_room:
        raise _refuse("People who added themselves in a room cannot be claimed; ask the "
                      "session's owner for an invitation of your own.")  # fmt: skip
    if not permissions.is_active_user(ctx.store, user_id):
        raise ApiOperationError("Send the id of an active User as user_id.", "ValidationError")
    _record(ctx.store, invitee, user_id, caller.user_id)
    return {"action": ACTION, "review_session_invitee_id": invitee.id, "user_id": user_id}


def release(ctx: ApiContext, op: JsonObject, caller: Caller) -> Dict[str, Optional[str]]:
    """The ``release_review_invitee`` action (see the module docstring)."""
    invitee_id = op.get("review_session_invitee_id")
    table = claim_table(ctx.store)
    with ctx.store.engine.connect() as connection:
        held = connection.execute(
            sa.select(table.c.user_id).where(table.c.invitee_id == str(invitee_id or ""))
        ).scalar()
    if held is None:
        raise ApiOperationError(
            "That invitee is not claimed by anyone; send the review_session_invitee_id of a "
            "claimed invitee.",
            "ValidationError",
        )
    if held != caller.user_id and not permissions.is_admin(ctx.store, caller.user_id):
        raise _refuse("Only the User who claimed this invitee, or an administrator, may release "
                      "the claim; ask them.")  # fmt: skip
    with ctx.store.engine.begin() as connection:
        connection.execute(
            sa.delete(table).where(table.c.invitee_id == str(invitee_id), table.c.user_id == held)
        )
    return {"action": RELEASE_ACTION, "review_session_invitee_id": str(invitee_id),
            "user_id": None}  # fmt: skip
