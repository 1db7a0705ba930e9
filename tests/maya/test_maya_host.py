"""MayaHost against the honest fake: scene questions, fps units, capture and its restore."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from ft_dcc_hosts.maya import capture as capture_module
from ft_dcc_hosts.maya.host import MayaHost
from ft_dcc_hosts.maya.scene import fps_of_unit
from maya import cmds
from maya._png import png_size

from ft_dcc.exceptions import CaptureError, PublishError


@pytest.mark.parametrize(
    ("unit", "fps"),
    [
        ("film", Fraction(24)),
        ("pal", Fraction(25)),
        ("ntsc", Fraction(30)),
        ("game", Fraction(15)),
        ("ntscf", Fraction(60)),
        ("23.976fps", Fraction(24000, 1001)),
        ("29.97fps", Fraction(30000, 1001)),
        ("29.97df", Fraction(30000, 1001)),
        ("47.952fps", Fraction(48000, 1001)),
        ("59.94fps", Fraction(60000, 1001)),
    ],
)
def test_fps_is_an_exact_rational_from_the_time_unit(maya_state, unit, fps):
    cmds.currentUnit(time=unit)  # the fake refuses units Maya does not have
    assert MayaHost().fps() == fps


def test_fps_of_other_units():
    assert fps_of_unit("12fps") == 12
    assert fps_of_unit("120fps") == 120
    with pytest.raises(PublishError, match="'sec', which is not a frame rate"):
        fps_of_unit("sec")


def test_scene_questions(saved_scene, maya_state):
    host = MayaHost()
    assert host.scene_path() == saved_scene
    assert not host.has_unsaved_changes()
    maya_state.modified = True
    assert host.has_unsaved_changes()
    assert host.frame_range() == (1001, 1012)
    assert host.resolution() == (320, 240)
    assert host.cameras() == ["shotCam", "front", "persp", "side", "top"]
    assert host.current_camera() == "persp"  # what modelPanel4 looks through
    assert host.save_scene() == saved_scene
    assert not host.has_unsaved_changes()


def test_untitled_scene(maya_state):
    host = MayaHost()
    assert host.scene_path() is None and host.has_unsaved_changes()
    with pytest.raises(PublishError, match="never been saved"):
        host.save_scene()


def test_current_camera_follows_the_focused_model_panel(saved_scene, maya_state):
    maya_state.focus_panel = "modelPanel1"
    assert MayaHost().current_camera() == "top"
    maya_state.focus_panel = "outlinerPanel1"  # not a 3D view: the first visible model panel
    assert MayaHost().current_camera() == "top"
    maya_state.reset(batch=True)
    maya_state.add_camera("shotCam", renderable=True)
    assert MayaHost().current_camera() == "shotCam"  # batch: the render camera


def test_capture_writes_real_frames_through_the_chosen_camera(saved_scene, maya_state, tmp_path):
    host = MayaHost()
    spec = host.default_spec(camera="shotCam")
    assert spec.display["method"] == "playblast"
    maya_state.current_time = 1005.0
    result = host.capture(spec, tmp_path / "out")
    assert result.first_frame == 1001
    assert [f.name for f in result.files] == [f"playblast.{n}.png" for n in range(1001, 1013)]
    assert all(png_size(f) == (320, 240) for f in result.files)
    blast = maya_state.playblasts[-1]
    assert blast["camera"] == "shotCam" and blast["panel"] == "modelPanel4"
    (flags,) = maya_state.calls_of("playblast")
    assert flags["format"] == "image" and flags["compression"] == "png"
    assert flags["offScreen"] and not flags["viewer"] and not flags["showOrnaments"]
    assert maya_state.panels["modelPanel4"]["camera"] == "persp"  # restored
    assert maya_state.current_time == 1005.0
    assert not maya_state.viewer_launched


def test_capture_restores_the_view_when_playblast_raises(saved_scene, maya_state, tmp_path):
    maya_state.current_time = 1003.0
    maya_state.fail_next("playblast", RuntimeError("playblast: out of video memory"))
    with pytest.raises(CaptureError, match="out of video memory"):
        MayaHost().capture(MayaHost().default_spec(camera="shotCam"), tmp_path / "out")
    assert maya_state.playblasts[-1]["camera"] == "shotCam"  # it did look through shotCam
    assert maya_state.panels["modelPanel4"]["camera"] == "persp"
    assert maya_state.current_time == 1003.0


def test_capture_of_an_unknown_camera_touches_nothing(saved_scene, maya_state, tmp_path):
    with pytest.raises(CaptureError, match="no camera called 'ghostCam'"):
        MayaHost().capture(MayaHost().default_spec(camera="ghostCam"), tmp_path / "out")
    assert maya_state.calls_of("playblast") == []
    assert maya_state.panels["modelPanel4"]["camera"] == "persp"


def test_odd_sizes_are_passed_through_exactly(saved_scene, maya_state, tmp_path):
    spec = MayaHost().default_spec(width=321, height=241, frame_start=1001, frame_end=1002)
    result = MayaHost().capture(spec, tmp_path / "out")
    assert png_size(result.files[0]) == (321, 241)  # the encoder pads odd sizes, not Maya


def test_capture_in_batch_calls_no_ui_command(saved_scene, maya_state, tmp_path):
    maya_state.reset(batch=True)
    maya_state.add_camera("shotCam", renderable=True)
    maya_state.playback.update(minTime=1.0, maxTime=3.0)
    host = MayaHost(interactive=True)
    spec = host.default_spec()
    result = host.capture(spec, tmp_path / "out")
    assert len(result.files) == 3
    assert "editorPanelName" not in maya_state.calls_of("playblast")[0]
    assert not {"getPanel", "modelEditor", "confirmDialog"} & set(maya_state.commands_called())
    assert host.ask("save?", default=True) is True  # no dialog in batch


def test_ask_uses_a_confirm_dialog(saved_scene, maya_state):
    maya_state.answers["confirmDialog"] = ["Yes"]
    assert MayaHost(interactive=True).ask("Save it now and publish?") is True
    assert maya_state.dialogs[-1]["message"] == "Save it now and publish?"
    assert MayaHost(interactive=False).ask("again?") is False


def test_playblast_flags_are_valid_maya_flags(tmp_path):
    """Every flag the adapter passes is checked by the fake's Maya 2025 schema."""
    from maya import _schema

    spec = MayaHost().default_spec()
    mode, values = _schema.normalise(
        "playblast", capture_module.playblast_flags(spec, Path(tmp_path / "pb"), "modelPanel4")
    )
    assert mode == "create" and values["widthHeight"] == (960, 540)


def test_frames_numbered_from_zero_are_still_found_in_order(saved_scene, maya_state, tmp_path):
    maya_state.playblast_numbering = "from_zero"  # the docs' other reading (unverified)
    result = MayaHost().capture(MayaHost().default_spec(), tmp_path / "out")
    assert [f.name for f in result.files][:2] == ["playblast.0000.png", "playblast.0001.png"]
    assert len(result.files) == 12 and result.first_frame == 1001


def test_isolate_select_is_recorded_and_left_as_the_artist_set_it(
    saved_scene, maya_state, tmp_path
):
    maya_state.panels["modelPanel4"]["viewSelected"] = True
    messages = []
    host = MayaHost()
    spec = host.default_spec(camera="shotCam")
    assert spec.display["isolated"] is True and spec.display["panel"] == "modelPanel4"
    host.capture(
        spec, tmp_path / "out", lambda stage, fraction, message="": messages.append(message)
    )
    assert any("Isolate Select is on" in m for m in messages)
    assert maya_state.panels["modelPanel4"]["viewSelected"] is True
    assert maya_state.calls_of("modelEditor")[-1]["camera"] == "persp"  # the restore


def test_full_hd_capture_is_not_clamped_to_the_viewport(saved_scene, maya_state, tmp_path):
    maya_state.attributes.update(
        {"defaultResolution.width": 1920, "defaultResolution.height": 1080}
    )
    spec = MayaHost().default_spec(frame_start=1001, frame_end=1002)
    result = MayaHost().capture(spec, tmp_path / "out")
    assert [png_size(f) for f in result.files] == [(1920, 1080)] * 2  # offScreen=True
