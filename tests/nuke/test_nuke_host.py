"""NukeHost over the fake ``nuke``: script facts, exact fps, and a capture that renders through a
temporary Write node and leaves the script exactly as it was, even when the render fails."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import nuke
import pytest
from ft_dcc_hosts.nuke import capture as capture_module
from ft_dcc_hosts.nuke.host import NukeHost, on_main

from ft_dcc.exceptions import CaptureError, PublishError
from ft_dcc.host.job import MainThreadHost
from ft_dcc.publish.host_port import CaptureSpec


def graph() -> list:
    """The script's nodes and their inputs, to compare before and after a capture."""
    return [
        (
            n.name(),
            n.Class(),
            [n.input(i).name() if n.input(i) else None for i in range(n.inputs())],
        )
        for n in nuke.allNodes()
    ]


def spec(start: int = 1001, end: int = 1004) -> CaptureSpec:
    return CaptureSpec(camera=None, frame_start=start, frame_end=end, fps=25, width=320, height=180)


@pytest.mark.parametrize(
    ("fps", "expected"),
    [
        (23.976, Fraction(24000, 1001)),
        (23.976023976, Fraction(24000, 1001)),
        (29.97, Fraction(30000, 1001)),
        (25, Fraction(25)),
        (24, Fraction(24)),
    ],
)
def test_fps_is_an_exact_rational(fps, expected):
    nuke.root()["fps"].setValue(fps)
    assert NukeHost().fps() == expected


def test_script_facts(comp, tmp_path):
    host = NukeHost(write_node="Write1")
    assert host.scene_path() == tmp_path / "shot.nk"
    assert host.has_unsaved_changes() is False
    assert host.frame_range() == (1001, 1012)
    assert host.resolution() == (320, 180)
    assert host.cameras() == [] and host.current_camera() is None
    comp["use_limit"].setValue(True)
    comp["first"].setValue(1003)
    comp["last"].setValue(1005)
    assert host.frame_range() == (1003, 1005)  # the Write's limit wins
    assert host.has_unsaved_changes() is True
    assert host.save_scene() == tmp_path / "shot.nk"
    assert host.has_unsaved_changes() is False
    assert nuke._fake.state.called("scriptSave")


def test_an_untitled_script_cannot_be_saved_in_place():
    host = NukeHost()
    assert host.scene_path() is None
    with pytest.raises(PublishError, match="never been saved"):
        host.save_scene()
    assert nuke._fake.state.called("scriptSave") == []


def test_an_unknown_write_node_is_a_clear_error():
    with pytest.raises(CaptureError, match="no node called 'Write9'"):
        NukeHost(write_node="Write9").write_node  # noqa: B018


def test_capture_renders_the_write_input_and_restores_the_script(comp, tmp_path):
    before = graph()
    updates = []
    out = tmp_path / "capture"

    result = NukeHost(write_node=comp).capture(
        spec(), out, lambda stage, fraction, message="": updates.append((stage, fraction))
    )

    assert [f.name for f in result.files] == [f"review.{n}.png" for n in range(1001, 1005)]
    assert all(f.is_file() for f in result.files) and result.first_frame == 1001
    assert not (tmp_path / "render").exists()  # the artist's Write did not render
    assert graph() == before  # temporary node gone, connections untouched
    assert nuke.root().modified() is False  # still "saved"
    assert nuke._fake.state.callbacks["afterFrameRender"]["Write"] == []
    fractions = [f for stage, f in updates if stage == "capture"]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) >= 5
    (call,) = nuke._fake.state.called("execute")
    assert call.args[1:] == (1001, 1004, 1)


def test_capture_keeps_a_modified_script_modified(comp, tmp_path):
    nuke.root().setModified(True)
    NukeHost(write_node=comp).capture(spec(1001, 1001), tmp_path / "c")
    assert nuke.root().modified() is True


def test_capture_restores_everything_when_the_render_fails(comp, tmp_path):
    def studio_check():  # a studio's beforeRender hook refusing every render
        raise RuntimeError("farm licence missing")

    nuke.addBeforeRender(studio_check, nodeClass="Write")
    before = graph()

    with pytest.raises(CaptureError, match="farm licence missing"):
        NukeHost(write_node=comp).capture(spec(), tmp_path / "c")

    assert graph() == before
    assert nuke.toNode(capture_module.TEMP_NODE_NAME) is None
    assert nuke.root().modified() is False
    assert nuke._fake.state.callbacks["afterFrameRender"]["Write"] == []


def test_capture_reuses_frames_the_write_already_rendered(comp, tmp_path):
    nuke.execute(comp, 1001, 1004)
    calls = len(nuke._fake.state.calls)
    result = NukeHost(write_node=comp).capture(spec(), tmp_path / "c")
    assert [f.name for f in result.files] == [f"shot.{n}.png" for n in range(1001, 1005)]
    assert "execute" not in [c.name for c in nuke._fake.state.calls[calls:]]


def test_capture_renders_again_when_a_frame_is_missing(comp, tmp_path):
    nuke.execute(comp, 1001, 1003)  # 1004 was never rendered
    result = NukeHost(write_node=comp).capture(spec(), tmp_path / "c")
    assert result.files[0].name == "review.1001.png"


def test_just_rendered_never_starts_a_second_render(comp, tmp_path):
    comp["file"].setValue((tmp_path / "render" / "single.png").as_posix())  # no padding
    nuke.execute(comp, 1001, 1004)
    with pytest.raises(CaptureError, match="did not leave frames"):
        NukeHost(write_node=comp, just_rendered=True).capture(spec(), tmp_path / "c")
    assert len(nuke._fake.state.called("execute")) == 1


def test_a_write_without_input_is_a_clear_error(comp, tmp_path):
    comp.setInput(0, None)
    with pytest.raises(CaptureError, match="nothing connected"):
        NukeHost(write_node=comp).capture(spec(), tmp_path / "c")


def test_without_a_write_node_the_viewer_input_is_rendered(tmp_path):
    nuke.root()["format"].setValue(nuke.addFormat("64 36 small"))
    constant = nuke.nodes.Constant(color=[0, 0, 1, 1])
    nuke.nodes.Viewer(inputs=[constant])
    result = NukeHost().capture(spec(1, 2), tmp_path / "c")
    assert len(result.files) == 2 and all(Path(f).is_file() for f in result.files)
    with pytest.raises(CaptureError, match="no Viewer shows an image"):
        nuke._fake.reset()
        NukeHost().capture(spec(1, 2), tmp_path / "d")


def test_resolution_is_what_the_write_renders(comp):
    assert NukeHost(write_node=comp).resolution() == (320, 180)  # Constant follows the root
    reformat = nuke.nodes.Reformat(format=nuke.addFormat("640 360 half_hd"), inputs=[comp.input(0)])
    comp.setInput(0, reformat)
    assert NukeHost(write_node=comp).resolution() == (640, 360)
    assert NukeHost().resolution() == (320, 180)  # no Write: the root format


def test_capture_never_touches_an_artist_node_with_the_temporary_name(comp, tmp_path):
    mine = nuke.nodes.NoOp()
    mine.setName(capture_module.TEMP_NODE_NAME)
    NukeHost(write_node=comp).capture(spec(1001, 1001), tmp_path / "c")
    assert nuke.toNode(capture_module.TEMP_NODE_NAME) is not None
    assert nuke.toNode(capture_module.TEMP_NODE_NAME).Class() == "NoOp"
    assert [n.Class() for n in nuke.allNodes()] == ["Constant", "Write", "NoOp"]


def test_every_host_call_from_a_worker_runs_on_the_main_thread(comp, tmp_path):
    import threading

    host = MainThreadHost(NukeHost(write_node="Write1"), on_main)  # what a worker's job uses
    found = {}

    def worker():
        found["spec"] = host.default_spec()
        found["result"] = host.capture(spec(1001, 1002), tmp_path / "c")

    thread = threading.Thread(target=worker)
    thread.start()
    nuke._fake.state.run_main_thread(until=lambda: not thread.is_alive(), timeout=60)
    assert found["spec"].frame_start == 1001 and found["spec"].fps == Fraction(25)
    assert len(found["result"].files) == 2


def test_cancelling_nuke_render_bar_stops_the_capture_cleanly(comp, tmp_path):
    nuke._fake.reset(gui=True)
    nuke.scriptOpen((tmp_path / "shot.nk").as_posix())
    before = graph()
    nuke._fake.state.cancel_render_after = 2
    with pytest.raises(CaptureError, match="render was cancelled"):
        NukeHost(write_node="Write1").capture(spec(), tmp_path / "c")
    assert graph() == before
    assert nuke.root().modified() is False


def test_capture_reuses_frames_of_a_write_whose_path_is_tcl(comp, tmp_path):
    comp["file"].setValue(
        "[file dirname [value root.name]]/renders/[file rootname [file tail [value root.name]]]"
        ".####.png"
    )
    comp["create_directories"].setValue(True)
    nuke.execute(comp, 1001, 1002)
    assert sorted(p.name for p in (tmp_path / "renders").iterdir()) == [
        "shot.1001.png",
        "shot.1002.png",
    ]
    calls = len(nuke._fake.state.calls)
    result = NukeHost(write_node=comp).capture(spec(1001, 1002), tmp_path / "c")
    assert [f.parent for f in result.files] == [tmp_path / "renders"] * 2
    assert "execute" not in [c.name for c in nuke._fake.state.calls[calls:]]
