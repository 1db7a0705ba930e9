"""``ft-dcc webhook add|list|remove|deliveries``: the embedded server's webhooks, for its
administrators (the ``/api`` action ``ft_dcc.webhook``; stdlib-only imports at top).

A webhook ``POST``s a JSON body per event (``note.created``, ``version.published``,
``verdict.given``, ``note.completed``, ``note.reopened``) naming the note, version and review
session ids, signed ``X-Ft-Dcc-Signature: sha256=<HMAC-SHA256 of the raw body>`` with its secret,
retried with backoff. A real ftrack server has none of this: it says so and points to ftrack's
own automations. See docs/notifications.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, List

from ft_dcc.commands_base import Command, arg

if TYPE_CHECKING:
    from ft_dcc.session.interface import PublishSession

ACTION = "ft_dcc.webhook"
TOPICS = ("note.created", "version.published", "verdict.given", "note.completed",
          "note.reopened")  # fmt: skip
NOT_HERE = (
    "this ftrack server has no ft-dcc webhooks (they are the embedded ft-dcc server's own)",
    "on an ftrack site, use ftrack's own automations and webhooks (System settings > "
    "Automations, or an event listener on the ftrack event hub) to tell chat and studio tools",
)


def _call(session: PublishSession, operation: Dict[str, Any]) -> Dict[str, Any]:
    from ft_dcc.exceptions import ServerError, UnexpectedReplyError

    try:
        reply = session.call([dict(operation, action=ACTION)])[0]
    except ServerError as exc:
        if "Invalid action" in exc.message:
            raise ServerError(NOT_HERE[0], hint=NOT_HERE[1]) from None
        raise
    if not isinstance(reply, dict):
        raise UnexpectedReplyError(f"the server answered {ACTION} with {type(reply).__name__}")
    return reply


def _run(operation: Dict[str, Any]) -> Dict[str, Any]:
    from ft_dcc.session import Session

    with Session() as session:
        return _call(session, operation)


def _when(seconds: object) -> str:
    if not isinstance(seconds, (int, float)):
        return "-"
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _secret(args: argparse.Namespace) -> str:
    from ft_dcc.exceptions import ConfigurationError

    if args.secret_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise ConfigurationError("no secret on standard input", "pipe the secret in, one line")
        return line
    if not args.secret:
        raise ConfigurationError("a webhook needs a secret", "give --secret S or --secret-stdin")
    return str(args.secret)


def add(args: argparse.Namespace) -> int:
    topics: List[str] = [t for given in args.topic for t in given.split(",") if t]
    reply = _run({"verb": "add", "url": args.url, "topics": topics, "secret": _secret(args),
                  "slack": bool(args.slack)})  # fmt: skip
    hook = reply.get("webhook") or {}
    print(f"Webhook {hook.get('id')} added: {hook.get('url')} "
          f"({', '.join(hook.get('topics') or [])}{', Slack body' if hook.get('slack') else ''})")
    return 0


def _show(args: argparse.Namespace, rows: List[Dict[str, Any]], empty: str,
          line: Callable[[Dict[str, Any]], str]) -> int:  # fmt: skip
    """``rows`` as JSON (``--json``), or a line each (``empty`` when there are none)."""
    if args.json:
        print(json.dumps(rows, indent=2, sort_keys=True))
        return 0
    print("\n".join(line(row) for row in rows) if rows else empty)
    return 0


def _hook_line(hook: Dict[str, Any]) -> str:
    slack = "  [slack]" if hook.get("slack") else ""
    return f"{hook.get('id')}  {hook.get('url')}  {','.join(hook.get('topics') or [])}{slack}"


def listing(args: argparse.Namespace) -> int:
    hooks = _run({"verb": "list"}).get("webhooks") or []
    return _show(args, hooks, "No webhooks (ft-dcc webhook add URL --topic TOPIC --secret S).",
                 _hook_line)  # fmt: skip


def remove(args: argparse.Namespace) -> int:
    _run({"verb": "remove", "id": args.id})
    print(f"Webhook {args.id} removed.")
    return 0


def deliveries(args: argparse.Namespace) -> int:
    operation: Dict[str, Any] = {"verb": "deliveries", "limit": args.limit}
    if args.webhook:
        operation["webhook_id"] = args.webhook
    found = _run(operation).get("deliveries") or []
    return _show(args, found, "No deliveries yet.", _delivery_line)


def _delivery_line(item: Dict[str, Any]) -> str:
    tries = ", ".join(
        str(a.get("status") or "no answer") for a in item.get("attempts") or []) or "-"
    ids = " ".join(f"{k.split('_id')[0]}={item.get(k)}"
                   for k in ("note_id", "version_id", "review_session_id") if item.get(k))
    return (f"{_when(item.get('created'))}  {item.get('topic'):<17} {item.get('state'):<9} "
            f"attempts: {tries}  {ids}  (webhook {item.get('webhook_id')})")


JSON = arg("--json", action="store_true", help="print JSON")
COMMANDS = (
    Command("webhook", "the embedded server's webhooks: add, list, remove, deliveries "
            "(administrators)", actions=(
        Command("add", "send each event of the topics to URL, signed with the secret", add, (
            arg("url", help="the receiver: an http:// or https:// address"),
            arg("--topic", action="append", required=True, metavar="TOPIC",
                help=f"an event to send: {', '.join(TOPICS)} (repeat, or separate with commas)"),
            arg("--secret", help="the secret each body's X-Ft-Dcc-Signature is signed with (8 "
                "to 500 characters; --secret-stdin keeps it off the command line)"),
            arg("--secret-stdin", action="store_true", help="read the secret from standard "
                "input's first line"),
            arg("--slack", action="store_true", help="a Slack-compatible body ({\"text\": …}, "
                "for an incoming-webhook URL), the event's fields beside it"),
        ), "Only administrators may add webhooks: the server sends requests to the address "
           "given. Each event's JSON body names the note, version and review session ids; a "
           "failed delivery is retried (30 s, then doubling)."),
        Command("list", "the webhooks (never their secrets)", listing, (JSON,)),
        Command("remove", "remove a webhook (its deliveries still waiting are dropped)", remove,
                (arg("id", help="the webhook's id (ft-dcc webhook list)"),)),
        Command("deliveries", "each delivery and each attempt's HTTP status", deliveries, (
            JSON,
            arg("--webhook", metavar="ID", help="only this webhook's"),
            arg("--limit", type=int, default=200, help="the newest this many (default 200)"),
        )),
    ), description="Webhooks of the embedded ft-dcc server (FTRACK_SERVER), for chat and studio "
       "tools. On an ftrack site, use ftrack's own automations. See docs/notifications.md."),
)  # fmt: skip
