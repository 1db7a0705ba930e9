"""The mail queue on PostgreSQL with 4 server workers: a Supervisor invites six clients on the
desk while the studio's SMTP server is down; every invitation is tried and its failure shown;
the server is stopped, the SMTP server comes back, the server starts again and sends every one
of them by itself, each exactly once (one worker wins each message), and the desk shows them
sent."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

pytest.importorskip("aiosmtpd")
import requests
from support.insiders import make_world, publication
from support.smtp import SmtpServer
from support.trust import create, new_id, ok
from support.waiting import wait_until

from server.signin.people import ft_dcc_user, new_signer, signed_in

pytestmark = pytest.mark.slow
PEOPLE = [f"client{n}@agency.example" for n in range(6)]


@pytest.fixture
def world(pg_cluster: Any, tmp_path: Path) -> Iterator[Any]:
    url = pg_cluster.create_database("mail", template=pg_cluster.template)
    smtp = SmtpServer()  # down until the test starts it
    os.environ["FT_DCC_MAIL_RETRY_SECONDS"] = "0.5"
    try:
        made = make_world(tmp_path, "postgresql", url, ["--smtp-url", smtp.url])
    finally:
        del os.environ["FT_DCC_MAIL_RETRY_SECONDS"]
    made.smtp = smtp
    yield made
    made.server.stop()
    smtp.close()
    pg_cluster.drop_database(url)


def _mails(world: Any, browser: requests.Session, session: str) -> Dict[str, Any]:
    reply = browser.get(f"{world.url}/desk/api/session/{session}", timeout=60)
    assert reply.status_code == 200, reply.text[:500]
    return {i["email"]: i["mail"] for i in reply.json()["invitees"]}


def test_queued_invitations_survive_a_restart_and_go_out_once_each(world: Any) -> None:
    project = publication(world, world.alice)["project"]
    session = new_id()
    ok(world.server, [create("ReviewSession", id=session, name="Client review",
                             project_id=project)])  # fmt: skip
    sup = new_signer(world, "sup")
    assert ft_dcc_user(world, "role", sup.name, "--role", "supervisor", "--project",
                       project).returncode == 0  # fmt: skip
    browser, csrf = signed_in(world, sup)
    for email in PEOPLE:  # one request each: they reach different workers
        reply = browser.post(f"{world.url}/desk/api/session/{session}/invite",
                             json={"people": [{"email": email}]},
                             headers={"X-CSRF-Token": csrf}, timeout=60)  # fmt: skip
        assert reply.status_code == 200 and reply.json()["mailed"], reply.text[:500]

    def all_failed_once() -> bool:
        mails = _mails(world, browser, session)
        return all(m and m["attempts"] >= 1 and "could not reach" in m["error"]
                   for e, m in mails.items() if e in PEOPLE)  # fmt: skip

    wait_until(all_failed_once, "every invitation tried once, its failure shown")
    world.server.stop()
    world.smtp.start()
    world.server.start()  # the same data and database: the queue is still there
    arrived = world.smtp.wait_for(len(PEOPLE))
    wait_until(lambda: all(m and m["state"] == "sent" for e, m in
                           _mails(world, browser, session).items() if e in PEOPLE),
               "the desk to show every invitation sent")  # fmt: skip
    assert sorted(m["To"] for m in arrived) == sorted(PEOPLE)
    assert len(world.smtp.messages) == len(PEOPLE) == world.smtp.attempts  # each once
