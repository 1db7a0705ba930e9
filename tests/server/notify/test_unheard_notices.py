"""The notifier reads what a notice is about only for those who will hear of it: with no mail
set up and no webhook asking for its topic, a note's notice is removed without reading the
note, its version or its people (every write with a notice woke that work: a sixth of a busy
server's CPU). A webhook that asks for the topic still gets the note, with its words.

In this process, on SQLite: the notifier thread's statements are heard (never timed)."""

from __future__ import annotations

import threading
from typing import Any, List

import pytest

pytest.importorskip("sqlalchemy")

import sqlalchemy as sa
from support.waiting import wait_until

from .served import ADMIN, api, note, version_to_note

ABOUT = ("Note", "AssetVersion", "User", "ReviewSessionObjectStatus")


def _notifier_statements(engine: Any) -> List[str]:
    """The statements the notifier thread runs from now on (a list that grows)."""
    heard: List[str] = []

    def hear(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread().name == "ft_dcc-notify":
            heard.append(statement)

    sa.event.listen(engine, "before_cursor_execute", hear)
    return heard


def _reads_of_entities(statements: List[str]) -> List[str]:
    from ft_dcc.server.model.storage import table_name

    tables = [table_name(family) for family in ABOUT]
    return [s for s in statements if any(f" {t} " in f" {s} ".replace('"', " ") for t in tables)]


def test_a_notice_nobody_hears_is_removed_unread(served: Any) -> None:
    server, client = served
    notifier = server.notifier
    assert not notifier.mail.configured
    heard = _notifier_statements(server.store.engine)
    version = version_to_note(client)
    api(client, [note(version, f"note {n}") for n in range(3)])
    wait_until(lambda: notifier.notices.waiting() == 0, "the notices expanded")
    wait_until(lambda: any("ft_dcc_notice" in s and "DELETE" in s for s in heard),
               "the notices removed by the notifier")  # fmt: skip
    assert _reads_of_entities(heard) == []
    assert notifier.deliveries.listed() == []


def test_a_webhook_that_asks_for_the_topic_still_reads_and_gets_it(served: Any) -> None:
    server, client = served
    notifier = server.notifier
    notifier.hooks.add("http://127.0.0.1:9/hook", ["note.created"], "a long enough secret",
                       False, ADMIN)  # fmt: skip
    heard = _notifier_statements(server.store.engine)
    version = version_to_note(client)
    made = note(version, "heard by the hook")
    api(client, [made])
    wait_until(lambda: [str(d["note_id"]) for d in notifier.deliveries.listed()]
               == [made["entity_data"]["id"]], "the note's delivery")  # fmt: skip
    assert _reads_of_entities(heard)
    assert notifier.notices.waiting() == 0
