"""A client review from the desk to the client and back, as the people do it, through the pages'
own controls, in any browser (a ``player_checks.Driver``): a client review end to end.

A Supervisor who is not an administrator builds a client session on the desk (create, add
versions, invite the client, client rules: ``server.desk.desk_browser.build_client_session``);
the invitation e-mail arrives at the test's SMTP server (aiosmtpd) with the client's link; the
desk shows the invitee's link as e-mailed and until when it works. The client opens the link,
answers the passphrase, watches the watermarked movie, writes a note on a frame and asks for
changes; the version's ftrack status is unchanged by it. The Supervisor sees the client's
verdict on the review page, then revokes the client's link on the desk: the desk shows her
revoked with "Invite again", and her open page shows the refusal by itself; the audit trail
reads as sentences, the desk's edits among them.

Screenshots (``test-artifacts/<name>/``): the desk with the invitee, the e-mail's HTML part as
Chromium renders it, the client's page, the Supervisor's page with her verdict, both pages after
the revoke, the audit trail.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, Tuple

from server.desk.desk_browser import (
    CLIENT,
    PASSPHRASE,
    DeskWorld,
    build_client_session,
    desk_world,
)
from support.smtp import SmtpServer, body_text
from support.trust import start_server

from .client_passphrase_checks import RECORDER, answer_the_prompt, give_a_verdict, received
from .player_checks import Driver, El, call

SENDER = "Pixel Farm dailies <dailies@pixelfarm.example>"
LINK = re.compile(r"http://127\.0\.0\.1:\d+/review/[0-9a-f-]+\?token=[A-Za-z0-9_.=-]+")
NOTE = "Cleo: hold the arm two frames longer"
INTERNAL_NOTE = "Internal: the comp on sh010 is temp, do not show the client yet"
ITEM = "article.item:not([hidden])"
Goto = Callable[[str], Optional[int]]


def mailing_world(tmp_path: Path) -> Iterator[Tuple[Any, SmtpServer, DeskWorld]]:
    """A server of its own that mails through a test SMTP server, and the desk's world on it
    (``server.desk.desk_browser.desk_world``): (server, SMTP server, world)."""
    smtp = SmtpServer().start()
    server = start_server(tmp_path / "server", ["--smtp-url", smtp.url, "--mail-from", SENDER])
    try:
        for world in desk_world(server, tmp_path):
            yield server, smtp, world
    finally:
        server.stop()
        smtp.close()


def invite_by_mail(driver: Driver, goto: Goto, world: DeskWorld, smtp: SmtpServer,
                   chromium: Any, shots: Path) -> tuple:  # fmt: skip
    """The Supervisor builds and invites on the desk; the e-mail arrives, its HTML part rendered
    in Chromium; the desk shows the link e-mailed. (session id, the client's link)."""
    session_id = build_client_session(driver, goto, world, shots, private=True)
    assert world.make().get("ReviewSession", session_id)["shareable_url_enabled"] is False
    [mail] = smtp.wait_for(1)
    assert mail["To"] == CLIENT and mail["From"] == SENDER
    assert mail["Subject"] == "Pixel Farm dailies invites you to review: Client review wk49"
    text, html = body_text(mail, "plain"), body_text(mail, "html")
    [link] = LINK.findall(text)
    assert PASSPHRASE not in text and PASSPHRASE not in html
    assert "Cleo Client" in text and "Client review wk49" in text
    mail_page = chromium.new_page(viewport={"width": 760, "height": 720})
    try:
        mail_page.set_content(html)
        assert mail_page.get_attribute("a.review-link", "href") == link
        mail_page.screenshot(path=str(shots / "invitation_email.png"), full_page=True)
    finally:
        mail_page.close()
    row = 'ul.invitees li[data-invitee-id][data-state="invited"]'
    driver.wait(f"document.querySelector('{row}[data-mail=\"sent\"]')")
    said = driver.evaluate(f"document.querySelector('{row}').textContent")
    assert "valid until" in said and "E-mailed" in said and "Copy link" in said, said
    assert "Send again" in said, said
    driver.screenshot(shots / "desk_invited.png")
    return session_id, link


def studio_note_and_verdict(driver: Driver, goto: Goto, world: DeskWorld,
                            session_id: str) -> None:  # fmt: skip
    """The Supervisor opens the session's review page (the desk's Open link), writes an internal
    note (not shared with the client) and approves as the studio."""
    goto(f"{world.url}/signin/review/{session_id}")
    driver.wait("document.querySelector('main.items') && "
                "+document.querySelector('main.items').dataset.feedbackLoaded >= 1")  # fmt: skip
    form = f"{ITEM} .note-form"
    driver.evaluate(call("(t, v) => { t.value = v; }", El(f"{form} textarea"),
                         json.dumps(INTERNAL_NOTE)))  # fmt: skip
    driver.click(f"{form} button.add-note")
    error = El(f"{form} .note-error")
    driver.wait(f"{El(ITEM)}.dataset.notesAdded === '1' || /Not saved/.test({error}.textContent)")
    assert not driver.evaluate(f"{error}.textContent")
    give_a_verdict(driver, ITEM, "approve")


def secrets_of(world: DeskWorld) -> List[str]:
    """What a client never reads: the versions' internal statuses, comments and artists, the
    Supervisor's name and e-mail, the studio's internal note."""
    reader = world.make()
    found = [INTERNAL_NOTE, world.supervisor["name"], world.supervisor["email"], "Sam Super",
             "@studio.example"]  # fmt: skip
    for version in reader.query("select comment, status.name, user.username, user.email from "
                                "AssetVersion where id in "
                                f"({', '.join(json.dumps(v) for v in world.versions)})").all():
        found += [version["comment"], version["status"]["name"], version["user"]["username"]]
        found += [version["user"]["email"]] if version["user"]["email"] else []
    return sorted({text for text in found if text})


def nothing_of_the_inside(client: Driver, since: int, world: DeskWorld) -> None:
    """Every reply the client's browser received since ``since`` (pages, JSON, as its scripts
    got them: ``client_passphrase_checks.received``) holds nothing of the studio's inside; her
    own note is in them (what is read is what she saw)."""
    secrets = secrets_of(world)
    assert "Pending Review" in secrets or "Approved" in secrets, secrets
    read = received(client, since)
    assert any(NOTE in str(r["body"]) for r in read), [r["url"][:80] for r in read]
    found = [f"{secret!r} in {r['url'].split('?')[0]}" for r in read for secret in secrets
             if secret in str(r["body"])]  # fmt: skip
    assert not found, found


def watch_write_and_decide(client: Driver, goto: Goto, link: str, server: Any,
                           shots: Path) -> None:  # fmt: skip
    """The client answers the passphrase, plays her watermarked movie, writes a note on frame
    1012 and asks for changes, with the page's own controls."""
    goto(link)
    answer_the_prompt(client, PASSPHRASE)
    client.evaluate(RECORDER)  # the page's own fetch replies, kept as its scripts got them
    video = f"{ITEM} .picture.main video"
    client.click(f"{ITEM} button.ctl.play")
    client.wait(f"{El(video)}.currentTime > 0.3")
    client.click(f"{ITEM} button.ctl.play")
    client.wait(f"{El(video)}.paused")
    marked = list((Path(server.data_dir) / "files" / ".watermarks").glob("*"))
    assert marked, "the client's movie was not her own watermarked copy"
    client.evaluate(call("(s, f) => { s.value = String(f); "
                         "s.dispatchEvent(new Event('input', {bubbles: true})); }",
                         El(f"{ITEM} .scrub"), 1012))  # fmt: skip
    client.wait(f"{El(ITEM)}.dataset.frame === '1012'")
    form = f"{ITEM} .note-form"
    client.evaluate(call("(t, v) => { t.value = v; }", El(f"{form} textarea"), json.dumps(NOTE)))
    client.click(f"{form} button.add-note")
    error = El(f"{form} .note-error")
    client.wait(f"{El(ITEM)}.dataset.notesAdded === '1' || /Not saved/.test({error}.textContent)")
    assert not client.evaluate(f"{error}.textContent")
    give_a_verdict(client, ITEM, "request-changes")
    client.screenshot(shots / "client_page.png")


def read_back(world: DeskWorld, session_id: str) -> dict:
    """The client's note and verdict, and each version's ftrack status, through the genuine
    ``ftrack_api`` client."""
    reader = world.make()
    session = reader.get("ReviewSession", session_id)
    notes, verdicts = [], {}
    for item in session["review_session_objects"]:
        notes += [(n["content"], n["author"]["email"], n["metadata"].get("frame"))
                  for n in item["notes"]]  # fmt: skip
        verdicts.update({s["invitee"]["email"]: s["status"] for s in item["statuses"]})
    statuses = {v["id"]: v["status_id"] for v in reader.query(
        "select id, status_id from AssetVersion where id in "
        f"({', '.join(json.dumps(v) for v in world.versions)})").all()}  # fmt: skip
    return {"notes": notes, "verdicts": verdicts, "statuses": statuses}


def supervisor_sees_the_verdict(driver: Driver, goto: Goto, world: DeskWorld, session_id: str,
                                shots: Path) -> None:  # fmt: skip
    """The Supervisor's review page (the desk's Present link) shows Cleo's verdict."""
    goto(f"{world.url}/signin/review/{session_id}")
    driver.wait("document.querySelector('main.items') && "
                "+document.querySelector('main.items').dataset.feedbackLoaded >= 1")  # fmt: skip
    statuses = "Array.from(document.querySelectorAll('.statuses li')).map((li) => li.textContent)"
    driver.wait(f"{statuses}.some((t) => t.includes('Cleo Client'))")
    seen = driver.evaluate(statuses)
    assert any("Cleo Client" in t and "Client" in t.replace("Cleo Client", "") for t in seen), seen
    assert any("Sam Super" in t and "Studio" in t for t in seen), seen  # beside the studio's
    driver.screenshot(shots / "supervisor_page.png")


def revoke_shows_on_both_pages(desk: Driver, goto: Goto, client: Driver, world: DeskWorld,
                               session_id: str, shots: Path) -> None:  # fmt: skip
    """"Revoke link" on the desk: the desk shows the invitee revoked with "Invite again"; the
    client's open page shows the refusal by itself (her live stream is told at once)."""
    client.wait("document.querySelector('main.items').dataset.live === 'open'")
    goto(f"{world.url}/desk/session/{session_id}")
    desk.wait("document.querySelector('ul.invitees li[data-invitee-id] button.revoke')")
    desk.click("ul.invitees li[data-invitee-id] button.revoke")
    revoked = 'ul.invitees li[data-state="revoked"] button.invite-again'
    desk.wait(f"document.querySelector('{revoked}')")
    desk.screenshot(shots / "desk_revoked.png")
    client.wait("document.querySelector('main.items').dataset.live === 'refused'")
    refusal = client.evaluate("document.querySelector('.refusal').textContent")
    assert "revoked by the person who runs the review" in refusal, refusal
    assert client.evaluate("document.querySelector('main.items').hidden") is True
    client.screenshot(shots / "client_refused.png")


def audit_reads_as_sentences(desk: Driver, shots: Path) -> None:
    """The desk's audit trail: one sentence per act, by name, the desk's edits among them."""
    desk.click("button.show-audit")
    desk.wait("+document.querySelector('section.audit').dataset.shown >= 1")
    said = desk.evaluate("Array.from(document.querySelectorAll('section.audit td.sentence'))"
                         ".map((td) => td.textContent)")  # fmt: skip
    wanted = [r"^Sam Super added sh010 / \S+ v00[12]", r"^Sam Super invited Cleo Client",
              r"^Cleo Client opened the link", r"^Cleo Client answered the passphrase",
              r"^Cleo Client wrote a note on sh010 / \S+ v002 at frame 1012",
              r"^Cleo Client gave sh010 / \S+ v002 the verdict", r"^Sam Super .*revoked"]
    missing = [w for w in wanted if not any(re.search(w, line) for line in said)]
    assert not missing, (missing, said)
    assert not any("user:" in line or "invitee:" in line for line in said), said
    desk.screenshot(shots / "desk_audit.png", "section.audit")


def journey(desk: Driver, desk_goto: Goto, client: Driver, client_goto: Goto,
            later: Driver, later_goto: Goto, sign_out_first: bool, world: DeskWorld,
            server: Any, smtp: SmtpServer, chromium: Any, shots: Path) -> None:  # fmt: skip
    """The whole path; ``later`` is where the Supervisor works once the client has her page
    (``sign_out_first``: the desk's browser is the client's too, signed out before)."""
    from server.desk.desk_browser import sign_in

    sign_in(desk, desk_goto, world)
    session_id, link = invite_by_mail(desk, desk_goto, world, smtp, chromium, shots)
    studio_note_and_verdict(desk, desk_goto, world, session_id)
    before = read_back(world, session_id)["statuses"]  # the studio's verdict moved it
    if sign_out_first:
        desk_goto(f"{world.url}/desk/")
        desk.wait("document.querySelector('header.desk-bar form button[type=submit]')")
        desk.click("header.desk-bar form button[type=submit]")
        desk.wait("location.pathname === '/' && document.querySelector('#signin-username')")
    since = len(client.responses())  # the desk's replies, when she uses its browser
    watch_write_and_decide(client, client_goto, link, server, shots)
    nothing_of_the_inside(client, since, world)  # before the revoke: read again as she saw it
    found = read_back(world, session_id)
    notes = {content: (author, frame) for content, author, frame in found["notes"]}
    assert notes.keys() == {NOTE, INTERNAL_NOTE} and notes[NOTE] == (CLIENT, "1012"), notes
    assert notes[INTERNAL_NOTE][0] == world.supervisor["email"], notes
    assert found["verdicts"][CLIENT] == "require_changes", found["verdicts"]
    assert found["statuses"] == before, "the client's verdict moved a version's ftrack status"
    if later is not desk:
        sign_in(later, later_goto, world)
    supervisor_sees_the_verdict(later, later_goto, world, session_id, shots)
    revoke_shows_on_both_pages(later, later_goto, client, world, session_id, shots)
    audit_reads_as_sentences(later, shots)
