"""``{"action": "ft_dcc.webhook", "verb": …}``: the studio's webhooks, for administrators only
(``ft-dcc webhook``; ``ft_dcc.server.notify.hooks``). Anyone else is refused (403) and nothing
is read or written.

* ``"add"`` with ``url`` (``http(s)://``), ``topics`` (a list of ``note.created``,
  ``version.published``, ``verdict.given``, ``note.completed``, ``note.reopened``), ``secret``
  (8 to 500 characters: each body's ``X-Ft-Dcc-Signature`` is signed with it) and ``slack``
  (optional, true: a Slack-compatible body) -> ``{"webhook": {id, url, topics, slack,
  created_by, created}}``;
* ``"list"`` -> ``{"webhooks": [...]}`` (never a secret);
* ``"remove"`` with ``id`` -> ``{"removed": id}`` (its deliveries still waiting are dropped);
* ``"deliveries"`` (optional ``webhook_id``, ``limit`` up to 1000) -> ``{"deliveries": [{id,
  webhook_id, topic, state, created, next_attempt, note_id, version_id, review_session_id,
  attempts: [{attempt, at, status, error}]}]}``, newest first.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.common.errors import ApiOperationError, BadInput
from ft_dcc.server.notify.deliveries import Deliveries
from ft_dcc.server.notify.hooks import Webhooks, check_secret, check_topics, check_url
from ft_dcc.server.rules import permissions
from ft_dcc.server.runtime.context import ApiContext

ACTION = "ft_dcc.webhook"
REFUSED = (
    "Only an administrator may add, list or remove webhooks or read their deliveries (a webhook "
    "makes the server send requests to an address of its choosing); ask an administrator."
)
VERBS = ("add", "list", "remove", "deliveries")


def _add(hooks: Webhooks, _deliveries: Deliveries, op: JsonObject, user_id: str) -> Any:
    slack = op.get("slack", False)
    if not isinstance(slack, bool):
        raise BadInput("slack must be true or false.")
    hook = hooks.add(check_url(op.get("url")), check_topics(op.get("topics")),
                     check_secret(op.get("secret")), slack, user_id)  # fmt: skip
    return {"webhook": hook.listed()}


def _list(hooks: Webhooks, _deliveries: Deliveries, _op: JsonObject, _user: str) -> Any:
    return {"webhooks": [hook.listed() for hook in hooks.all()]}


def _remove(hooks: Webhooks, _deliveries: Deliveries, op: JsonObject, _user: str) -> Any:
    hook_id = op.get("id")
    if not isinstance(hook_id, str) or not hooks.remove(hook_id[:64]):
        raise BadInput("id must be the id of a webhook: ft-dcc webhook list shows them.", 404)
    return {"removed": hook_id}


def _deliveries(_hooks: Webhooks, deliveries: Deliveries, op: JsonObject, _user: str) -> Any:
    limit = op.get("limit", 200)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise BadInput("limit must be a whole number from 1 to 1000.")
    hook_id = op.get("webhook_id")
    if hook_id is not None and not isinstance(hook_id, str):
        raise BadInput("webhook_id must be the id of a webhook: ft-dcc webhook list shows them.")
    return {"deliveries": deliveries.listed(limit, hook_id)}


_DO: Dict[str, Callable[[Webhooks, Deliveries, JsonObject, str], Any]] = {
    "add": _add, "list": _list, "remove": _remove, "deliveries": _deliveries,
}  # fmt: skip


def webhooks(ctx: ApiContext, op: JsonObject, caller: Any) -> object:
    """Answer ``ft_dcc.webhook`` (see the module docstring)."""
    if not permissions.is_admin(ctx.store, caller.user_id):
        raise ApiOperationError(REFUSED, permissions.PERMISSION_ERROR, status=403)
    verb = op.get("verb")
    if verb not in _DO:
        raise ApiOperationError(f"verb must be one of: {', '.join(VERBS)}.", "ValidationError")
    store = ctx.store
    try:
        hooks = Webhooks(store.engine, store.metadata)
        deliveries = Deliveries(store.engine, store.metadata)
        answer = _DO[str(verb)](hooks, deliveries, op, caller.user_id)
    except BadInput as exc:
        raise ApiOperationError(exc.message, "ValidationError", status=exc.status) from None
    return dict(answer, action=ACTION, verb=verb)
