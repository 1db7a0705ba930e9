"""A reviewer's drawing over the Maya viewport, on the honest Maya fake with the
real embedded server: "Show drawing" puts the note's PNG on an image plane of the viewed camera,
visible on the drawing's frames only; "Hide drawing" deletes it; "Compare in review page" opens
the reviewed and the newer version side by side. The fake refuses what Maya refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

import pytest
from ft_dcc_hosts.maya import feedback, overlay
from maya import cmds
from support import make_task, open_session
from support.drawings import FIRST, LAST, cross_png, seed_drawing

from ft_dcc.host.overlay import NoteOverlay
from ft_dcc.publish.context.tasks import resolve_task


def press(maya_state: Any, label: str) -> None:
    """The artist presses the window's button labelled ``label``."""
    (button,) = [
        i for i in maya_state.ui.values()
        if i["type"] == "button" and i["flags"].get("label") == label
    ]  # fmt: skip
    button["flags"]["command"](False)


def open_window(maya_state: Any, server_env: Any, tmp_path: Path) -> Any:
    session = open_session(server_env, tmp_path)
    path = make_task(session, fstart=1001, fend=1012)
    task = resolve_task(session, None, path)
    ids = seed_drawing(session, session.get("Project", task["project_id"]), task)
    feedback.show_feedback(path)
    (listing,) = [n for n, i in maya_state.ui.items() if i["type"] == "textScrollList"]
    return listing, ids


def choose(maya_state: Any, listing: str, text: str) -> None:
    items: List[str] = maya_state.ui[listing]["items"]
    maya_state.select_list_item(listing, next(i for i, t in enumerate(items, 1) if text in t))


def test_show_lays_the_drawing_over_the_camera_on_its_frames_and_hide_removes_it(
    maya_state: Any, server_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    listing, ids = open_window(maya_state, server_env, tmp_path)
    items = maya_state.ui[listing]["items"]
    assert "sh010_anim v002  (Feedback)  addressed in v003?" in items
    choose(maya_state, listing, "hold the pose")
    press(maya_state, "Show drawing")

    (name,) = maya_state.image_planes
    plane = maya_state.image_planes[name]
    assert plane["camera"] == "persp"  # modelPanel4, the focused panel, looks through persp
    assert Path(plane["fileName"]).read_bytes() == cross_png()
    assert maya_state.current_time == FIRST
    shown = [f for f in range(FIRST - 3, LAST + 4) if maya_state.visible_at(name, f)]
    assert shown == list(range(FIRST, LAST + 1))

    press(maya_state, "Show drawing")  # again: replaced, not doubled
    assert list(maya_state.image_planes) == [name]
    press(maya_state, "Hide drawing")
    assert maya_state.image_planes == {} and maya_state.keys == {}
    press(maya_state, "Hide drawing")  # nothing shown: nothing to do, no error
    assert maya_state.dialogs == []

    opened: List[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    press(maya_state, "Compare in review page")
    (url,) = opened
    assert url.endswith(f"#compare={ids['v003_object']},{ids['v002_object']}")


def test_a_note_without_a_drawing_is_explained(
    maya_state: Any, server_env: Any, tmp_path: Path
) -> None:
    listing, _ids = open_window(maya_state, server_env, tmp_path)
    choose(maya_state, listing, "arm pops here")
    press(maya_state, "Show drawing")
    (dialog,) = maya_state.dialogs
    assert "with a drawing" in dialog["message"]
    choose(maya_state, listing, "nice arc")  # a NoteComponent whose file is not there
    press(maya_state, "Show drawing")
    assert "did not download" in maya_state.dialogs[-1]["message"]
    assert maya_state.image_planes == {}


def test_the_fake_refuses_what_maya_refuses(maya_state: Any, tmp_path: Path) -> None:
    drawing = NoteOverlay(note_id="n1", path=tmp_path / "d.png", first=5, last=6)
    with pytest.raises(TypeError, match="Invalid flag 'image'"):
        cmds.imagePlane(camera="persp", image="x.png")
    with pytest.raises(RuntimeError, match="is not a camera"):
        overlay.show_overlay(drawing, camera="nope")
    with pytest.raises(RuntimeError, match="cannot be used in edit mode"):
        cmds.imagePlane("imagePlane1", edit=True, name="x")
    with pytest.raises(TypeError, match="Expected"):
        cmds.setKeyframe("x", attribute="visibility", time="5", value=1)
    with pytest.raises(ValueError, match="No object matches name"):
        cmds.delete("ftDccNote_missing")
    assert maya_state.image_planes == {}
