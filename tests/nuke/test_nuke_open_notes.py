"""The Write node's ftrack review tab lists the task's open notes before "Publish for review"
(the honest Nuke fake, the real embedded server): its "Open notes..." button reads them in ONE
request and shows one checkbox per to-do (comments and completed ones left out); the ticked ids
are kept on the node and go into its publish as ``--addresses`` does. Offline, the queued
publish keeps the choice: flushed later, it completes those notes (and only those). What the
artist types in the knob that is not an open to-do of the task is refused by name, nothing
published."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Dict, List

import nuke
import nukescripts
import pytest
from ft_dcc_hosts.nuke import callbacks, open_notes
from support import make_task, open_session
from support.cli import ft_dcc
from support.control_picture import draw_controls
from support.trust import create, new_id, ok, query
from test_nuke_callbacks import finish


@pytest.fixture(autouse=True)
def _panels():
    nukescripts.reset()
    yield
    nukescripts.reset()


def _notes_on(server: Any, object_id: str) -> Dict[str, str]:
    """Three to-dos and a comment on a review object; {text: id}."""
    made: Dict[str, str] = {}
    for text, todo in (("Edge flicker", True), ("Grain too heavy", True),
                       ("Lift the blacks", True), ("Nice comp", False)):  # fmt: skip
        made[text] = new_id()
        ok(server, [create("Note", id=made[text], content=text, is_todo=todo,
                           parent_id=object_id, parent_type="ReviewSessionObject")])  # fmt: skip
    return made


def _publish_from_menu(write: Any) -> Any:
    write.setSelected(True)
    job = callbacks.publish_selected()
    assert job is not None
    finish(job)
    return job.report


def test_the_write_tab_ticks_open_notes_and_a_queued_publish_keeps_them(
    tmp_path: Path, comp: Any, fresh_server: Any, server_env: Any, artifacts_dir: Path
) -> None:
    server = fresh_server
    server_env(server)
    session = open_session(server, tmp_path / "setup")
    task = make_task(session, f"nk{uuid.uuid4().hex[:8]}", 1001, 1012)
    nuke._fake.reset(gui=True)
    callbacks.install()
    callbacks.install_menu()
    nuke.scriptOpen((tmp_path / "shot.nk").as_posix())
    write = nuke.toNode("Write1")
    write[callbacks.TASK_KNOB].setValue(task)
    write[callbacks.REVIEW_SESSION_KNOB].setValue("Comp notes")
    nuke.scriptSave()
    assert write.knob(open_notes.ADDRESSES_KNOB).value() == ""

    v001 = _publish_from_menu(write)
    assert v001.ok and not v001.queued, v001.format()
    made = _notes_on(server, v001.review_session_object_id)

    # "Open notes...": one request; a checkbox per open to-do; the artist ticks two, OK
    ticks = ("Edge flicker", "Lift the blacks")
    seen: List[Any] = []

    def artist(panel: Any) -> bool:
        seen.append({k.label(): k.value() for k in panel.boxes})
        for box in panel.boxes:
            box.setValue(box.tooltip() in ticks)
        shown = []
        for knob in panel.knobs().values():
            ticks_box = isinstance(knob, nuke.Boolean_Knob)
            said = knob.label() if ticks_box else f"{knob.label()} {knob.value()}".strip()
            shown.append(("check" if ticks_box else "text", said, ticks_box and knob.value()))
        buttons = [("button", "OK", False), ("button", "Cancel", False)]
        draw_controls(artifacts_dir / "nuke-open-notes-panel.png", panel.title(), shown + buttons)
        return True

    nukescripts.modal_answers.append(artist)
    mark = server.log_mark()
    write[open_notes.BUTTON_KNOB].execute()
    assert [r.get("actions") for r in server.api_requests_since(mark)] == [
        ["query_server_information", "query", "query", "query"]
    ]  # the session's start rides with the read
    (panel,) = nukescripts.shown
    assert panel.title() == open_notes.TITLE
    assert sorted(b.tooltip() for b in panel.boxes) == ["Edge flicker", "Grain too heavy",
                                                        "Lift the blacks"]  # fmt: skip
    assert all(label.startswith("v001 ") for label in seen[0]) and not any(seen[0].values())
    chosen = [made[b.tooltip()] for b in panel.boxes if b.tooltip() in ticks]  # list order
    assert write.knob(open_notes.ADDRESSES_KNOB).value() == ",".join(chosen)

    # Cancel keeps the choice as it was
    nukescripts.modal_answers.append(False)
    write[open_notes.BUTTON_KNOB].execute()
    assert write.knob(open_notes.ADDRESSES_KNOB).value() == ",".join(chosen)
    nuke.scriptSave()  # the choice is kept in the script like any knob

    # Offline: the publish is queued with the notes it addresses; the knob is emptied
    server.stop()
    queued = _publish_from_menu(write)
    assert queued.ok and queued.queued, queued.format()
    assert write.knob(open_notes.ADDRESSES_KNOB).value() == ""
    server.start()
    flushed = ft_dcc(dict(server.env, FT_DCC_QUEUE_DIR=str(tmp_path / "queue")), "queue", "flush")
    assert flushed.returncode == 0, flushed.stdout + flushed.stderr
    for text, ident in made.items():
        row = query(server, "select completed_at, replies.content from Note "
                            f'where id is "{ident}"')[0]  # fmt: skip
        if text in ticks:
            assert row["completed_at"] is not None, text
            replies = [r["content"] for r in row["replies"]]
            assert replies == [f"Addressed in {v001.asset_name} v002."], replies
        else:
            assert row["completed_at"] is None and row["replies"] == [], text


def test_no_open_notes_or_no_task_is_said(comp: Any, embedded_server: Any, server_env: Any,
                                          tmp_path: Path) -> None:  # fmt: skip
    server_env(embedded_server)
    session = open_session(embedded_server, tmp_path / "setup")
    task = make_task(session, f"nk{uuid.uuid4().hex[:8]}", 1001, 1012)
    nuke._fake.reset(gui=True)
    callbacks.install()
    nuke.scriptOpen((tmp_path / "shot.nk").as_posix())
    write = nuke.toNode("Write1")
    write[callbacks.TASK_KNOB].setValue(task)
    assert open_notes.choose_for(write) is None
    assert nuke._fake.state.messages[-1] == f"No open notes on {task}"
    write[callbacks.TASK_KNOB].setValue("Nope/sq/sh/comp")
    assert open_notes.choose_for(write) is None
    assert "no ftrack project called 'Nope'" in nuke._fake.state.messages[-1]
    assert nukescripts.shown == []

    # the knob is the artist's to type in: what is not an open to-do of the task is refused by
    # name, nothing published, the knob kept as typed
    write[callbacks.TASK_KNOB].setValue(task)
    write[open_notes.ADDRESSES_KNOB].setValue("not-a-note, =1+1")
    nuke.scriptSave()
    job = callbacks.publish_writes([write], background=False)
    assert not job.report.ok, job.report.format()
    said = " ".join(job.report.errors)
    assert "not-a-note" in said and "=1+1" in said and "nothing was written" in said, said
    assert write[open_notes.ADDRESSES_KNOB].value() == "not-a-note, =1+1"
    found = session.query(f'select id from AssetVersion where task.name is "comp" and '
                          f'task.project.name is "{task.split("/")[0]}"').all()  # fmt: skip
    assert found == []
