"""The server's mailer: what the rest of the server calls (``EmbeddedServer.mail``)."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, Iterable, Mapping, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ft_dcc.server.mail import letters
from ft_dcc.server.mail.outbox import Message, Outbox
from ft_dcc.server.mail.sender import Send, Sender
from ft_dcc.server.mail.smtp_url import SmtpSettings
from ft_dcc.server.mail.transport import send as smtp_send

log = logging.getLogger(__name__)

#: one plain address: no spaces, no control characters, no header syntax, one @
ADDRESS = re.compile(r"^[^@\s<>\"',;:()\[\]\\]{1,64}@[^@\s<>\"',;:()\[\]\\]{1,253}$")


class Mailer:
    """Queue letters for the studio's SMTP server, and say how each topic's latest one went.

    Without SMTP settings (``configured`` false) nothing is queued: whoever wanted the mail says
    it must be sent by hand."""

    def __init__(
        self,
        engine: Engine,
        metadata: sa.MetaData,
        settings: Optional[SmtpSettings],
        first_retry: float = 30.0,
        send: Send = smtp_send,
    ) -> None:
        self.settings = settings
        self.outbox = Outbox(engine, metadata)
        self._sender = Sender(self.outbox, settings, first_retry, send) if settings else None

    @property
    def configured(self) -> bool:
        return self.settings is not None

    @property
    def studio(self) -> str:
        """The studio's name the mails say (``--mail-from``'s display name)."""
        return self.settings.studio if self.settings else ""

    def queue(
        self,
        topic: str,
        to: str,
        letter: str,
        values: Mapping[str, Any],
        replaces: bool = False,
        connection: Optional[Connection] = None,
    ) -> Optional[str]:
        """Render the letter ``letter`` (templates ``letters.TEMPLATES``) with ``values`` (plus
        ``studio``) and queue it to ``to``, about ``topic`` (e.g. ``invitee:<id>``, what
        :meth:`latest` is asked by); the message's id, ``None`` without SMTP (or when ``to`` is
        not one plain address: nothing is queued, the log says so). Never waits for the SMTP
        server. ``replaces``: the topic's messages still waiting are never sent (an invitation
        sent again: only the newest link goes out). ``connection``: the message is written in
        the caller's transaction (the sender is woken when that commits: call :meth:`wake`)."""
        if self._sender is None:
            return None
        if not ADDRESS.match(to) or not to.isprintable():
            log.warning("not mailing %s: %r is not a plain e-mail address", topic, to[:100])
            return None
        written = letters.render(letter, dict(values, studio=self.studio))
        if replaces:
            self.outbox.replace_queued(topic)
        message_id = self.outbox.put(topic, to, written.subject, written.text, written.html,
                                     connection)  # fmt: skip
        if connection is None:
            self._sender.wake()
        return message_id

    def wake(self) -> None:
        """Look at the queue now (messages were queued in a transaction that committed)."""
        if self._sender is not None:
            self._sender.wake()

    def latest(self, topics: Iterable[str]) -> Dict[str, Message]:
        """The newest message of each topic that has one (its state, attempts, last error)."""
        return self.outbox.latest(topics)

    def close(self) -> None:
        if self._sender is not None:
            self._sender.stop()
