"""An invitee's invitation e-mail: their own link (``get_widget_url`` for the invitee, living as
long as the session's window: :func:`~ft_dcc.server.review.invitations.widget_link.invitee_ttl`),
the studio's name, the session's name and window, queued on the server's mailer
(``ApiContext.mail``, :mod:`ft_dcc.server.mail`). The passphrase is never in it.

Sent by the desk's *Invite* and *Send again* (``desk.invitations``) and by ftrack's own
``send_review_session_invite`` action (``ft-dcc review invite``, a publish's invitees), for whoever
manages the session (only they may make an invitee's link). Each message's topic is
``invitee:<id>``: what the desk asks the mailer about.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Mapping, Optional

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.review.invitations.widget_link import invitee_ttl, widget_url
from ft_dcc.server.review.reads.data import parse_date, rows_of
from ft_dcc.server.runtime.context import ApiContext

LETTER = "invitation"
TOPIC = "invitee:"


@dataclass
class Caller:
    """Who asks for a link (``review.identity.Caller``)."""

    user_id: str
    base_url: str


def topic(invitee_id: str) -> str:
    """The mailer's topic of ``invitee_id``'s invitations."""
    return TOPIC + invitee_id


def when_said(value: Optional[dt.datetime]) -> str:
    """A time as the mail says it (UTC): ``Friday 5 December 2031, 18:00 UTC``."""
    if value is None:
        return ""
    value = value.astimezone(dt.timezone.utc)
    return f"{value:%A} {value.day} {value:%B %Y, %H:%M} UTC"


def valid_until(end: Optional[dt.datetime], now: Optional[float] = None) -> dt.datetime:
    """Until when an invitee's link made at ``now`` works (the session's window ends at
    ``end``)."""
    now = time.time() if now is None else now
    return dt.datetime.fromtimestamp(now + invitee_ttl(end, now), dt.timezone.utc)


def invitee_link(ctx: ApiContext, caller: Caller, invitee_id: str) -> str:
    """A new link of the invitee, made as ``caller`` (who must manage the session)."""
    op: JsonObject = {
        "action": "get_widget_url",
        "name": "review_session",
        "entity_type": "ReviewSessionInvitee",
        "entity_key": [invitee_id],
    }
    return widget_url(ctx, op, caller)["widget_url"]


def mail_invitation(ctx: ApiContext, caller: Caller, invitee: Mapping[str, str],
                    review_session_id: str) -> str:  # fmt: skip
    """Queue ``invitee``'s (``id``, ``name``, ``email``) invitation on the server's mailer (if it
    has an SMTP server); their new link."""
    url = invitee_link(ctx, caller, invitee["id"])
    if ctx.mail is None or not ctx.mail.configured:
        return url
    reply = ctx.execute(
        [{"action": "query", "expression": "select name, start_date, end_date, "
          f"passphrase_enabled from ReviewSession where id is {quote(review_session_id)}"}],
        caller.user_id,
    )  # fmt: skip
    rows = rows_of(reply[0]) if reply else []
    row = rows[0] if rows else {}
    end = parse_date(row.get("end_date"))
    opens = parse_date(row.get("start_date"))
    values = {
        "name": invitee.get("name") or invitee["email"],
        "session": row.get("name") or "",
        "link": url,
        "opens": when_said(opens if opens and opens > dt.datetime.now(dt.timezone.utc) else None),
        "closes": when_said(end),
        "valid_until": when_said(valid_until(end)),
        "passphrase": bool(row.get("passphrase_enabled")),
    }
    ctx.mail.queue(topic(invitee["id"]), invitee["email"], LETTER, values, replaces=True)
    return url
