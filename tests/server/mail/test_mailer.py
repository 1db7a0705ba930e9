"""The server's mailer against a real SMTP server (aiosmtpd on 127.0.0.1): a queued letter
arrives with its plain-text and HTML parts; queueing never waits for the SMTP server; a server
that is down or answers "try later" is tried again until it takes the message; one that refuses
it for good marks it failed, with its error, and stops; the queue outlives the mailer (a
restart); STARTTLS and a login when the URL asks for them. The mailer runs in this process over
the server's own SQLite tables."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import pytest

pytest.importorskip("aiosmtpd")
import sqlalchemy as sa
from support.smtp import SmtpServer, body_text
from support.waiting import wait_until

from ft_dcc.server.mail.mailer import Mailer
from ft_dcc.server.mail.outbox import FAILED, QUEUED, SENT, retry_delay
from ft_dcc.server.mail.smtp_url import choose_smtp
from ft_dcc.server.model.storage import make_engine

VALUES = {
    "name": "Cleo Client", "session": "Client review wk49 <b>",
    "link": "http://x/review/1?t=abc", "opens": "", "closes": "Friday 5 December 2031, 18:00 UTC",
    "valid_until": "", "passphrase": True,
}  # fmt: skip
SENDER = "Pixel Farm dailies <dailies@pixelfarm.example>"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.close()


def _mailer(tmp_path: Path, url: str, retry: float = 0.1, **environ: str) -> Mailer:
    engine = make_engine(f"sqlite:///{tmp_path / 'mail.sqlite'}")
    settings = choose_smtp(url, None, SENDER, environ)
    return Mailer(engine, sa.MetaData(), settings, first_retry=retry)


def test_a_queued_letter_arrives_with_a_text_and_an_html_part(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    mailer = _mailer(tmp_path, smtp.url)
    try:
        message_id = mailer.queue("invitee:1", "cleo@agency.example", "invitation", VALUES)
        [mail] = smtp.wait_for(1)
        assert mail["To"] == "cleo@agency.example" and mail["From"] == SENDER
        assert mail["Subject"] == "Pixel Farm dailies invites you to review: Client review wk49 <b>"
        text, html = body_text(mail, "plain"), body_text(mail, "html")
        assert VALUES["link"] in text and f'href="{VALUES["link"]}"' in html
        assert "wk49 &lt;b&gt;" in html and "<b>" not in html.split("<body")[1].split("wk49")[1][:5]
        assert "passphrase" in text and VALUES["closes"] in text
        state = wait_until(lambda: (m := mailer.latest(["invitee:1"])["invitee:1"]).state == SENT
                           and m, "the row marked sent")  # fmt: skip
        assert state.id == message_id and state.attempts == 1 and state.last_error == ""
        assert state.text == "" and state.html == ""  # a sent link stays only in the mailbox
    finally:
        mailer.close()


def test_queueing_never_waits_for_a_slow_smtp_server(tmp_path: Path, smtp: SmtpServer) -> None:
    smtp.hold = threading.Event()  # the server takes the message only when the test says
    mailer = _mailer(tmp_path, smtp.url)
    try:
        mailer.queue("invitee:1", "cleo@agency.example", "invitation", VALUES)
        wait_until(lambda: smtp.attempts == 1, "the sender to be in the SMTP conversation")
        second = mailer.queue("invitee:2", "dan@agency.example", "invitation", VALUES)
        assert second and not smtp.hold.is_set() and smtp.messages == []  # it returned meanwhile
        smtp.hold.set()
        assert len(smtp.wait_for(2)) == 2
    finally:
        mailer.close()


def test_a_server_that_is_down_or_says_try_later_gets_it_on_a_later_attempt(
    tmp_path: Path,
) -> None:
    down = SmtpServer()  # nothing listens on its port yet
    mailer = _mailer(tmp_path, down.url, retry=0.2)
    try:
        mailer.queue("invitee:1", "cleo@agency.example", "invitation", VALUES)
        failed = wait_until(lambda: (m := mailer.latest(["invitee:1"])["invitee:1"]).attempts >= 1
                            and m.state == QUEUED and m, "a failed first attempt")  # fmt: skip
        assert "could not reach the SMTP server" in failed.last_error
        down.answers = ["451 4.3.0 mailbox busy, try later"]
        down.start()
        try:
            [mail] = down.wait_for(1)
            assert mail["To"] == "cleo@agency.example"
            sent = wait_until(lambda: (m := mailer.latest(["invitee:1"])["invitee:1"]).state
                              == SENT and m, "the row marked sent")  # fmt: skip
            assert sent.attempts >= 3 and down.attempts == 2  # refused, busy, then taken
        finally:
            down.close()
    finally:
        mailer.close()


def test_a_refusal_for_good_is_kept_as_failed_with_its_reason(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    smtp.answers = ["550 5.1.1 no such mailbox here"]
    mailer = _mailer(tmp_path, smtp.url)
    try:
        mailer.queue("invitee:1", "nobody@agency.example", "invitation", VALUES)
        failed = wait_until(lambda: (m := mailer.latest(["invitee:1"])["invitee:1"]).state
                            == FAILED and m, "the row marked failed")  # fmt: skip
        assert "550" in failed.last_error and "no such mailbox" in failed.last_error
        assert failed.attempts == 1 and smtp.attempts == 1 and failed.text  # kept, not retried
    finally:
        mailer.close()


def test_the_queue_outlives_the_mailer(tmp_path: Path) -> None:
    smtp = SmtpServer()  # down while the first mailer runs
    first = _mailer(tmp_path, smtp.url, retry=3600)
    first.queue("invitee:1", "cleo@agency.example", "invitation", VALUES)
    wait_until(lambda: first.latest(["invitee:1"])["invitee:1"].attempts == 1, "a first attempt")
    first.close()
    smtp.start()
    try:
        again = _mailer(tmp_path, smtp.url)  # a restart: the retry is an hour away ...
        try:
            again.outbox.engine.dispose()
            with again.outbox.engine.begin() as connection:  # ... so make it due now
                connection.execute(sa.update(again.outbox.table).values(next_attempt=0))
            again._sender.wake()  # type: ignore[union-attr]
            [mail] = smtp.wait_for(1)
            assert mail["To"] == "cleo@agency.example"
        finally:
            again.close()
    finally:
        smtp.close()


def test_starttls_and_a_login_when_the_url_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    smtp = SmtpServer(tls_dir=tmp_path / "tls", login=("dailies", "s3cret pass")).start()
    try:
        assert smtp.url.startswith("smtp+starttls://dailies@")
        monkeypatch.setenv("SSL_CERT_FILE", str(smtp.cert))  # trust the test's own certificate
        mailer = _mailer(tmp_path, smtp.url, FT_DCC_SMTP_PASSWORD="s3cret pass")
        try:
            mailer.queue("invitee:1", "cleo@agency.example", "invitation", VALUES)
            [mail] = smtp.wait_for(1)
            assert smtp.logins == ["dailies"] and mail["To"] == "cleo@agency.example"
        finally:
            mailer.close()
    finally:
        smtp.close()


def test_the_retries_back_off_to_at_most_an_hour() -> None:
    assert [retry_delay(n, 30) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(40, 30) == 3600


def test_a_password_on_the_command_line_is_refused(tmp_path: Path) -> None:
    from ft_dcc.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="command line"):
        choose_smtp("smtp+starttls://u:pw@mail.example:587", None, None, {})
    loose = tmp_path / "password"
    loose.write_text("pw\n")
    loose.chmod(0o644)
    with pytest.raises(ConfigurationError, match="chmod 600"):
        choose_smtp("smtp+starttls://u@mail.example", loose, None, {})
    loose.chmod(0o600)
    settings = choose_smtp("smtp+starttls://u@mail.example", loose, None, {})
    assert settings is not None and settings.password == "pw" and settings.port == 587
    assert "pw" not in repr(settings)
    environ = {"FT_DCC_SMTP_URL": "smtps://u:env%20pw@m.example",
               "FT_DCC_MAIL_FROM": "Studio X <x@x.example>"}  # fmt: skip
    from_env = choose_smtp(None, None, None, environ)
    assert from_env is not None and from_env.password == "env pw" and from_env.port == 465
    assert from_env.studio == "Studio X" and choose_smtp(None, None, None, {}) is None


def test_a_recipient_that_is_not_one_plain_address_is_never_queued(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    mailer = _mailer(tmp_path, smtp.url)
    try:
        for bad in ("a@b.example\r\nBcc: x@evil.example", "Cleo <cleo@agency.example>",
                    "a@b.example, c@d.example", "no-at-sign", "a b@c.example"):
            assert mailer.queue("invitee:9", bad, "invitation", VALUES) is None, bad
        assert mailer.latest(["invitee:9"]) == {}
        assert mailer.queue("invitee:9", "cleo@agency.example", "invitation", VALUES)
        assert [m["To"] for m in smtp.wait_for(1)] == ["cleo@agency.example"]
    finally:
        mailer.close()


def test_an_invitation_sent_again_replaces_the_one_still_waiting(tmp_path: Path) -> None:
    down = SmtpServer()
    mailer = _mailer(tmp_path, down.url, retry=3600)  # a failed one waits an hour ...

    def failed_once(message_id: str) -> bool:
        [message] = mailer.outbox.messages([message_id])
        return message.state == QUEUED and message.attempts == 1 and bool(message.last_error)

    try:
        first = mailer.queue("invitee:1", "cleo@agency.example", "invitation",
                             dict(VALUES, link="http://x/review/1?t=first"), replaces=True)
        assert first is not None
        wait_until(lambda: failed_once(first), "the first one tried and waiting")
        again = mailer.queue("invitee:1", "cleo@agency.example", "invitation",
                             dict(VALUES, link="http://x/review/1?t=again"), replaces=True)
        assert again is not None
        wait_until(lambda: failed_once(again), "the newer one tried and waiting")
        down.start()
        try:
            with mailer.outbox.engine.begin() as connection:  # ... so make it due now
                connection.execute(sa.update(mailer.outbox.table).values(next_attempt=0))
            mailer._sender.wake()  # type: ignore[union-attr]
            [mail] = down.wait_for(1)
            wait_until(lambda: mailer.latest(["invitee:1"])["invitee:1"].state == SENT, "sent")
            assert "t=again" in body_text(mail, "plain") and len(down.messages) == 1
            [replaced] = mailer.outbox.messages([first])
            assert replaced.state == "replaced" and replaced.text == ""
        finally:
            down.close()
    finally:
        mailer.close()
