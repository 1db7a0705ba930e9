"""Invitations from the desk: each invitee's own link, e-mailed through the server's mailer
(``server.mail``) when it has an SMTP server, and shown on the desk with what became of it.

- **Invite** (``invite``) makes the ``ReviewSessionInvitee`` rows (``writes.invite``), then for
  each one its link (``get_widget_url`` for the invitee, as ``ft-dcc review link --invitee``
  makes it: it lives as long as the session's window, ``review.widget_link.invitee_ttl``) and
  queues the letter ``invitation`` (the studio's name, the session's name and window, the link;
  never the passphrase). The request never waits for the SMTP server.
- **Send again** / **Invite again** (``send``) gives the invitee a new link and mails it, and
  records when (the session's ``EntitySetting`` ``invitee_invited_at:<id>``): an invitee
  revoked before that is invited again (the new link was issued after the revocation mark; the
  old ones stay revoked).
- **Copy link** (``invitee_link``) answers a new link for the manager to send by hand.

What the desk shows of each invitee (:func:`invitee_states`): revoked or not, until when a
link made now works (``valid_until``), and the newest invitation mail's state, attempts and
last error (``ft_dcc_mail``); ``mail`` says whether the server sends mail at all.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any, Dict, List, Mapping, Optional

from ft_dcc.protocol import client_review as rules
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.common.errors import BadInput
from ft_dcc.server.desk.reads import DeskReads, iso
from ft_dcc.server.desk.writes import DeskWrites
from ft_dcc.server.mail.outbox import Message
from ft_dcc.server.review.invitations.invitation_mail import (
    Caller,
    invitee_link,
    mail_invitation,
    topic,
    valid_until,
)
from ft_dcc.server.review.reads.data import parse_date
from ft_dcc.server.runtime.embedded import EmbeddedServer


def _mark(value: object) -> float:
    """A mark's Unix seconds (0: none; an unreadable mark counts as now: revoked)."""
    if not value:
        return 0.0
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return time.time()
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)).timestamp()


class Invitations:
    """The desk's invitations for one signed-in person (who manages the session: the routes
    check it, and the store's rules again on every write)."""

    def __init__(self, server: EmbeddedServer, user_id: str, base_url: str) -> None:
        self.server, self.user_id, self.base_url = server, user_id, base_url
        self.reads = DeskReads(server.ctx.execute, user_id)
        self.writes = DeskWrites(server.ctx.execute, user_id)

    def _invitee(self, session_id: str, invitee_id: object) -> Dict[str, Any]:
        if isinstance(invitee_id, str):
            for invitee in self.reads.invitees(session_id):
                if invitee["id"] == invitee_id:
                    return invitee
        raise BadInput("That person is not invited to this session; reload the desk.", 404)

    def link(self, invitee_id: str) -> str:
        """A new link of the invitee (it lives as long as the session's window)."""
        return invitee_link(self.server.ctx, Caller(self.user_id, self.base_url), invitee_id)

    def invite(self, session_id: str, people: object) -> Dict[str, Any]:
        """Invite ``people`` and mail each new invitee their link."""
        made = self.writes.invite(session_id, people)
        for invitee_id in made:
            self._mail(session_id, self._invitee(session_id, invitee_id))
        return {"invited": made, "mailed": bool(made) and self.server.mail.configured}

    def send(self, session_id: str, invitee_id: object) -> Dict[str, Any]:
        """A new link for the invitee, mailed (``Send again``, ``Invite again``)."""
        invitee = self._invitee(session_id, invitee_id)
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
        name = rules.INVITEE_INVITED_AT + invitee["id"]
        self.writes.run(self.writes.setting_ops(session_id, {name: now}))
        url = self._mail(session_id, invitee)
        found: Dict[str, Any] = {"mailed": self.server.mail.configured}
        if not self.server.mail.configured:
            found["url"] = url  # no mail: the manager sends it by hand
        return found

    def copy(self, session_id: str, invitee_id: object) -> Dict[str, Any]:
        """A new link for the manager to send by hand (``Copy link``)."""
        invitee = self._invitee(session_id, invitee_id)
        view: Dict[str, Any] = {"invitees": [dict(invitee)], "rules": {}}
        invitee_states(self.server, self.reads, session_id, view)
        if view["invitees"][0]["revoked"]:
            raise BadInput(
                "Their links are revoked: \"Invite again\" gives them a new link.", 409
            )
        return {"url": self.link(invitee["id"]), "invitee_id": invitee["id"]}

    def _mail(self, session_id: str, invitee: Mapping[str, Any]) -> str:
        caller = Caller(self.user_id, self.base_url)
        return mail_invitation(self.server.ctx, caller, invitee, session_id)


def _mail_state(message: Optional[Message]) -> Optional[Dict[str, Any]]:
    if message is None:
        return None
    return {
        "state": message.state,
        "attempts": message.attempts,
        "error": message.last_error,
        "queued_at": _iso(message.created),
        "sent_at": _iso(message.sent) if message.sent else None,
        "next_attempt": _iso(message.next_attempt) if message.state == "queued" else None,
    }


def _iso(seconds: float) -> Optional[str]:
    return iso(dt.datetime.fromtimestamp(seconds, dt.timezone.utc))


def invitee_states(
    server: EmbeddedServer, reads: DeskReads, session_id: str, found: Dict[str, Any],
    values: Optional[Mapping[str, object]] = None,
) -> None:  # fmt: skip
    """Add to a managed session's view (``found``) what the desk shows of each invitee;
    ``values``: the session's ``review`` settings when read already (else read here)."""
    invitees: List[Dict[str, Any]] = found.get("invitees") or []
    if values is None:
        [settings] = reads.ask(
            [f"select name, value from EntitySetting where parent_id is {quote(session_id)} "
             f"and group is {quote(rules.GROUP)}"]
        )  # fmt: skip
        values = {s["name"]: s.get("value") for s in settings}
    everyone = _mark(values.get(rules.LINKS_REVOKED_AT))
    end = parse_date((found.get("rules") or {}).get("closes"))
    until = iso(valid_until(end))
    mails = server.mail.latest(topic(i["id"]) for i in invitees)
    for invitee in invitees:
        revoked = max(everyone, _mark(values.get(rules.INVITEE_LINKS_REVOKED_AT + invitee["id"])))
        invited = _mark(values.get(rules.INVITEE_INVITED_AT + invitee["id"]))
        invitee["revoked"] = bool(revoked) and revoked >= invited
        invitee["valid_until"] = until
        invitee["mail"] = _mail_state(mails.get(topic(invitee["id"])))
    found["mail"] = server.mail.configured
