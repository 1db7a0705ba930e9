"""Mail digests and webhooks on PostgreSQL with 4 server workers: Alice writes 24 notes on
Mallory's version, each its own request (they reach different workers), while the studio's SMTP
server is down; the server is stopped, the SMTP server comes back and the server starts again:
every note reaches Mallory exactly once (each notice expanded by one worker, each digest queued
by one), the administrator the notes that mention him, and nothing else arrives. A webhook for
new notes gets each note once."""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator, List

import pytest

pytest.importorskip("aiosmtpd")
from support.insiders import item_post, make_world
from support.smtp import SmtpServer, body_text
from support.trust import call
from support.waiting import wait_until

from server.notify.digest_checks import Receiver, count, dailies, settled, unsettled

pytestmark = pytest.mark.slow
NOTES = 24


@pytest.fixture
def world(pg_cluster: Any, tmp_path: Path) -> Iterator[Any]:
    url = pg_cluster.create_database("digests", template=pg_cluster.template)
    smtp = SmtpServer()  # down until the test starts it
    os.environ.update(FT_DCC_MAIL_DIGEST_SECONDS="1", FT_DCC_MAIL_RETRY_SECONDS="0.5")
    try:
        made = make_world(tmp_path, "postgresql", url, ["--smtp-url", smtp.url])
    finally:
        del os.environ["FT_DCC_MAIL_DIGEST_SECONDS"], os.environ["FT_DCC_MAIL_RETRY_SECONDS"]
    made.smtp = smtp
    yield made
    made.server.stop()
    smtp.close()
    pg_cluster.drop_database(url)


def _notes_in(messages: List[Any]) -> List[str]:
    return [n for m in messages for n in re.findall(r"note number \d+", body_text(m, "plain"))]


def test_every_note_reaches_each_person_once_across_workers_and_a_restart(world: Any) -> None:
    mallory, admin = world.mallory, world.admin
    review = dailies(world)
    token = review.token
    receiver = Receiver([])
    added = call(
        world.server,
        [
            {
                "action": "ft_dcc.webhook",
                "verb": "add",
                "url": receiver.url,
                "topics": ["note.created"],
                "secret": "a-secret-of-ours",
            }
        ],
    )
    assert added.status_code == 200, added.text

    def write(number: int) -> int:
        mention = f" @{admin.user}" if number % 3 == 0 else ""
        return item_post(world, review, token, "notes", frame=1001 + number,
                         content=f"note number {number}{mention}").status_code  # fmt: skip

    with ThreadPoolExecutor(4) as pool:
        assert set(pool.map(write, range(NOTES))) == {201}
    wait_until(
        lambda: _expanded_and_tried(world),
        "every note in a digest, each tried while the SMTP server is down",
    )
    world.server.stop()
    world.smtp.start()
    world.server.start()
    wait_until(lambda: settled(world), lambda: unsettled(world))
    by_person: dict = {}
    for message in world.smtp.messages:
        by_person.setdefault(str(message["To"]), []).append(message)
    assert sorted(by_person) == sorted([mallory.email, admin.email]), sorted(by_person)
    authors = _notes_in(by_person[mallory.email])
    assert sorted(authors) == sorted(f"note number {n}" for n in range(NOTES)), authors
    mentioned = _notes_in(by_person[admin.email])
    assert sorted(mentioned) == sorted(f"note number {n}" for n in range(0, NOTES, 3))
    assert len(world.smtp.messages) == world.smtp.attempts  # each letter taken once
    wait_until(lambda: len(receiver.got) >= NOTES, lambda: f"{len(receiver.got)} webhook bodies")
    notes = [json.loads(body)["note_id"] for _headers, body, _status in receiver.got]
    assert len(notes) == len(set(notes)) == NOTES
    receiver.close()


def _expanded_and_tried(world: Any) -> bool:
    """Every notice expanded, every item in a queued digest, each digest tried once."""
    digests = "where substr(topic, 1, 7) = 'digest:'"
    return (
        count(world, "ft_dcc_notice") == 0
        and count(world, "ft_dcc_digest_item") == 0
        and count(world, "ft_dcc_mail", digests) >= 2
        and count(world, "ft_dcc_mail", digests + " and attempts = 0") == 0
    )
