"""The notifier: one thread per server process, never on a request's path.

It wakes when this process recorded notices (:meth:`Notifier.record`, called after each committed
write), when a person's digest window or a webhook's retry is due, and at least every
:data:`IDLE_SECONDS` (notices other processes recorded, claims a crashed process left). Each turn
it expands the notices it wins (``notices.Notices.claim``) into digest items and webhook
deliveries in one transaction, then sends the digests that are due (``digests``) and the
deliveries that are due (``deliveries``).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from typing import Any, Callable, List, Mapping, Optional, Sequence, Tuple

from ft_dcc.protocol.feedback import Execute, display_name
from ft_dcc.server.mail.mailer import Mailer
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.model.storage import write_transaction
from ft_dcc.server.notify import digests, facts
from ft_dcc.server.notify.deliveries import DEFAULT_FIRST_RETRY, Deliveries, Post, http_post
from ft_dcc.server.notify.hooks import Webhooks
from ft_dcc.server.notify.notices import NOTE_CREATED, Heard, Notice, Notices
from ft_dcc.server.rules.registry import Change

log = logging.getLogger(__name__)

#: the longest the thread sleeps with nothing due (it then looks at the tables again)
IDLE_SECONDS = 15.0
#: how often old webhook deliveries are pruned (``Deliveries.prune``)
PRUNE_SECONDS = 3600.0


class Notifier:
    """This process's notices, digests and webhook deliveries (see the module)."""

    def __init__(
        self,
        store: StoreParts,
        ask: Execute,
        mail: Mailer,
        base_url: str,
        window: float = digests.DEFAULT_WINDOW,
        webhook_retry: float = DEFAULT_FIRST_RETRY,
        post: Post = http_post,
        start: bool = True,
    ) -> None:
        self.store, self.ask, self.mail = store, ask, mail
        self.base_url = base_url.rstrip("/")
        self.window = max(0.0, float(window))
        self.notices = Notices(store.engine, store.metadata)
        self.items = digests.DigestItems(store.engine, store.metadata)
        self.choices = digests.MailChoices(store.engine, store.metadata)
        self.hooks = Webhooks(store.engine, store.metadata)
        self.deliveries = Deliveries(store.engine, store.metadata, webhook_retry, post)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._next_prune = 0.0
        if start:
            self.start()

    def start(self) -> None:
        """Start the thread (once): when the process serves, not in a supervisor that only
        prepares the database for its workers."""
        if self._thread is None and not self._stop.is_set():
            self._thread = threading.Thread(target=self._run, name="ft_dcc-notify", daemon=True)
            self._thread.start()

    # -- the write path ------------------------------------------------------------------------
    def record(self, changes: Sequence[Change], user_id: str) -> None:
        """A committed batch's notices that someone hears of (one ``INSERT``; nothing when it
        has none: no mail set up and no webhook asking for their topics)."""
        try:
            if self.notices.record(changes, user_id, self.heard):
                self._wake.set()
        except Exception:  # the batch is committed: a lost notice is not worth failing it
            log.exception("could not record the notices of a committed batch")

    def heard(self) -> Heard:
        """Every topic when mail is set up (a digest may tell of any); else the topics the
        webhooks ask for (one read)."""
        if self.mail.configured:
            return None
        return frozenset(topic for hook in self.hooks.listening() for topic in hook.topics)

    # -- the thread ----------------------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    def close(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.turn()
                due = [d for d in (self.items.next_due(self.window), self.deliveries.next_due())
                       if d is not None]  # fmt: skip
            except Exception:  # the database is away: look again later
                log.exception("the notifier could not read its tables; trying again")
                due = []
            wait = IDLE_SECONDS if not due else max(0.05, min(IDLE_SECONDS, min(due) - time.time()))
            self._wake.wait(wait)

    def turn(self) -> None:
        """One pass: expand what waits, send the digests and deliveries that are due."""
        while not self._stop.is_set() and self.expand():
            pass
        self.send_due()
        hooks = {hook.id: hook for hook in self.hooks.all()}
        self.deliveries.deliver_due(self._stop, hooks)
        if time.monotonic() >= self._next_prune:
            self._next_prune = time.monotonic() + PRUNE_SECONDS
            self.deliveries.prune()

    # -- notices -> digest items and deliveries ------------------------------------------------
    def expand(self) -> int:
        """Expand the notices this process wins; how many."""
        claimed = self.notices.claim()
        if not claimed:
            return 0
        mailing = self.mail.configured
        hooks = self.hooks.listening()
        heard = [n for n in claimed if mailing or any(n.topic in h.topics for h in hooks)]
        events, people = self._read(heard)
        with write_transaction(self.notices.engine) as connection:
            held = set(self.notices.held(connection, claimed))
            mine = [e for e in events if e.notice_id in held]
            items: List[digests.Item] = []
            if mailing:
                for event in mine:
                    for person in facts.hearers(event, people):
                        items.append(
                            digests.Item(
                                event.notice_id,
                                person,
                                event.created,
                                dict(self._words(event, people, person)),
                            )
                        )
                wants = self.choices.wants(sorted({i.person_id for i in items}), connection)
                items = [i for i in items if wants.get(i.person_id, True)]
            self.items.add(connection, items)
            self.deliveries.add(connection, [(hook, event) for event in mine for hook in hooks
                                             if event.topic in hook.topics])  # fmt: skip
            self.notices.done(connection, sorted(held))
        return len(claimed)

    def _read(self, notices: Sequence[Notice]) -> Tuple[List[facts.Event], facts.People]:
        """What ``notices`` are about and the people they name; nothing read for none (a notice
        no one hears of: no mail set up, no webhook asking for its topic)."""
        if not notices:
            return [], facts.People({}, {}, {})
        events = facts.read_events(self.ask, notices)
        people = facts.read_people(self.ask, self.store, events)
        named = [replace(e, actor=display_name(people.users.get(e.actor_id))) for e in events]
        return named, people

    def _words(self, event: facts.Event, people: facts.People, person: str) -> Mapping[str, Any]:
        return digests.words_of(
            event.topic, facts.said_by(event, people, person), event.version_name, event.text,
            event.frame, facts.verdict_words(event.verdict), self.link(event),
            event.topic == NOTE_CREATED and person in event.mentioned
            and person != event.version_author_id,
        )  # fmt: skip

    def link(self, event: facts.Event) -> str:
        """The review page of ``event``'s session at its item and frame, through the sign-in
        (the person signs in, then sees the page as themselves); "" outside a session."""
        if not event.review_session_id:
            return ""
        url = f"{self.base_url}/signin/review/{event.review_session_id}"
        if event.object_id:
            url += f"#frame={event.object_id},{event.frame if event.frame is not None else ''}"
        return url

    # -- digests -------------------------------------------------------------------------------
    def send_due(self, now: Optional[float] = None) -> int:
        """Queue the letter of every person whose window has passed; how many letters."""
        sent = 0
        for person in self.items.due(self.window, now):
            users = facts.rows_in(self.ask, "select id, username, first_name, last_name, email "
                                  "from User where id in", [person])  # fmt: skip
            user = users[0] if users else None
            with write_transaction(self.items.engine) as connection:
                taken = self.items.take(connection, person)
                if not taken or user is None or not user["email"]:
                    continue
                if not self.choices.wants([person], connection)[person]:
                    continue  # turned off since: the items are dropped
                values, _count = digests.letter_values(taken, display_name(user))
                queued = self.mail.queue(digests.TOPIC + person, str(user["email"]),
                                         digests.LETTER, values, connection=connection)  # fmt: skip
                sent += queued is not None
        if sent:
            self.mail.wake()
        return sent


def start_notifier(store: StoreParts, ask: Execute, mail: Mailer, base_url: str, window: float,
                   on_close: Callable[[Callable[[], None]], None]) -> Notifier:  # fmt: skip
    """A running notifier, stopped with the server (``on_close``)."""
    notifier = Notifier(store, ask, mail, base_url, window)
    on_close(notifier.close)
    return notifier
