"""A reviewer's drawing over the Nuke Viewer, on the honest Nuke fake with the
real embedded server: "Show drawing" in the feedback panel puts the note's PNG (Read, frame range,
black before/after) over the Viewer's input with a Merge2 ``over``; what the Viewer shows, decoded
from the fake's image model, has the red cross on the drawing's frames only; "Hide drawing" gives
the Viewer its input back and deletes the nodes. The fake refuses what Nuke refuses."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Tuple

import attr
import nuke
import nukescripts
import pytest
from ft_dcc_hosts.nuke import feedback, overlay
from support import make_task, open_session
from support.drawings import FIRST, LAST, cross_png, seed_drawing

from ft_dcc.exceptions import FeedbackError
from ft_dcc.host.overlay import NoteOverlay, note_overlays
from ft_dcc.publish.context.tasks import resolve_task

GREY = (0.5, 0.5, 0.5)


@pytest.fixture(autouse=True)
def _panels(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    nukescripts.reset()
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    yield
    nukescripts.reset()


def comp_in_viewer() -> Tuple[Any, Any]:
    """A grey 320 x 180 comp (Constant) shown in a Viewer, as an artist has it."""
    nuke.root()["format"].setValue(nuke.addFormat("320 180 review_320"))
    constant = nuke.nodes.Constant(color=[0.5, 0.5, 0.5, 1.0])
    viewer = nuke.nodes.Viewer(inputs=[constant])
    return constant, viewer


def centre_and_corner(frame: int) -> Tuple[Tuple[float, ...], Tuple[float, ...]]:
    """What the Viewer shows at ``frame``: the centre pixel (on the cross) and a corner (off)."""
    width, height, pixels = nuke._fake.viewed(frame)
    return pixels[(height // 2) * width + width // 2][:3], pixels[0][:3]


def open_panel(server_env: Any, fresh_server: Any, tmp_path: Path) -> Any:
    server_env(fresh_server)
    session = open_session(fresh_server, tmp_path)
    path = make_task(session, fstart=1001, fend=1012)
    task = resolve_task(session, None, path)
    seed_drawing(session, session.get("Project", task["project_id"]), task)
    nuke._fake.reset(gui=True)
    assert feedback.show_feedback(path) is not None
    (panel,) = nukescripts.shown
    return panel


def choose(panel: Any, text: str) -> None:
    knob = panel.knobs()["note"]
    knob.setValue(next(v for v in knob.values() if text in v))


def test_show_lays_the_drawing_over_the_viewer_on_its_frames_and_hide_restores_it(
    fresh_server: Any, server_env: Any, tmp_path: Path
) -> None:
    panel = open_panel(server_env, fresh_server, tmp_path)
    constant, viewer = comp_in_viewer()
    before = [n.name() for n in nuke.allNodes()]
    choose(panel, "hold the pose")
    nukescripts.press(panel, "show_drawing")

    assert nuke._fake.state.messages == []
    assert nuke.frame() == FIRST
    merge = viewer.input(0)
    assert merge.Class() == "Merge2" and merge["operation"].value() == "over"
    assert merge.input(overlay.B_INPUT) is constant
    (read,) = nuke.allNodes("Read")
    assert Path(read["file"].value()).read_bytes() == cross_png()
    red = (1.0, 40 / 255, 40 / 255)
    shown: List[int] = []
    for frame in range(FIRST - 3, LAST + 4):
        centre, corner = centre_and_corner(frame)
        assert corner == pytest.approx(GREY, abs=0.01)  # transparent parts leave the comp as it is
        if centre == pytest.approx(red, abs=0.01):
            shown.append(frame)
        else:
            assert centre == pytest.approx(GREY, abs=0.01), frame
    assert shown == list(range(FIRST, LAST + 1))

    nukescripts.press(panel, "show_drawing")  # again: replaced, not doubled
    assert len(nuke.allNodes("Read")) == 1 and len(nuke.allNodes("Merge2")) == 1
    assert viewer.input(0).input(overlay.B_INPUT) is constant

    nukescripts.press(panel, "hide_drawing")
    assert viewer.input(0) is constant
    assert [n.name() for n in nuke.allNodes()] == before
    assert centre_and_corner(FIRST)[0] == pytest.approx(GREY, abs=0.01)
    nukescripts.press(panel, "hide_drawing")  # nothing shown: nothing to do, no error
    assert nuke._fake.state.messages == []


def test_hide_keeps_the_viewers_other_input_and_a_second_viewer(tmp_path: Path) -> None:
    nuke._fake.reset(gui=True)
    constant, viewer = comp_in_viewer()
    other = nuke.nodes.Constant(color=[0.1, 0.2, 0.3, 1.0])
    viewer.setInput(1, other)
    nuke.activeViewer().activateInput(1)
    drawing = tmp_path / "d.png"
    drawing.write_bytes(cross_png())
    names = overlay.show_overlays([NoteOverlay(note_id="n-1", path=drawing, first=5, last=6)])
    assert all(name.startswith("ftDccNote_n_1_") for name in names) and len(names) == 4
    assert viewer.input(0) is constant and viewer.input(1).Class() == "Merge2"
    assert overlay.hide_overlay("n-1") == sorted(names)
    assert viewer.input(0) is constant and viewer.input(1) is other


def test_bad_drawings_and_no_viewer_are_explained(
    fresh_server: Any, server_env: Any, tmp_path: Path
) -> None:
    panel = open_panel(server_env, fresh_server, tmp_path)
    choose(panel, "arm pops here")  # a note without a drawing
    nukescripts.press(panel, "show_drawing")
    assert "with a drawing" in nuke._fake.state.messages[-1]
    choose(panel, "nice arc")  # a NoteComponent whose file is not there
    nukescripts.press(panel, "show_drawing")
    assert "did not download" in nuke._fake.state.messages[-1]
    assert nuke.allNodes("Read") == []

    bogus = attr.evolve(panel.chosen(), drawing_urls=["http://127.0.0.1:9/x.gif"])
    gif = lambda _url, path: path.write_bytes(b"GIF89a")  # noqa: E731
    with pytest.raises(FeedbackError, match="not a PNG"):
        note_overlays(bogus, gif, tmp_path / "drawings")
    assert feedback.show_drawing(bogus, gif) == []
    assert "not a PNG" in nuke._fake.state.messages[-1]  # the panel says it in one line

    drawing = tmp_path / "d.png"
    drawing.write_bytes(cross_png())
    with pytest.raises(FeedbackError, match="No Viewer to draw over"):
        overlay.show_overlays([NoteOverlay(note_id="n1", path=drawing, first=5, last=6)])
    assert nuke.allNodes("Read") == []


def test_the_fake_refuses_what_nuke_refuses(tmp_path: Path) -> None:
    read = nuke.nodes.Read(file=(tmp_path / "d.png").as_posix())
    with pytest.raises(NameError, match="knob frame_range does not exist"):
        read["frame_range"]
    with pytest.raises(ValueError, match="Bad value for before"):
        read["before"].setValue("transparent")
    read["first"].setValue(5)
    read["file"].setValue((tmp_path / "e.png").as_posix())
    assert read["first"].value() == 1  # a new file resets the range: set it after the file
    with pytest.raises(NameError):
        nuke.nodes.Merge2(opacity=0.5)
    with pytest.raises(RuntimeError, match="Unknown command"):
        nuke.nodes.Overlay()
    viewer = nuke.nodes.Viewer()
    assert nuke.activeViewer() is None  # nuke -t has no Viewer panel
    nuke._fake.reset(gui=True)
    viewer = nuke.nodes.Viewer()
    with pytest.raises(ValueError, match="not connected"):
        nuke.activeViewer().activateInput(2)
    assert nuke.activeViewer().node() is viewer
