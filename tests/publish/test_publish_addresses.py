"""A new version addresses the task's open to-dos: ``ft-dcc review notes --task T --open``
lists them, ``publish(..., addresses=[...])`` / ``ft-dcc publish --addresses`` completes them
(``completed_at``, ``completed_by`` = the publisher) and answers each with a reply naming the new
version, in the version's own commit: no request more than a plain publish (counted in the
server's request log). An id that is not an open to-do of the task is refused by name before
anything is written. Notes written through the review page by an invitee; read back with the
genuine ``ftrack_api`` client.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any, Dict, List

from support import genuine_sessions, open_session
from support.cli import ft_dcc
from support.insiders import api_refused
from support.trust import add_api_user, call, create, new_id, ok, query, update
from test_publish_requests import _count, _task_and_frames
from web.feedback_fixtures import Page, link, personal_url

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import OfflineQueue, publish
from ft_dcc.session import RetryPolicy, Session


def _open_todos(server: Any, task_id: str) -> List[Dict[str, Any]]:
    done = ft_dcc(server.env, "review", "notes", "--task", task_id, "--open", "--json")
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout)["notes"])


def test_a_publish_addresses_open_todos_in_its_own_commit(
    embedded_server: Any, tmp_path: Path, queue_dir: Path
) -> None:
    server = embedded_server
    setup, task_id, sequence = _task_and_frames(server, tmp_path)
    name = f"Dailies addresses {uuid.uuid4().hex[:6]}"

    def publish_version(tag: str, **more: Any) -> Any:
        session = open_session(server, tmp_path / tag, defer_start=True)
        mark = server.log_mark()
        report = publish(
            FilesHost(sequence, fps=25), task=task_id, review_session_name=name,
            session=session, queue_dir=queue_dir, **more,
        )  # fmt: skip
        return report, _count(server.requests_since(mark))

    v001, _ = publish_version("v001")
    assert v001.ok, str(v001)
    review = setup.get("ReviewSession", v001.review_session_id)
    invitee = setup.create(
        "ReviewSessionInvitee",
        {"review_session": review, "name": "Sue Pervisor", "email": f"sue-{name[-6:]}@x.org"},
    )
    setup.commit()
    sue = link(setup, invitee)
    obj = v001.review_session_object_id
    written = {}
    for frame, text in ((1003, "Fin flickers"), (1005, "Arm pops"), (1007, "Too dark")):
        answer = sue.post("/notes", {"object_id": obj, "content": text, "frame": frame})
        assert answer.status_code == 201, answer.text
        written[text] = answer.json()["id"]
    comment = sue.post("/notes", {"object_id": obj, "content": "Nice", "comment": True}).json()
    reply = sue.post("/notes", {"in_reply_to_id": written["Fin flickers"], "content": "Really"})
    assert reply.status_code == 201, reply.text

    listed = _open_todos(server, task_id)
    assert [(n["text"], n["frame"], n["version"]) for n in listed] == [
        ("Fin flickers", 1003, 1), ("Arm pops", 1005, 1), ("Too dark", 1007, 1),
    ]  # fmt: skip
    assert {n["id"] for n in listed} == set(written.values())

    # Refused by name before anything is written: a comment, a reply, a note that is not there
    missing = str(uuid.uuid4())
    wrong = [comment["id"], reply.json()["id"], missing]
    refused, _ = publish_version("refused", addresses=[written["Arm pops"], *wrong])
    assert not refused.ok
    error = " ".join(refused.errors)
    assert all(ident in error for ident in wrong), error
    assert written["Arm pops"] not in error, error
    assert "nothing was written" in error
    versions = setup.query(f'select id from AssetVersion where task_id is "{task_id}"').all()
    assert len(versions) == 1
    assert len(_open_todos(server, task_id)) == 3

    # A plain v002, then v003 addressing two: the same requests
    plain, plain_count = publish_version("v002")
    assert plain.ok, str(plain)
    addressed = [written["Fin flickers"], written["Too dark"]]
    v003, count = publish_version("v003", addresses=addressed)
    assert v003.ok, str(v003)
    assert count == plain_count, (count, plain_count)

    with genuine_sessions(server, tmp_path / "genuine") as make:
        reader = make()
        me = reader.query(f'select id from User where username is "{server.api_user}"').one()
        for text, ident in written.items():
            note = reader.query(
                "select is_todo, completed_at, completed_by, replies.content, replies.is_todo "
                f'from Note where id is "{ident}"'
            ).one()
            assert note["is_todo"] is True
            replies = sorted((r["content"], r["is_todo"]) for r in note["replies"])
            if ident in addressed:
                assert note["completed_at"] is not None, text
                assert note["completed_by"]["id"] == me["id"], text
                assert (f"Addressed in {v003.asset_name} v003.", False) in replies, replies
            else:
                assert note["completed_at"] is None and note["completed_by"] is None, text
    assert [n["text"] for n in _open_todos(server, task_id)] == ["Arm pops"]

    # The CLI: ft-dcc publish --addresses the last one
    done = ft_dcc(
        server.env, "publish", str(sequence), "--task", task_id, "--fps", "25",
        "--review-session", name, "--addresses", written["Arm pops"], "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert _open_todos(server, task_id) == []


def test_an_artist_who_is_not_an_administrator_completes_and_only_as_the_table_says(
    embedded_server: Any, tmp_path: Path, queue_dir: Path, page: Any, artifacts_dir: Path
) -> None:
    """Rights (``ft_dcc.server.rules.note_todos``): the task's publishing artist completes a
    to-do (as themselves only); another User may neither complete nor reopen it; the note's
    author reopens it. Each refusal leaves the note as it was."""
    server = embedded_server
    _setup, task_id, sequence = _task_and_frames(server, tmp_path)
    tag = uuid.uuid4().hex[:6]
    people = {who: add_api_user(server, f"{who}{tag}") for who in ("artist", "sue", "mallory")}

    def as_(who: str) -> Dict[str, str]:
        return {"user": f"{who}{tag}", "key": people[who][1]}

    def publish_as_artist(**more: Any) -> Any:
        user, key = f"artist{tag}", people["artist"][1]
        cache = str(tmp_path / f"s{len(more)}")
        session = Session(
            server_url=server.url, api_user=user, api_key=key,
            schema_cache_path=cache, plugin_paths=[],
        )  # fmt: skip
        with session:
            report = publish(
                FilesHost(sequence, fps=25), task=task_id, session=session,
                review_session_name=f"Dailies rights {tag}", queue_dir=queue_dir, **more,
            )  # fmt: skip
        assert report.ok, str(report)
        return report

    v001 = publish_as_artist()
    note_id = new_id()
    ok(server, [create("Note", id=note_id, content="Soften the rim", is_todo=True,
                       parent_id=v001.review_session_object_id,
                       parent_type="ReviewSessionObject", user_id=people["sue"][0])],
       **as_("sue"))  # fmt: skip

    def note() -> Dict[str, Any]:
        rows = query(
            server, f'select completed_at, completed_by_id from Note where id is "{note_id}"'
        )
        return dict(rows[0])

    untouched = note()
    assert untouched["completed_at"] is None
    now = {"__type__": "datetime", "value": "2026-11-26T12:00:00"}
    # Mallory did not publish on the task and manages nothing: refused
    complete = update("Note", note_id, completed_at=now, completed_by_id=people["mallory"][0])
    api_refused(call(server, [complete], **as_("mallory")))
    # The artist may complete it, but not in Sue's name
    in_her_name = update("Note", note_id, completed_at=now, completed_by_id=people["sue"][0])
    api_refused(call(server, [in_her_name], **as_("artist")))
    assert note() == untouched

    v002 = publish_as_artist(addresses=[note_id])
    done = note()
    assert done["completed_at"] is not None and done["completed_by_id"] == people["artist"][0]

    # Mallory may not reopen it; Sue, its author, may
    reopen = update("Note", note_id, completed_at=None, completed_by_id=None)
    api_refused(call(server, [reopen], **as_("mallory")))
    assert note() == done
    ok(server, [reopen], **as_("sue"))
    assert note()["completed_at"] is None

    # The next review shows it: v002 "addresses 1 of 1 notes on v001", to the studio only
    with open_session(server, tmp_path / "reader") as reader:
        review = reader.get("ReviewSession", v002.review_session_id)
        studio = personal_url(reader, review)
        invitee = reader.create(
            "ReviewSessionInvitee",
            {"review_session": review, "name": "Cleo", "email": f"cleo{tag}@client.example"},
        )
        reader.commit()
        client = link(reader, invitee)
    # the artist completes it again (the rule lets the task's publishing artist)
    again = update("Note", note_id, completed_at=now, completed_by_id=people["artist"][0])
    ok(server, [again], **as_("artist"))
    seen = Page(studio).feedback()["objects"][v002.review_session_object_id]["addresses"]
    assert (seen["version"], seen["addressed"], seen["total"]) == ("v001", 1, 1), seen
    assert [(n["id"], n["addressed"]) for n in seen["notes"]] == [(note_id, True)]
    assert "addresses" not in client.feedback()["objects"][v002.review_session_object_id]
    assert page.goto(studio).status == 200
    item = page.locator(f"#item-{v002.review_session_object_id}")
    summary = item.locator(".addresses-summary")
    summary.wait_for()
    assert summary.inner_text() == "addresses 1 of 1 note on v001"
    item.locator(".addresses").screenshot(path=str(artifacts_dir / "addresses_summary.png"))

    # "Reopen": a client may not (refused, nothing changed); the studio reader's page may
    refused = client.post("/reopen", {"note_id": note_id})
    assert refused.status_code == 403, refused.text
    assert note()["completed_at"] is not None
    page.locator(f'.version-tab[data-object-id="{v001.review_session_object_id}"]').click()
    old = page.locator(f"#item-{v001.review_session_object_id}")
    old.locator(f'.note[data-note-id="{note_id}"] .reopen-button').click()
    page.wait_for_function("(i) => i.dataset.notesReopened === '1'", arg=old.element_handle())
    assert note()["completed_at"] is None and note()["completed_by_id"] is None
    page.locator(f'.version-tab[data-object-id="{v002.review_session_object_id}"]').click()
    summary.wait_for()
    page.wait_for_function(
        "(s) => s.textContent === 'addresses 0 of 1 note on v001'", arg=summary.element_handle()
    )


def test_a_queued_publish_keeps_what_it_addresses_and_completes_it_when_flushed(
    fresh_server: Any, tmp_path: Path, queue_dir: Path
) -> None:
    """Offline: the journal entry keeps ``--addresses``; the flush's commit completes them."""
    server = fresh_server
    _setup, task_id, sequence = _task_and_frames(server, tmp_path)
    name = f"Dailies offline {uuid.uuid4().hex[:6]}"
    with open_session(server, tmp_path / "v001") as session:
        v001 = publish(FilesHost(sequence, fps=25), task=task_id, review_session_name=name,
                       session=session, queue_dir=queue_dir)  # fmt: skip
    assert v001.ok and not v001.queued, str(v001)
    note_id = new_id()
    ok(server, [create("Note", id=note_id, content="Grain", is_todo=True,
                       parent_id=v001.review_session_object_id,
                       parent_type="ReviewSessionObject")])  # fmt: skip
    server.stop()
    queued = publish(
        FilesHost(sequence, fps=25), task=task_id, review_session_name=name, queue_dir=queue_dir,
        addresses=[note_id],
        session_factory=lambda: Session(server_url=server.url, api_key=server.api_key,
                                        api_user=server.api_user, retry=RetryPolicy(retries=0)),
    )  # fmt: skip
    assert queued.ok and queued.queued, str(queued)
    (entry,) = OfflineQueue(queue_dir).entries()
    assert entry.manifest.addresses == [note_id]
    server.start()
    env = dict(server.env, FT_DCC_QUEUE_DIR=str(queue_dir))
    flushed = ft_dcc(env, "queue", "flush")
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    rows = query(server, f'select completed_at, replies.content from Note where id is "{note_id}"')
    assert rows[0]["completed_at"] is not None
    assert [r["content"] for r in rows[0]["replies"]] == [f"Addressed in {queued.asset_name} v002."]
