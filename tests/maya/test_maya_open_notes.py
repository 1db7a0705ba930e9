"""The menu's publish asks which open notes the version addresses (the honest Maya fake, its
``layoutDialog`` and ``checkBox`` checked against Maya 2025's command reference; the real
embedded server): one checkbox per open to-do of the task, read in ONE request; the ticked ones
are completed by the publish (a reply naming the new version each), the others stay open; Cancel
publishes nothing; a task without open notes asks nothing; a script's own choices name the
notes instead (no dialog)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from ft_dcc_hosts.maya import choices, menu, open_notes
from support import make_task, open_session
from support.control_picture import draw_controls
from support.trust import create, new_id, ok, query


@pytest.fixture(autouse=True)
def _forget_choices():
    choices.last_choices.clear()
    yield
    choices.last_choices.clear()


def _menu_publish(maya_state: Any, task: str, comment: str) -> Any:
    maya_state.answers["promptDialog"] = [("OK", task), ("OK", "Maya notes"), ("OK", comment)]
    menu.build_menu()
    maya_state.click("Publish for review")


def _artist_ticks(texts: List[str], seen: List[Dict[str, bool]], button: str = open_notes.PUBLISH,
                  picture: Optional[Path] = None):  # fmt: skip
    def artist(fake: Any, form: str) -> None:
        boxes = fake.controls("checkBox", form)
        seen.append({fake.ui[b]["flags"]["annotation"]: fake.ui[b]["value"] for b in boxes})
        for box in boxes:
            if fake.ui[box]["flags"]["annotation"] in texts:
                fake.tick(box)
        if picture is not None:  # the dialog as laid out, ticked: for a person to look at
            kinds = {"checkBox": "check", "text": "text", "button": "button"}
            mine = [i for i in fake.ui.values()
                    if i["type"] in kinds and i.get("parent", "").startswith(form)]  # fmt: skip
            shown = [(kinds[i["type"]], i["flags"].get("label", ""), bool(i.get("value")))
                     for i in mine]  # fmt: skip
            draw_controls(picture, "ftrack publish", shown)
        (pressed,) = [b for b in fake.controls("button", form)
                      if fake.ui[b]["flags"]["label"] == button]  # fmt: skip
        fake.press(pressed)

    return artist


@pytest.mark.slow
def test_the_publish_dialog_ticks_open_notes_the_version_addresses(
    saved_scene: Path, maya_state: Any, server_env: Any, tmp_path: Path, artifacts_dir: Path
) -> None:
    server = server_env
    session = open_session(server, tmp_path / "setup")
    task = make_task(session, fstart=1001, fend=1012, fps=24)
    _menu_publish(maya_state, task, "v001")  # no open notes: no dialog
    assert not any(d["_kind"] == "layoutDialog" for d in maya_state.dialogs)
    [v001] = query(server, "select id from ReviewSessionObject")  # this server's only one
    made: Dict[str, str] = {}
    for text, todo in (("Arm pops", True), ("Knee flips", True), ("Hold longer", True),
                       ("Nice arcs", False)):  # fmt: skip
        made[text] = new_id()
        ok(server, [create("Note", id=made[text], content=text, is_todo=todo,
                           parent_id=v001["id"], parent_type="ReviewSessionObject")])  # fmt: skip

    # Cancel in the dialog: nothing published, nothing completed
    seen: List[Dict[str, bool]] = []
    maya_state.answers["layoutDialog"] = [_artist_ticks(["Arm pops"], seen, open_notes.CANCEL)]
    playblasts = len(maya_state.calls_of("playblast"))
    _menu_publish(maya_state, task, "cancelled")
    assert len(maya_state.calls_of("playblast")) == playblasts
    assert seen == [{"Arm pops": False, "Knee flips": False, "Hold longer": False}]

    # Two ticked, Publish: one request read them; v002 completes those two
    seen.clear()
    picture = artifacts_dir / "maya-open-notes-dialog.png"
    maya_state.answers["layoutDialog"] = [
        _artist_ticks(["Arm pops", "Hold longer"], seen, picture=picture)
    ]
    mark = server.log_mark()
    _menu_publish(maya_state, task, "fixed")
    reads = [r.get("actions") for r in server.api_requests_since(mark)]
    # the notes' read: the task, its versions and review objects with their notes, one request
    assert reads[1] == ["query_server_information", "query", "query", "query"], reads
    (dialog,) = [d for d in maya_state.dialogs if d["_kind"] == "layoutDialog"][-1:]
    assert dialog["title"] == "ftrack publish"
    (shown,) = [d for d in maya_state.dialogs if d["_kind"] == "confirmDialog"][-1:]
    assert shown["message"].startswith("Published v002"), shown["message"]
    for text, ident in made.items():
        row = query(server, f'select completed_at, replies.content from Note where id is "{ident}"')
        if text in ("Arm pops", "Hold longer"):
            assert row[0]["completed_at"] is not None, text
            replies = [r["content"] for r in row[0]["replies"]]
            assert len(replies) == 1 and replies[0].endswith(" v002."), (text, replies)
        else:
            assert row[0]["completed_at"] is None, text
    assert [maya_state.ui.get(n) for n in maya_state.controls("checkBox", "")] == []  # closed
    assert picture.stat().st_size > 1000

    # a script's own choices name the notes (no dialog): v003 addresses the third
    dialogs = len(maya_state.dialogs)
    report = menu.publish_for_review({"task": task, "review_session": "Maya notes",
                                      "comment": "", "addresses": made["Knee flips"]})  # fmt: skip
    assert report is not None and report.ok, report.format()
    assert not any(d["_kind"] == "layoutDialog" for d in maya_state.dialogs[dialogs:])
    row = query(server, f'select completed_at from Note where id is "{made["Knee flips"]}"')
    assert row[0]["completed_at"] is not None
