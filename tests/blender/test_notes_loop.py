"""The notes loop as the people walk it, one walk sharing one server and one browser:

1. A Supervisor of the project, not an administrator, signs in and writes three to-dos and one
   comment on v001 on the review page in Chromium, through the page's own controls (one note
   mentions the artist: ``@username``).
2. The artist lists the open ones (``ft-dcc review notes --task T --open --json``).
3. The artist publishes v002 from Blender's panel (Debian's Blender 3.4 with a window: the
   "Open notes" box's refresh button, two of its checkboxes ticked, "Publish for
   review"), addressing two.
4. The Supervisor's page of v002 says "addresses 2 of 3 notes on v001" and lists them; a note's
   frame button shows it on v001 at that frame, "Compare" puts v001 beside v002.
5. The desk's session page says of v001 "1 open · 2 addressed · 1 comment".
6. The CLI path: ``ft-dcc publish --addresses`` of the third with v003.
7. The genuine ``ftrack_api`` client reads ``is_todo``, ``completed_at``, ``completed_by``, the
   replies ("Addressed in shot v002.") and the mention's ``Recipient``.
8. The desk's CSV export and ``ft-dcc review export --format csv,pdf`` say per note what it is,
   where it stands and which version addressed it.
9. The studio chat's webhook (``ft-dcc webhook add``, a receiver on 127.0.0.1 that fails once)
   gets the signed ``note.created`` bodies, the refused one again on the retry.
10. A real SMTP server (aiosmtpd on 127.0.0.1) receives one digest for the artist (the notes on
   his version, each linking to its frame) and one for the lighting artist the note mentions
   (``--smtp-url``; the digest window held through the walk, then made short by a restart).

Screenshots (test-artifacts/notes-loop/): the Supervisor's notes on v001, the Blender panel
with the checkboxes before the publish and after it, the page of v002 with its "addresses" list,
v001 and v002 compared, the desk's items, the export PDF's first page.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, Iterator, List, Tuple

import pytest
import requests
from blender_helpers import build_addon_zip, needs_gui_blender, run_blender, server_env, write_json
from gui_window import build_scene_34
from server.desk.desk_browser import _ft_dcc_user
from server.notify.digest_checks import Receiver, count, settled, unsettled
from support import genuine_sessions, make_task, open_session
from support.cli import ft_dcc
from support.media import make_sequence
from support.smtp import SmtpServer, body_text
from support.trust import add_api_user, ok, start_server, update
from support.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.blender, pytest.mark.browser, needs_gui_blender]

#: the review session of the walk
DAILIES = "Dailies notes loop"
#: the asset of the Blender scene (its file's name) and of the CLI's publishes
ASSET = "shot"
#: what the Supervisor writes on v001: (text, a comment?); "{artist}" and "{lighter}" are the
#: artist's and a lighting artist's usernames
NOTES = (
    ("@{artist} the fin flickers, cc @{lighter}", False),
    ("Arm pops at the contact", False),
    ("Too dark in the water", False),
    ("Lovely timing on the turn", True),
)
#: the to-dos the Blender panel's checkboxes tick
TICKED = ("Arm pops at the contact", "Too dark in the water")


#: the server's mail sender
SENDER = "Dailies <dailies@studio.example>"
#: the chat webhook's secret (the receiver checks each body's signature with it)
HOOK_SECRET = "loop-secret-for-the-chat"


@pytest.fixture
def loop_server(tmp_path: Path) -> Iterator[Tuple[Any, SmtpServer, Receiver]]:
    """A server of the walk's own that mails through a real SMTP server (aiosmtpd on
    127.0.0.1), its digest window an hour while the walk goes (the end makes it short), its
    webhooks' first retry 2 s after a refusal (30 s by default; the documented
    ``FT_DCC_WEBHOOK_RETRY_SECONDS``, docs/notifications.md); and a webhook receiver on
    127.0.0.1 that answers its first request 500."""
    smtp = SmtpServer().start()
    settings = {"FT_DCC_MAIL_DIGEST_SECONDS": "3600", "FT_DCC_WEBHOOK_RETRY_SECONDS": "2"}
    os.environ.update(settings)
    try:
        server = start_server(tmp_path / "server", ["--smtp-url", smtp.url, "--mail-from", SENDER])
    finally:
        for name in settings:
            del os.environ[name]
    chat = Receiver([500])  # a studio chat's webhook that fails once
    try:
        yield server, smtp, chat
    finally:
        server.stop()
        smtp.close()
        chat.close()


def _people(server: Any, tmp_path: Path) -> Dict[str, Any]:
    """The project (made by an administrator), the artist (a User with an API key) and the
    project's Supervisor (a password and the supervisor role, not an administrator)."""
    tag = uuid.uuid4().hex[:6]
    project = f"loop{tag}"
    with open_session(server, tmp_path / "admin") as admin:
        task_path = make_task(admin, project, 1001, 1012, 25.0, task_name="anim")
    artist_id, artist_key = add_api_user(server, f"artist{tag}")
    ok(server, [update("User", artist_id, email=f"artist{tag}@studio.example",
                       first_name="Ari", last_name="Artist")])  # fmt: skip
    sup_name, password = f"sup{tag}", f"pw {uuid.uuid4().hex}"
    sup_id, _key = add_api_user(server, sup_name)
    ok(server, [update("User", sup_id, email=f"{sup_name}@studio.example",
                       first_name="Sam", last_name="Super")])  # fmt: skip
    _ft_dcc_user(server, "password", sup_name, "--password-stdin", stdin=password + "\n")
    _ft_dcc_user(server, "role", sup_name, "--role", "supervisor", "--project", project)
    lighter_id, _key = add_api_user(server, f"light{tag}")
    ok(server, [update("User", lighter_id, email=f"light{tag}@studio.example")])
    artist_env = dict(server.env, FTRACK_API_USER=f"artist{tag}", FTRACK_API_KEY=artist_key)
    return {
        "task": task_path, "artist": f"artist{tag}", "artist_id": artist_id,
        "artist_env": artist_env, "supervisor": sup_name, "password": password,
        "lighter": f"light{tag}", "emails": (f"artist{tag}@studio.example",
                                             f"light{tag}@studio.example"),
    }  # fmt: skip


def _artist_publishes(who: Dict[str, Any], frames: Path, *more: str) -> Dict[str, Any]:
    done = ft_dcc(
        who["artist_env"], "publish", str(frames), "--task", who["task"], "--fps", "25",
        "--asset", ASSET, "--review-session", DAILIES, "--json", *more,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout))


def _sign_in(page: Any, server: Any, who: Dict[str, Any]) -> None:
    assert page.goto(server.url + "/").status == 200
    page.locator("#signin-username").fill(who["supervisor"])
    page.locator("#signin-password").fill(who["password"])
    page.locator("form.signin-form button[type=submit]").click()
    page.wait_for_url("**/desk/**")


def _open_review(page: Any, server: Any, session_id: str) -> None:
    assert page.goto(f"{server.url}/signin/review/{session_id}").status == 200
    page.wait_for_function(
        "() => { const m = document.querySelector('main.items');"
        " return m && +m.dataset.feedbackLoaded >= 1; }"
    )


def _write_notes(page: Any, item: Any, who: Dict[str, Any]) -> None:
    """The Supervisor's notes on v001, each a frame further (the page's step button)."""
    for written, (text, comment) in enumerate(NOTES, start=1):
        item.locator("button.step-forward").click()
        item.locator(".note-form textarea").click()
        page.keyboard.type(text.format(artist=who["artist"], lighter=who["lighter"]))
        if comment:
            item.locator(".note-form .note-comment").check()
        item.locator(".add-note").click()
        page.wait_for_function(
            f"(i) => i.dataset.notesAdded === '{written}'", arg=item.element_handle()
        )
        error = item.locator(".note-form .note-error").inner_text()
        assert not error, error


def _blender_publishes(tmp_path: Path, blender_env: Dict[str, str], server: Any,
                       who: Dict[str, Any], shots: Path) -> Dict[str, Any]:  # fmt: skip
    """The artist's windowed Blender: the task, the open notes read and two ticked, Publish."""
    env = dict(server_env(blender_env, server), **who["artist_env"])
    blend = tmp_path / f"{ASSET}.blend"
    shutil.move(str(build_scene_34(tmp_path)), blend)
    options = {
        "blend": str(blend), "zip": str(build_addon_zip(tmp_path / "dist")),
        "task": who["task"], "review_session": DAILIES, "comment": "fin and arm fixed",
        "case": "ok", "build": False, "invoke": True, "screenshots": str(shots),
        "address": list(TICKED),
    }  # fmt: skip
    return run_blender(
        "publish_operator.py", [write_json(tmp_path / "gui.json", options)], env, gui=True,
        blend=blend,
    )  # fmt: skip


def test_the_notes_loop_closes(
    loop_server: Tuple[Any, SmtpServer, Receiver], tmp_path: Path, blender_env: Dict[str, str],
    page: Any, artifacts_dir: Path,
) -> None:
    server, smtp, chat = loop_server
    shots = artifacts_dir / "notes-loop"
    shots.mkdir(exist_ok=True)
    who = _people(server, tmp_path)
    added = ft_dcc(server.env, "webhook", "add", chat.url, "--topic", "note.created",
                   "--secret", HOOK_SECRET)  # the administrator, for the studio's chat
    assert added.returncode == 0, added.stderr
    frames = make_sequence(tmp_path / "frames", frames=12, start=1001)
    v001 = _artist_publishes(who, frames)
    session_id, v001_object = v001["review_session_id"], v001["review_session_object_id"]

    # 1. The Supervisor writes on v001 in Chromium
    _sign_in(page, server, who)
    _open_review(page, server, session_id)
    item = page.locator(f"#item-{v001_object}")
    _write_notes(page, item, who)
    item.locator(".notes").screenshot(path=str(shots / "supervisor-notes-v001.png"))

    # 2. The artist lists the open to-dos: three, the comment not among them
    listed = ft_dcc(who["artist_env"], "review", "notes", "--task", who["task"], "--open",
                    "--json")  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    todos = {n["text"]: n for n in json.loads(listed.stdout)["notes"]}
    mention = NOTES[0][0].format(artist=who["artist"], lighter=who["lighter"])
    assert sorted(todos) == sorted([mention, *TICKED])
    assert {n["version"] for n in todos.values()} == {1}
    assert {n["author"] for n in todos.values()} == {"Sam Super"}
    texts = [mention, *(text for text, _ in NOTES[1:3])]
    note_frames = [todos[text]["frame"] for text in texts]
    assert note_frames == sorted(set(note_frames)), note_frames  # each on its own frame

    # 3. Blender's panel: the open notes listed with checkboxes, two ticked, published
    result = _blender_publishes(tmp_path, blender_env, server, who, shots)
    assert result["outcome"] == "published", result.get("status") or result["_output"][-3000:]
    panel = result["notes"]
    assert panel["returned"] == ["FINISHED"], panel
    assert [(text, ticked) for _heading, text, ticked in panel["listed"]] == [
        (text, text in TICKED) for text in texts
    ], panel
    assert panel["listed"][0][0] == f"v001 f{note_frames[0]} Sam Super", panel
    assert result["notes_after"] == [[mention, False]]  # the addressed rows went
    report = result["report"]
    assert report["version_number"] == 2 and report["asset_name"] == ASSET, report
    for name in ("panel-before-publish.png", "panel-after-publish.png"):
        assert (shots / name).stat().st_size > 10_000, name
    v002_object = report["review_session_object_id"]

    # 4. The page of v002: "addresses 2 of 3 notes on v001", each note's frame on v001, compared
    _open_review(page, server, session_id)
    page.locator(f'.version-tab[data-object-id="{v002_object}"]').click()
    v002 = page.locator(f"#item-{v002_object}")
    summary = v002.locator(".addresses-summary")
    summary.wait_for()
    assert summary.inner_text() == "addresses 2 of 3 notes on v001"
    marks = v002.locator(".addressed-note").all_inner_texts()
    assert len(marks) == 3 and sum("addressed" in m for m in marks) == 2, marks
    v002.locator(".addresses").screenshot(path=str(shots / "page-v002-addresses.png"))
    jump = v002.locator(".addressed-jump", has_text=str(note_frames[1]))
    jump.click()
    old = page.locator(f"#item-{v001_object}")
    page.wait_for_function(
        f"(i) => !i.hidden && +i.dataset.frame === {note_frames[1]}", arg=old.element_handle()
    )
    page.locator(f'.version-tab[data-object-id="{v002_object}"]').click()
    v002.locator(".addresses-compare").click()
    page.wait_for_function(
        "(i) => i.closest('.asset-group').classList.contains('comparing')",
        arg=v002.element_handle(),
    )
    page.screenshot(path=str(shots / "page-v002-compared.png"), full_page=True)

    # 5. The desk's session page: v001's notes in a few words (one open, two addressed)
    assert page.goto(f"{server.url}/desk/session/{session_id}").status == 200
    badge = page.locator(f'#desk-items li.item[data-object-id="{v001_object}"] .notes')
    badge.wait_for()
    assert badge.inner_text() == "1 open · 2 addressed · 1 comment"
    page.locator("#desk-items").screenshot(path=str(shots / "desk-items.png"))

    # 6. The CLI path: v003 addresses the third (the mention)
    v003 = _artist_publishes(who, frames, "--addresses", todos[mention]["id"])
    assert v003["version_number"] == 3, v003

    # 7. The genuine ftrack_api client reads it all
    with genuine_sessions(server, tmp_path / "genuine") as make:
        reader = make()
        by_version = {todos[text]["id"]: 2 for text in TICKED}
        by_version[todos[mention]["id"]] = 3
        for note_id, number in by_version.items():
            note = reader.query(
                "select is_todo, completed_at, completed_by.username, replies.content, "
                f'replies.is_todo from Note where id is "{note_id}"'
            ).one()
            assert note["is_todo"] is True and note["completed_at"] is not None
            assert note["completed_by"]["username"] == who["artist"]
            replies = [(r["content"], r["is_todo"]) for r in note["replies"]]
            assert replies == [(f"Addressed in {ASSET} v{number:03d}.", False)], replies
        comment = reader.query(
            f'select is_todo, completed_at from Note where content is "{NOTES[3][0]}"'
        ).one()
        assert comment["is_todo"] is False and comment["completed_at"] is None
        mentioned = reader.query(
            "select resource_id, text_mentioned from Recipient "
            f'where note_id is "{todos[mention]["id"]}" and resource_id is "{who["artist_id"]}"'
        ).one()
        assert mentioned["text_mentioned"] == f"@{who['artist']}"

    # 8. The exports: per note what it is, where it stands and which version addressed it
    addressed = {mention: f"{ASSET} v003", TICKED[0]: f"{ASSET} v002", TICKED[1]: f"{ASSET} v002"}
    sheet = page.request.get(f"{server.url}/desk/session/{session_id}/export.csv")
    assert sheet.status == 200
    rows = {_unguarded(r["note"]): r for r in csv.DictReader(io.StringIO(sheet.text()))}
    assert rows[mention]["note"] == "'" + mention  # "@…" as text, never a formula
    for text, version in addressed.items():
        assert (rows[text]["kind"], rows[text]["state"]) == ("to-do", "addressed"), rows[text]
        assert rows[text]["addressed by"] == version, rows[text]
    assert (rows[NOTES[3][0]]["kind"], rows[NOTES[3][0]]["state"]) == ("comment", "")
    # the desk is the studio's: without a studio sign-in the export is refused, no note in it
    stranger = requests.get(f"{server.url}/desk/session/{session_id}/export.csv", timeout=60,
                            allow_redirects=False)  # fmt: skip
    assert stranger.status_code in (302, 303, 401, 403), stranger.status_code
    assert TICKED[0] not in stranger.text and "addressed" not in stranger.text
    _exports_say_it(who, addressed, tmp_path / "export", shots)

    # 9. The chat's webhook: signed note.created bodies, the one it refused sent again
    _webhook_got_it(chat, todos[mention]["id"])

    # 10. The digests: one letter for the artist (the notes on his version), one for the person
    # the note mentions; the window held them through the walk, a restart with a short one
    # sends what waited, whatever the machine's speed
    database = SimpleNamespace(database_url=f"sqlite:///{server.data_dir / 'ft_dcc.sqlite'}")
    wait_until(lambda: count(database, "ft_dcc_notice") == 0, lambda: unsettled(database))
    assert smtp.messages == []
    server.stop()
    os.environ["FT_DCC_MAIL_DIGEST_SECONDS"] = "0.2"
    try:
        server.start()
    finally:
        del os.environ["FT_DCC_MAIL_DIGEST_SECONDS"]
    smtp.wait_for(2)
    wait_until(lambda: settled(database), lambda: unsettled(database))
    artist_mail, lighter_mail = who["emails"]
    mails: Dict[str, List[Any]] = {}
    for message in smtp.messages:
        mails.setdefault(str(message["To"]), []).append(message)
    assert sorted(mails) == sorted(who["emails"]), sorted(mails)
    assert all(len(m) == 1 for m in mails.values()), {k: len(v) for k, v in mails.items()}
    letter = body_text(mails[artist_mail][0], "plain")
    for text in (mention, *TICKED, NOTES[3][0], f"frame {note_frames[1]}"):
        assert text in letter, (text, letter)
    link = f"/signin/review/{session_id}#frame={v001_object},{note_frames[1]}"
    assert link in letter, letter
    mentioned = body_text(mails[lighter_mail][0], "plain")
    assert "You were mentioned in a note" in mentioned and mention in mentioned, mentioned
    assert TICKED[0] not in mentioned, mentioned
    (shots / "digest-artist.txt").write_text(letter, encoding="utf-8")


def _unguarded(cell: str) -> str:
    """A CSV cell as written: the guard a spreadsheet formula's start gets taken off."""
    return cell[1:] if cell.startswith("'@") else cell


def _exports_say_it(who: Dict[str, Any], addressed: Dict[str, str], output: Path,
                    shots: Path) -> None:  # fmt: skip
    """``ft-dcc review export --format csv,pdf``: the CSV's kind/state/addressed_by, the PDF's
    "To-do · addressed in shot v002" (poppler reads it back; its first page as a picture)."""
    project = who["task"].split("/")[0]
    done = ft_dcc(who["artist_env"], "review", "export", DAILIES, "--project", project,
                  "--output", str(output), "--format", "csv,pdf")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    with (output / "notes.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = {_unguarded(r["text"]): r for r in csv.DictReader(stream) if not r["reply_to"]}
    for text, version in addressed.items():
        assert (rows[text]["kind"], rows[text]["state"], rows[text]["addressed_by"]) == (
            "to-do", "addressed", version,
        ), rows[text]  # fmt: skip
    assert (rows[NOTES[3][0]]["kind"], rows[NOTES[3][0]]["state"]) == ("comment", "")
    pdf = output / "notes.pdf"
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())  # fmt: skip
    assert f"To-do · addressed in {ASSET} v002" in text and "Comment" in text, text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(shots / "export-pdf")], check=True)  # fmt: skip


def _webhook_got_it(chat: Receiver, note_id: str) -> None:
    """The receiver refused the first body (500) and got it again, byte for byte, on the
    retry; every body is signed (HMAC-SHA256 of the raw body with the secret) and the note with
    the mention is among them, named by id."""
    wait_until(lambda: chat.got, "the first webhook request")
    _headers, first, status = chat.got[0]
    assert status == 500

    def again() -> list:
        return [b for _h, b, s in list(chat.got)[1:] if b == first and s == 200]

    # the retry comes after the backoff, whatever else was sent meanwhile (the replies the
    # addressing publishes write are notes too): wait for it, not for a number of requests
    wait_until(again, lambda: f"the refused body sent again ({len(chat.got)} requests so far)",
               timeout=300)  # the first retry: 2 s after the refusal (loop_server)  # fmt: skip
    assert again() == [first]
    for headers, body, _status in chat.got:
        signed = "sha256=" + hmac.new(HOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["x-ft-dcc-signature"], signed)
    events = [json.loads(b) for _h, b, _s in chat.got]
    assert {e["topic"] for e in events} == {"note.created"}, events
    assert note_id in {e["note_id"] for e in events}, events
