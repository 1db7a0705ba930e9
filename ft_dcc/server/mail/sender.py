"""The thread that sends the queued mail of one server process, never on a request's path.

It wakes when a message is queued in this process (:meth:`Sender.wake`), when the earliest
retry is due, and at least every :data:`IDLE_SECONDS` (messages other processes queued, claims a
crashed process left); each due message it wins (:meth:`Outbox.claim`) is handed to the SMTP
server. A failure is recorded on the message (its attempts, its error) and tried again after
:func:`~ft_dcc.server.mail.outbox.retry_delay`; a refusal for good (a 5xx reply) or
:data:`~ft_dcc.server.mail.outbox.MOST_ATTEMPTS` failures mark it failed, which the desk shows.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Optional

from ft_dcc.server.mail import transport
from ft_dcc.server.mail.outbox import MOST_ATTEMPTS, Message, Outbox, retry_delay
from ft_dcc.server.mail.smtp_url import SmtpSettings

log = logging.getLogger(__name__)

#: the longest the thread sleeps with nothing due (it then looks at the queue again)
IDLE_SECONDS = 60.0

Send = Callable[[SmtpSettings, Message], None]


class Sender:
    """One process's mail thread over ``outbox``."""

    def __init__(
        self,
        outbox: Outbox,
        settings: SmtpSettings,
        first_retry: float,
        send: Send = transport.send,
    ) -> None:
        self.outbox, self.settings, self.first_retry = outbox, settings, first_retry
        self._send = send
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ft_dcc-mail", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the queue now (a message was queued)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.drain()
                due = self.outbox.next_due()
            except Exception:  # the database is away: look again later
                log.exception("the mail queue could not be read; trying again")
                due = None
            wait = IDLE_SECONDS if due is None else max(0.05, min(IDLE_SECONDS, due - time.time()))
            self._wake.wait(wait)

    def drain(self) -> None:
        """Send every due message this process wins."""
        while not self._stop.is_set():
            messages = self.outbox.claim()
            if not messages:
                return
            for message in messages:
                self.attempt(message)

    def attempt(self, message: Message) -> None:
        try:
            self._send(self.settings, message)
        except transport.PermanentFailure as refused:
            log.warning("mail %s to %s refused: %s", message.id, message.recipient, refused)
            self.outbox.failed(message.id, transport.describe(refused), None)
        except Exception as error:
            retry: Optional[float] = None
            if message.attempts < MOST_ATTEMPTS:
                retry = retry_delay(message.attempts, self.first_retry)
            log.warning("mail %s to %s not sent (attempt %d%s): %s", message.id,
                        message.recipient, message.attempts,
                        f", again in {retry:.0f} s" if retry is not None else ", giving up",
                        transport.describe(error))  # fmt: skip
            self.outbox.failed(message.id, transport.describe(error), retry)
        else:
            log.info("mail %s sent to %s", message.id, message.recipient)
            self.outbox.sent_ok(message.id)
