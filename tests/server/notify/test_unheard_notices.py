"""A write leaves a notice only of what someone will hear of, and the notifier reads what a
notice is about only for them: with no mail set up and no webhook asking for its topic, a note
leaves no notice and the notifier reads neither the note, its version nor its people (every
write with a notice woke that work: a sixth of a busy server's CPU). A webhook that asks for a
topic still gets its events, with their words, and only those.

In this process, on SQLite: the statements are heard (never timed)."""

from __future__ import annotations

import threading
from typing import Any, List

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa
from support.waiting import wait_until

from .served import ADMIN, api, note, version_to_note

ABOUT = ("Note", "AssetVersion", "User", "ReviewSessionObjectStatus")


def _statements(engine: Any, thread: str = "") -> List[str]:
    """The statements run from now on (``thread``: that thread's only; a list that grows)."""
    heard: List[str] = []

    def hear(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not thread or threading.current_thread().name == thread:
            heard.append(statement)

    sa.event.listen(engine, "before_cursor_execute", hear)
    return heard


def _notices_written(statements: List[str]) -> List[str]:
    return [s for s in statements if s.startswith("INSERT INTO ft_dcc_notice")]


def _reads_of_entities(statements: List[str]) -> List[str]:
    from ft_dcc.server.model.storage import table_name

    tables = [table_name(family) for family in ABOUT]
    return [s for s in statements if any(f" {t} " in f" {s} ".replace('"', " ") for t in tables)]


def test_a_note_nobody_hears_of_leaves_no_notice_and_is_not_read(served: Any) -> None:
    server, client = served
    notifier = server.notifier
    assert not notifier.mail.configured
    every = _statements(server.store.engine)
    by_notifier = _statements(server.store.engine, "ft_dcc-notify")
    version = version_to_note(client)
    api(client, [note(version, f"note {n}") for n in range(3)])
    assert _notices_written(every) == []
    assert notifier.notices.waiting() == 0
    assert _reads_of_entities(by_notifier) == []
    assert notifier.deliveries.listed() == []


def test_a_webhook_hears_the_topics_it_asks_for_and_only_those(served: Any) -> None:
    server, client = served
    notifier = server.notifier
    notifier.hooks.add("http://127.0.0.1:9/hook", ["version.published"], "a long enough secret",
                       False, ADMIN)  # fmt: skip
    every = _statements(server.store.engine)
    version = version_to_note(client)
    api(client, [note(version, "no one asked for notes")])
    wait_until(lambda: [d["version_id"] for d in notifier.deliveries.listed()] == [version],
               "the version's delivery")  # fmt: skip
    assert len(_notices_written(every)) == 1  # the version's, not the note's
    assert notifier.notices.waiting() == 0


def test_a_webhook_that_asks_for_the_topic_still_reads_and_gets_it(served: Any) -> None:
    server, client = served
    notifier = server.notifier
    notifier.hooks.add("http://127.0.0.1:9/hook", ["note.created"], "a long enough secret",
                       False, ADMIN)  # fmt: skip
    heard = _statements(server.store.engine, "ft_dcc-notify")
    version = version_to_note(client)
    made = note(version, "heard by the hook")
    api(client, [made])
    wait_until(lambda: [str(d["note_id"]) for d in notifier.deliveries.listed()]
               == [made["entity_data"]["id"]], "the note's delivery")  # fmt: skip
    assert _reads_of_entities(heard)
    assert notifier.notices.waiting() == 0
