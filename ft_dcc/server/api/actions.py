"""Dispatch of the operations in one ``POST /api`` batch.

Data operations (``query``/``create``/``update``/``delete``) of a batch run together in ONE store
transaction; the other actions (uploads, encode, invites, widgets, key reset) are checked before
that transaction and carried out after it, in batch order; a ``get_widget_url`` after a data
operation is answered inside that transaction in its place, by the store's batch (registered
with the store by :func:`answer_in_batches`, as the rules are; all or nothing). Any failure answers
the ftrack error shape naming the failing operation, and a failed data transaction writes
nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, fields
from typing import Callable, Dict, List, Mapping, Optional, cast

import sqlalchemy as sa

from ft_dcc.protocol import SERVER_LOCATION_ID
from ft_dcc.protocol.json_value import JsonObject, JsonValue
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.api import audit_action, webhook_action
from ft_dcc.server.api.search import is_search, search_as_query
from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.files.download_links import (
    SIGNED_URL_TTL,
    sign_url_attributes,
    signed_download_url,
)
from ft_dcc.server.files.encode import EncodeError
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.http.auth import generate_api_key
from ft_dcc.server.review.access import claims
from ft_dcc.server.review.access.identity import load_invitee
from ft_dcc.server.review.invitations.invitation_mail import Caller as MailCaller
from ft_dcc.server.review.invitations.invitation_mail import mail_invitation
from ft_dcc.server.review.invitations.widget_link import widget_url
from ft_dcc.server.rules import ownership, permissions
from ft_dcc.server.rules.passphrase import prehash_passphrases
from ft_dcc.server.rules.review import manages
from ft_dcc.server.runtime.context import ApiContext
from ft_dcc.server.store.store import (
    DATA_ACTIONS,
    WRITE_ACTIONS,
    InBatchAction,
    InTransaction,
)

log = logging.getLogger(__name__)


def describe(index: int, operation: object) -> str:
    """``operation 2 (create Shot)``: how error messages name an operation."""
    if isinstance(operation, dict):
        action = operation.get("action")
        entity_type = operation.get("entity_type")
        what = " ".join(str(part) for part in (action, entity_type) if part)
        if what:
            return f"operation {index + 1} ({what[:80]})"
    return f"operation {index + 1}"


# -- non-data actions --------------------------------------------------------------------------
#: an action's handler: its reply (turned into JSON), or ``ApiOperationError``
Handler = Callable[[ApiContext, JsonObject, "Caller"], object]


@dataclass
class Caller:
    """Who sent the batch and how they reached the server."""

    user_id: str
    username: str
    base_url: str


def _server_information(ctx: ApiContext, op: JsonObject, caller: Caller) -> object:
    return {
        "version": ctx.config.version,
        "schema_hash": ctx.store.schema_hash,
        "storage_scenario": {"scenario": "ftrack.automatic", "data": {}},
        "is_timezone_support_enabled": True,
    }


def _schemas(ctx: ApiContext, op: JsonObject, caller: Caller) -> object:
    return ctx.store.schemas


def _refuse_committed_file(ctx: ApiContext, component_id: object, caller: Caller) -> None:
    """A component already in ``ftrack.server`` keeps its file: uploads make new components."""
    component_id = check_component_id(component_id)
    expression = (
        f"select id from ComponentLocation where component_id is {quote(component_id)} "
        f"and location_id is {quote(SERVER_LOCATION_ID)}"
    )
    reply = ctx.execute([{"action": "query", "expression": expression}], caller.user_id)
    if reply and reply[0].get("data"):
        raise ApiOperationError(
            f"Component {component_id} is already in ftrack.server and its file cannot be "
            "replaced; upload to a new component instead.",
            "ValidationError",
        )


def _upload_metadata(ctx: ApiContext, op: JsonObject, caller: Caller) -> object:
    refusal = ownership.upload_refusal(
        ctx.store, caller.user_id, check_component_id(op.get("component_id"))
    )
    if refusal:
        raise ApiOperationError(refusal, permissions.PERMISSION_ERROR, status=403)
    _refuse_committed_file(ctx, op.get("component_id"), caller)
    if op.get("parts") is not None:
        return ctx.files.multipart_metadata(
            caller.base_url, op.get("component_id"), op.get("file_name"), op.get("file_size"),
            op.get("parts"),
        )  # fmt: skip
    return ctx.files.upload_metadata(
        caller.base_url, op.get("component_id"), op.get("file_name"), op.get("file_size"),
        op.get("checksum"),
    )  # fmt: skip


def _complete_multipart(ctx: ApiContext, op: JsonObject, caller: Caller) -> object:
    component_id = check_component_id(op.get("component_id"))
    ctx.files.complete_multipart(op.get("upload_id"), component_id, op.get("parts"))
    return {
        "action": "complete_multipart_upload",
        "component_id": component_id,
        "url": f"{caller.base_url}/component/get?id={component_id}",
    }


def _encode_media(ctx: ApiContext, op: JsonObject, caller: Caller) -> object:
    if ctx.encoder is None:
        raise ApiOperationError("encode_media is not available on this server.", "ServerError")
    started = ctx.encoder.start(
        op.get("component_id"), op.get("version_id"), op.get("keep_original", False),
        caller.user_id,
    )  # fmt: skip
    return dict(started, action="encode_media")


def _exists(ctx: ApiContext, entity_type: str, entity_id: object, caller: Caller) -> bool:
    entity_id = check_component_id(entity_id)
    reply = ctx.execute(
        [
            {
                "action": "query",
                "expression": f"select id from {entity_type} where id is {quote(entity_id)}",
            }
        ],
        caller.user_id,
    )
    return bool(reply and reply[0].get("data"))


def _record_invitation(ctx: ApiContext, kind: str, target_id: str, caller: Caller) -> None:
    assert ctx.invitations is not None
    with ctx.store.engine.begin() as conn:
        conn.execute(
            sa.insert(ctx.invitations).values(
                id=str(uuid.uuid4()),
                kind=kind,
                target_id=target_id,
                sent_by_id=caller.user_id,
                sent_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
            )
        )
    log.info("recorded %s for %s", kind, target_id)


def _review_invite(ctx: ApiContext, op: JsonObject, caller: Caller) -> object:
    ids = op.get("review_session_invitee_ids")
    if ids is None:
        ids = [op.get("review_session_invitee_id")]
    if not isinstance(ids, list) or not ids:
        raise ApiOperationError("review_session_invitee_id is required.", "ValidationError")
    for invitee_id in ids:
        if not _exists(ctx, "ReviewSessionInvitee", invitee_id, caller):
            raise ApiOperationError(
                f"ReviewSessionInvitee {invitee_id} does not exist; commit the invitee first.",
                "ValidationError",
            )
    now: JsonObject = {
        "__type__": "datetime",
        "value": dt.datetime.now(dt.timezone.utc).isoformat(),
    }
    ctx.execute(
        [
            {
                "action": "update",
                "entity_type": "ReviewSessionInvitee",
                "entity_key": [invitee_id],
                "entity_data": {"__entity_type__": "ReviewSessionInvitee", "last_sent_at": now},
            }
            for invitee_id in ids
        ],
        caller.user_id,
    )
    for invitee_id in ids:
        _record_invitation(ctx, "review_session_invite", str(invitee_id), caller)
        _mail_invitee(ctx, str(invitee_id), caller)
    return {"action": op.get("action"), "sent": True}


def _mail_invitee(ctx: ApiContext, invitee_id: str, caller: Caller) -> None:
    """E-mail the invitee their link when the server has an SMTP server and the caller manages
    the session (only they may make an invitee's link); otherwise the invitation is recorded
    only, as before, and the log says why."""
    if ctx.mail is None or not ctx.mail.configured:
        return
    invitee = load_invitee(ctx.execute, invitee_id)
    if invitee is None or not manages(ctx.store, caller.user_id, invitee.review_session_id):
        log.info("invitation of %s recorded, not mailed: %s", invitee_id,
                 "no such invitee" if invitee is None else "the caller does not manage its "
                 "session")  # fmt: skip
        return
    person = {"id": invitee.id, "name": invitee.name, "email": invitee.email}
    mail_invitation(ctx, MailCaller(caller.user_id, caller.base_url), person,
                    invitee.review_session_id)  # fmt: skip


def _user_invite(ctx: ApiContext, op: JsonObject, caller: Caller) -> object:
    user_id = op.get("user_id")
    if not _exists(ctx, "User", user_id, caller):
        raise ApiOperationError(f"User {user_id} does not exist.", "ValidationError")
    _record_invitation(ctx, "user_invite", str(user_id), caller)
    return {"action": "send_user_invite", "sent": True}


def _widget_url(ctx: ApiContext, op: JsonObject, caller: Caller) -> object:
    name = op.get("name")
    if name == "review_session":  # the web review page: server.review.invitations.widget_link
        return widget_url(ctx, op, caller)
    if name not in ("info", "tasks", "tasks_browser"):
        raise ApiOperationError(
            f"Unknown widget {str(name)[:40]!r}: use info, tasks, tasks_browser or review_session.",
            "ValidationError",
        )
    entity_key = op.get("entity_key")
    if isinstance(entity_key, list):
        entity_key = entity_key[0] if entity_key else None
    payload = {
        "w": name,
        "t": op.get("theme") or "light",
        "et": op.get("entity_type"),
        "ek": entity_key,
        "u": caller.user_id,
    }
    token = ctx.files.sign_token(payload, ttl=ctx.config.widget_url_ttl, kind="widget")
    return {"action": "get_widget_url", "widget_url": f"{caller.base_url}/widget?token={token}"}


def _reset_remote(ctx: ApiContext, op: JsonObject, caller: Caller) -> object:
    if op.get("reset_type") != "api_key":
        raise ApiOperationError(
            f"reset_type {str(op.get('reset_type'))[:40]!r} is not supported; only api_key is.",
            "ValidationError",
        )
    entity_key: JsonValue = op.get("entity_key") or caller.user_id
    if isinstance(entity_key, list):
        entity_key = entity_key[0] if entity_key else caller.user_id
    if op.get("entity_type") not in (None, "User"):
        raise ApiOperationError("reset_remote api_key needs entity_type User.", "ValidationError")
    user_id = check_component_id(entity_key)
    expression = f"select username from User where id is {quote(user_id)}"
    reply = ctx.execute([{"action": "query", "expression": expression}], caller.user_id)
    rows = reply[0].get("data") if reply else None
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
        raise ApiOperationError(f"User {user_id} does not exist.", "ValidationError")
    new_key = generate_api_key()
    ctx.keys.set_key(str(rows[0]["username"]), user_id, new_key)
    return {"action": "reset_remote", "data": {"api_key": new_key}}


def _signed_url(ctx: ApiContext, op: JsonObject, caller: Caller) -> object:
    """``generate_signed_url`` (an action of ftrack's JavaScript API): a short-lived download URL
    of a component in ftrack.server that opens in a browser, with no API key in it."""
    component_id = check_component_id(op.get("component_id"))  # a missing file answers 404
    path = signed_download_url(
        ctx.files, "/component/get", component_id, caller.user_id, ttl=SIGNED_URL_TTL
    )
    return {"action": "generate_signed_url", "signed_url": caller.base_url + path}


def _track_usage(ctx: ApiContext, op: JsonObject, caller: Caller) -> object:
    """``_track_usage``: the usage event ftrack's own tools (Connect, the DCC framework, the
    application launcher) send with every discovery, engine and plugin run. ftrack takes it for
    its product analytics and the callers ignore the reply; a studio's own server has no such
    analytics, so it is accepted and dropped: no error for the caller, no row, no log line above
    debug (43 per framework run would bury the log)."""
    data = op.get("data")
    name = data.get("name") if isinstance(data, dict) else None
    log.debug("usage event %.80s from %s dropped", name, caller.username)
    return {"action": "_track_usage"}


HANDLERS: Dict[str, Handler] = {
    "query_server_information": _server_information,
    "query_schemas": _schemas,
    "get_upload_metadata": _upload_metadata,
    "complete_multipart_upload": _complete_multipart,
    "encode_media": _encode_media,
    "send_review_session_invite": _review_invite,
    "send_review_session_invites": _review_invite,
    "send_user_invite": _user_invite,
    "get_widget_url": _widget_url,
    "reset_remote": _reset_remote,
    "generate_signed_url": _signed_url,
    "_track_usage": _track_usage,
    claims.ACTION: claims.claim,
    claims.RELEASE_ACTION: claims.release,
    audit_action.ACTION: audit_action.read_audit,
    webhook_action.ACTION: webhook_action.webhooks,
}


def _unknown_action(index: int, action: object) -> ApiOperationError:
    supported = ", ".join(sorted(a for a in (*DATA_ACTIONS, *HANDLERS, "search") if a[0] != "_"))
    return ApiOperationError(
        f"Invalid action u'{str(action)[:60]}' in operation {index + 1}: this server does not "
        f"support it. Supported actions: {supported}.",
        "ValueError",
    )


def check_batch(batch: object) -> List[JsonObject]:
    """The batch if it is a list of operation objects with known actions; refused otherwise."""
    if not isinstance(batch, list):
        raise ApiOperationError(
            "The request body must be a JSON array of operations, e.g. "
            '[("action": "query_server_information")] written with square and curly brackets.',
            "ValidationError",
        )
    for index, operation in enumerate(batch):
        if not isinstance(operation, dict):
            raise ApiOperationError(
                f"{describe(index, operation)} must be a JSON object.",
                "ValidationError",
            )
        action = operation.get("action")
        if not isinstance(action, str) or not (action in DATA_ACTIONS or action in HANDLERS):
            raise _unknown_action(index, action)
    return batch


#: Actions without side effects worth undoing: answered before the data transaction, so a
#: failure there writes nothing.
BEFORE_DATA = (
    "query_server_information", "query_schemas", "get_upload_metadata", "get_widget_url",
    "generate_signed_url", "_track_usage",
)  # fmt: skip
#: ... except these after a data operation: ftrack runs a batch in order, so they are answered
#: inside the data transaction, after the operations before them (a link to a review session
#: created earlier in the batch works); a refusal there rolls the whole batch back
IN_BATCH_ORDER = ("get_widget_url",)


def _answered_first(operations: List[JsonObject]) -> List[bool]:
    """Per operation: whether it is answered before the data transaction."""
    first_data = next(
        (i for i, op in enumerate(operations) if op["action"] in DATA_ACTIONS), len(operations)
    )
    return [
        op["action"] in BEFORE_DATA and not (op["action"] in IN_BATCH_ORDER and i > first_data)
        for i, op in enumerate(operations)
    ]


@dataclass
class _InTransaction(ApiContext):
    """A context whose ``execute`` runs on a batch's open transaction (it sees the batch's
    writes): for the actions answered inside it."""

    reads: Optional[InTransaction] = None

    def __post_init__(self) -> None:
        """Nothing: the side tables are the outer context's."""

    def execute(
        self, operations: List[JsonObject], user_id: str, asker: object = None
    ) -> List[JsonObject]:
        if self.reads is None or asker is not None:
            raise RuntimeError("an action inside a batch's transaction runs its operations only")
        return list(self.reads(operations, user_id))


def _in_transaction(ctx: ApiContext, execute: InTransaction) -> ApiContext:
    shared = {f.name: getattr(ctx, f.name) for f in fields(ApiContext)}
    return _InTransaction(**shared, reads=execute)


def answer_in_batches(ctx: ApiContext) -> None:
    """Register with ``ctx``'s store the actions a batch answers in its transaction, in batch
    order (:data:`IN_BATCH_ORDER`), as its rules are registered: the store's batch runs them in
    their place, given the :class:`Caller` the batch's sender passed."""

    def answer(action: str) -> InBatchAction:
        handler = HANDLERS[action]

        def in_batch(
            reads: InTransaction, op: Mapping[str, object], user_id: str, asker: object
        ) -> JsonObject:
            if not isinstance(asker, Caller) or asker.user_id != user_id:
                raise ApiOperationError(f"{action} inside a batch needs the batch's caller.")
            try:
                reply = handler(_in_transaction(ctx, reads), cast(JsonObject, op), asker)
            except FileStoreError as exc:
                raise ApiOperationError(exc.message, exc.exception, status=exc.status) from exc
            return cast(JsonObject, reply)

        return in_batch

    for action in IN_BATCH_ORDER:
        ctx.store.answer_in_batch(action, answer(action))


def _check_complete_multipart(ctx: ApiContext, op: JsonObject, caller: Caller) -> None:
    ctx.files.check_multipart(op.get("upload_id"), op.get("component_id"), op.get("parts"))


#: Checks run before the data transaction for actions carried out after it.
VALIDATORS: Dict[str, Callable[[ApiContext, JsonObject, Caller], None]] = {
    "complete_multipart_upload": _check_complete_multipart,
}


def _run_action(
    ctx: ApiContext,
    index: int,
    operation: JsonObject,
    caller: Caller,
    handler: Callable[[ApiContext, JsonObject, Caller], object],
) -> object:
    try:
        return handler(ctx, operation, caller)
    except ApiOperationError as exc:  # its refusal, or one of its reads': the same kind
        raise exc.restated(f"{describe(index, operation)}: {exc.message}") from exc
    except FileStoreError as exc:
        raise ApiOperationError(
            f"{describe(index, operation)}: {exc.message}", exc.exception, status=exc.status
        ) from exc
    except EncodeError as exc:
        raise ApiOperationError(f"{describe(index, operation)}: {exc}", "ValidationError") from exc


def run_batch(ctx: ApiContext, batch: JsonValue, caller: Caller) -> List[object]:
    """Answer one ``/api`` batch: a list of replies, or ``ApiOperationError`` for the whole batch.

    Order: side-effect-free actions and checks, then all data operations in one transaction,
    then the remaining actions (uploads completed, encodes started, invites recorded) in order.
    Called in a worker thread: the batch's passphrases are hashed first, before the store's
    write lock is taken.
    """
    batch = prehash_passphrases(batch)
    searches: List[int] = []
    if isinstance(batch, list):  # the JavaScript client's search: a query with text conditions
        searches = [i for i, op in enumerate(batch) if is_search(op)]
        batch = [
            search_as_query(ctx.store.model, op) if isinstance(op, dict) and is_search(op) else op
            for op in batch
        ]
    operations = check_batch(batch)
    _check_permissions(ctx, operations, caller)
    results: List[object] = [None] * len(operations)
    first = _answered_first(operations)
    for index, operation in enumerate(operations):
        action = operation["action"]
        if first[index]:
            results[index] = _run_action(ctx, index, operation, caller, HANDLERS[str(action)])
        elif action in VALIDATORS:
            _run_action(ctx, index, operation, caller, VALIDATORS[str(action)])
    inside = [i for i, op in enumerate(operations) if op["action"] in IN_BATCH_ORDER]
    inside = [i for i in inside if not first[i]]  # answered by the store's batch, in order
    store_indexes = [
        i for i, op in enumerate(operations) if op["action"] in DATA_ACTIONS or i in inside
    ]
    if store_indexes:
        store_ops = [operations[i] for i in store_indexes]
        try:
            replies = ctx.execute(store_ops, caller.user_id, caller if inside else None)
        except Exception as exc:
            raise _store_failure(exc, store_indexes, operations) from exc
        for index, reply in zip(store_indexes, replies):
            results[index] = dict(reply, action="search") if index in searches else reply
            if index not in inside and _may_hold_urls(operations[index]):
                sign_url_attributes(ctx.files, reply.get("data"), caller.base_url, caller.user_id)
    for index, operation in enumerate(operations):
        action = operation["action"]
        if action in DATA_ACTIONS or first[index] or index in inside:
            continue
        results[index] = _run_action(ctx, index, operation, caller, HANDLERS[str(action)])
    return results


def _may_hold_urls(operation: JsonObject) -> bool:
    """Whether a data operation's reply may carry a computed URL attribute (``thumbnail_url``,
    ``ComponentLocation.url``): a query selecting one, or an echo of a created/updated entity."""
    if operation["action"] in ("create", "update"):
        return True
    expression = operation.get("expression")
    return isinstance(expression, str) and "url" in expression.lower()


def _check_permissions(ctx: ApiContext, operations: List[JsonObject], caller: Caller) -> None:
    for index, operation in enumerate(operations):
        if operation["action"] in DATA_ACTIONS:
            continue  # checked inside the data transaction (permissions.check_write)
        refusal = permissions.check_action(ctx.store, operation, caller.user_id)
        if refusal:
            raise ApiOperationError(
                f"{describe(index, operation)}: {refusal}",
                permissions.PERMISSION_ERROR,
                status=403,
            )


def _store_failure(
    exc: Exception, store_indexes: List[int], operations: List[JsonObject]
) -> ApiOperationError:
    if isinstance(exc, ApiOperationError):  # its kind and status kept, the batch's words added
        sub_index = exc.index
        message = exc.message
        if isinstance(sub_index, int) and 0 <= sub_index < len(store_indexes):
            index = store_indexes[sub_index]
            # Name the operation by its place in the whole batch (the store counts data ops only).
            message = f"{describe(index, operations[index]).capitalize()} failed: {exc.detail}"
        message = message.rstrip()
        if not message.endswith("."):
            message += "."
        if any(operations[i].get("action") in WRITE_ACTIONS for i in store_indexes):
            message += " Nothing in this batch was written."
        return exc.restated(message)
    log.exception("unexpected error while running a batch")
    return ApiOperationError(
        f"Internal error while running the batch ({type(exc).__name__}); nothing in this batch "
        "was written. See the server log for details.",
        "ServerError",
        status=500,
    )
