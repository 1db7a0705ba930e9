"""Invitations from the desk over HTTP, with a real SMTP server (aiosmtpd on 127.0.0.1): a
Supervisor of the project (not an administrator) invites a client; the invite answers at once
and the e-mail arrives with a plain-text and an HTML part naming the studio, the session and
its window, with a link that opens the client's page (never the passphrase); the link lives
until the session's end date, which the desk says. An SMTP server that is down: the desk shows
the failed attempt and its error, and the mail goes out once the server is back. A revoke shows
the invitee revoked, refuses their old link and a copy of it; "Invite again" mails a new link
that works while the old one stays refused. Someone who does not manage the session can do none
of it, nothing is mailed and nothing changes. A server without SMTP mails nothing and says so;
its "Copy link" gives a working link.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests

pytest.importorskip("aiosmtpd")
from support.insiders import (
    assert_unchanged,
    make_world,
    publication,
    snapshot,
)
from support.smtp import SmtpServer, body_text
from support.trust import call, create, new_id, ok, query
from support.waiting import wait_until

from server.signin.people import Signer, ft_dcc_user, new_signer, signed_in

#: the sessions' window ends a week from now, as a client review's does
END_AT = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=7)).replace(second=0, microsecond=0)
END = END_AT.isoformat()
PASSPHRASE = "four words are better"
LINK = re.compile(r"http://127\.0\.0\.1:\d+/review/[0-9a-f-]+\?token=[A-Za-z0-9_.=-]+")


class Desk:
    def __init__(self, world: Any, who: Signer) -> None:
        self.world = world
        self.browser, self.csrf = signed_in(world, who)

    def post(self, path: str, body: Dict[str, Any]) -> requests.Response:
        return self.browser.post(f"{self.world.url}{path}", json=body,
                                 headers={"X-CSRF-Token": self.csrf}, timeout=60)  # fmt: skip

    def get(self, path: str) -> requests.Response:
        return self.browser.get(f"{self.world.url}{path}", timeout=60)


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()  # started by the first test: until then it is down
    yield server
    server.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, smtp: SmtpServer) -> Iterator[Any]:
    os.environ["FT_DCC_MAIL_RETRY_SECONDS"] = "0.5"  # the server's first retry comes soon
    try:
        made = make_world(tmp_path_factory.mktemp("invitations"), "sqlite", None,
                          ["--smtp-url", smtp.url, "--mail-from",
                           "Pixel Farm <dailies@pixelfarm.example>"])  # fmt: skip
    finally:
        del os.environ["FT_DCC_MAIL_RETRY_SECONDS"]
    yield made
    made.server.stop()


def _session(world: Any, project: str) -> str:
    session = new_id()
    ok(world.server, [create("ReviewSession", id=session, name="Client review wk49",
                             project_id=project, end_date={"__type__": "datetime",
                                                           "value": END})])  # fmt: skip
    return session


@pytest.fixture(scope="module")
def supervisor(world: Any) -> Desk:
    published = publication(world, world.alice)
    sup = new_signer(world, "sup")
    given = ft_dcc_user(world, "role", sup.name, "--role", "supervisor", "--project",
                        published["project"])  # fmt: skip
    assert given.returncode == 0, given.stderr
    desk = Desk(world, sup)
    desk.project = published["project"]  # type: ignore[attr-defined]
    return desk


def _up(smtp: SmtpServer) -> None:
    """The module's SMTP server up (the first test starts it; another worker's first test may be
    this one)."""
    if not smtp.running:
        smtp.start()


def _ok(reply: requests.Response, status: int = 200) -> Dict[str, Any]:
    assert reply.status_code == status, reply.text[:1000]
    return reply.json()


def _invitee(view: Dict[str, Any], email: str) -> Dict[str, Any]:
    [found] = [i for i in view["invitees"] if i["email"] == email]
    return found


def _mails_to(smtp: SmtpServer, email: str, count: int) -> List[Any]:
    wait_until(lambda: len([m for m in smtp.messages if m["To"] == email]) >= count,
               f"{count} mails to {email}")  # fmt: skip
    return [m for m in smtp.messages if m["To"] == email]


def _opens(world: Any, link: str) -> requests.Response:
    return requests.get(link, timeout=60, allow_redirects=True)


def test_an_invitation_while_the_smtp_server_is_down_arrives_once_it_is_back(
    world: Any, supervisor: Desk, smtp: SmtpServer
) -> None:
    if smtp.running:  # the studio's mail server is down
        smtp.stop()
    session = _session(world, supervisor.project)  # type: ignore[attr-defined]
    email = "cleo@agency.example"
    _ok(supervisor.post(f"/desk/api/session/{session}/rules", {"passphrase": PASSPHRASE}))
    cleo = {"people": [{"email": email, "name": "Cleo Client"}]}
    invited = _ok(supervisor.post(f"/desk/api/session/{session}/invite", cleo))
    assert invited["mailed"] is True and invited["mail"] is True
    assert _invitee(invited, email)["valid_until"].startswith(END[:16])

    def failed_once() -> Any:
        view = _ok(supervisor.get(f"/desk/api/session/{session}"))
        mail = _invitee(view, email)["mail"]
        return mail if mail and mail["attempts"] >= 1 and mail["error"] else None

    mail = wait_until(failed_once, "the desk to show a failed attempt")
    assert mail["state"] in ("queued", "sending") and "could not reach" in mail["error"]
    smtp.start()  # the studio's mail server is back: the queue sends it without anyone asking
    [letter] = _mails_to(smtp, email, 1)
    assert letter["From"] == "Pixel Farm <dailies@pixelfarm.example>"
    assert letter["Subject"] == "Pixel Farm invites you to review: Client review wk49"
    text, html = body_text(letter, "plain"), body_text(letter, "html")
    for part in (text, html):
        assert "Client review wk49" in part and f"{END_AT:%B %Y, %H:%M} UTC" in part
        assert PASSPHRASE not in part and "passphrase" in part
    [link] = LINK.findall(text)
    assert f'href="{link.replace("&", "&amp;")}"' in html
    prompt = _opens(world, link)  # the client's page asks for the passphrase ...
    assert prompt.status_code == 403 and "asks for a passphrase" in prompt.text, prompt.text[:500]
    client = requests.Session()  # ... and, answered, opens
    passed = client.post(link.replace("?token=", "/passphrase?token="),
                         data={"passphrase": PASSPHRASE}, timeout=60)  # fmt: skip
    assert passed.status_code == 200 and "Client review wk49" in passed.text, passed.text[:500]
    sent = wait_until(lambda: (m := _invitee(_ok(supervisor.get(f"/desk/api/session/{session}")),
                                             email)["mail"]) and m["state"] == "sent" and m,
                      "the desk to show the mail sent")  # fmt: skip
    assert sent["error"] == "" and sent["sent_at"]


def test_revoke_then_invite_again_mails_a_new_link_and_the_old_one_stays_refused(
    world: Any, supervisor: Desk, smtp: SmtpServer
) -> None:
    _up(smtp)
    session = _session(world, supervisor.project)  # type: ignore[attr-defined]
    email = "dan@agency.example"
    invited = _ok(supervisor.post(f"/desk/api/session/{session}/invite",
                                  {"people": [{"email": email}]}))  # fmt: skip
    invitee = _invitee(invited, email)
    [first] = LINK.findall(body_text(_mails_to(smtp, email, 1)[0], "plain"))
    assert _opens(world, first).status_code == 200
    copied = _ok(supervisor.post(f"/desk/api/session/{session}/invitee_link",
                                 {"invitee_id": invitee["id"]}))["url"]  # fmt: skip
    assert _opens(world, copied).status_code == 200

    revoked = _ok(supervisor.post(f"/desk/api/session/{session}/revoke",
                                  {"invitee_id": invitee["id"]}))  # fmt: skip
    assert _invitee(revoked, email)["revoked"] is True
    for old in (first, copied):
        assert _opens(world, old).status_code == 403
    refused = supervisor.post(f"/desk/api/session/{session}/invitee_link",
                              {"invitee_id": invitee["id"]})  # fmt: skip
    assert refused.status_code == 409 and "Invite again" in refused.json()["error"]

    again = _ok(supervisor.post(f"/desk/api/session/{session}/send",
                                {"invitee_id": invitee["id"]}))  # fmt: skip
    assert again["mailed"] is True and _invitee(again, email)["revoked"] is False
    [_, second] = _mails_to(smtp, email, 2)
    [new] = LINK.findall(body_text(second, "plain"))
    assert _opens(world, new).status_code == 200 and _opens(world, first).status_code == 403


def test_who_does_not_manage_the_session_can_neither_invite_nor_send_nor_copy(
    world: Any, supervisor: Desk, smtp: SmtpServer
) -> None:
    _up(smtp)
    session = _session(world, supervisor.project)  # type: ignore[attr-defined]
    invited = _ok(supervisor.post(f"/desk/api/session/{session}/invite",
                                  {"people": [{"email": "eve@agency.example"}]}))  # fmt: skip
    invitee = _invitee(invited, "eve@agency.example")["id"]
    _mails_to(smtp, "eve@agency.example", 1)
    artist = Desk(world, new_signer(world, "artist"))
    before, mails = snapshot(world), len(smtp.messages)
    asks = (("invite", {"people": [{"email": "mallory@evil.example"}]}),
            ("send", {"invitee_id": invitee}), ("invitee_link", {"invitee_id": invitee}))
    for verb, body in asks:
        reply = artist.post(f"/desk/api/session/{session}/{verb}", body)
        assert reply.status_code in (403, 404), (verb, reply.text[:300])
        assert "token" not in reply.text and "/review/" not in reply.text
    view = _ok(artist.get(f"/desk/api/session/{session}"))
    assert view["invitees"] == [] and "mail" not in view
    assert_unchanged(world, before)
    assert len(smtp.messages) == mails


def test_without_smtp_the_desk_says_so_and_copy_link_works(embedded_server: Any,
                                                           tmp_path: Path) -> None:
    from support.insiders import Person, World
    from support.trust import user_id_of

    admin = Person(user_id_of(embedded_server, embedded_server.api_user),
                   embedded_server.api_user, embedded_server.api_key)  # fmt: skip
    plain = World(embedded_server, "sqlite", "", admin, admin, admin)
    published = publication(plain, admin)
    session = _session(plain, published["project"])
    who = new_signer(plain, "nomail")
    assert ft_dcc_user(plain, "role", who.name, "--role", "supervisor", "--project",
                       published["project"]).returncode == 0  # fmt: skip
    desk = Desk(plain, who)
    invited = _ok(desk.post(f"/desk/api/session/{session}/invite",
                            {"people": [{"email": "fay@agency.example"}]}))  # fmt: skip
    assert invited["mailed"] is False and invited["mail"] is False
    invitee = _invitee(invited, "fay@agency.example")
    assert invitee["mail"] is None and invitee["valid_until"].startswith(END[:16])
    url = _ok(desk.post(f"/desk/api/session/{session}/invitee_link",
                        {"invitee_id": invitee["id"]}))["url"]  # fmt: skip
    assert _opens(plain, url).status_code == 200
    again = _ok(desk.post(f"/desk/api/session/{session}/send", {"invitee_id": invitee["id"]}))
    assert again["mailed"] is False and _opens(plain, again["url"]).status_code == 200
    rows = query(embedded_server, f'select id from ReviewSessionInvitee where review_session_id '
                 f'is "{session}"')  # fmt: skip
    assert len(rows) == 1


def test_ftracks_send_review_session_invite_mails_the_link_for_who_manages_the_session(
    world: Any, smtp: SmtpServer
) -> None:
    """``ft-dcc review invite`` and a publish's invitees call ftrack's own action: the server
    mails the invitee's link when the caller manages the session; anyone else's call is recorded
    and mails nothing (they may not make the link)."""
    _up(smtp)
    published = publication(world, world.alice)
    session = _session(world, published["project"])  # the administrator's
    ids = {}
    for email in ("gus@agency.example", "hal@agency.example"):
        ids[email] = new_id()
        ok(world.server, [create("ReviewSessionInvitee", id=ids[email], name="Gus",
                                 email=email, review_session_id=session)])  # fmt: skip
    mallory = world.mallory
    sent = call(world.server, [{"action": "send_review_session_invite",
                                "review_session_invitee_id": ids["hal@agency.example"]}],
                mallory.user, mallory.key)  # fmt: skip
    assert sent.status_code in (200, 400, 403), sent.text[:300]
    ok(world.server, [{"action": "send_review_session_invite",
                       "review_session_invitee_id": ids["gus@agency.example"]}])  # fmt: skip
    [mail] = _mails_to(smtp, "gus@agency.example", 1)
    [link] = LINK.findall(body_text(mail, "plain"))
    assert _opens(world, link).status_code == 200
    assert not [m for m in smtp.messages if m["To"] == "hal@agency.example"]
