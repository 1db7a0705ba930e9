"""The fake fails where Maya fails: wrong flags, modes, arity, values, batch-mode UI calls."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from maya import _fake, cmds, mel
from maya._png import png_size
from maya_helpers import FAKES


def test_unknown_flag_is_a_type_error_like_maya():
    with pytest.raises(TypeError, match="Invalid flag 'maintainRatio'"):
        cmds.playblast(maintainRatio=True)
    with pytest.raises(TypeError, match="Invalid flag 'fileName'"):
        cmds.playblast(format="image", fileName="/tmp/x")
    with pytest.raises(TypeError, match="Invalid flag 'startFrame'"):
        cmds.playblast(startFrame=1)


def test_edit_on_a_command_without_edit_mode_is_invalid():
    with pytest.raises(TypeError, match="Invalid flag 'edit'"):
        cmds.playblast(edit=True)
    with pytest.raises(TypeError, match="Invalid flag 'minTim'"):
        cmds.playbackOptions(q=True, minTim=True)


def test_short_and_long_names_are_the_same_flag():
    assert cmds.file(q=True, sn=True) == cmds.file(query=True, sceneName=True) == ""
    assert cmds.playbackOptions(q=True, min=True) == 1.0
    with pytest.raises(TypeError, match="given twice"):
        cmds.file(q=True, sn=True, sceneName=True)


def test_modes_are_enforced():
    with pytest.raises(RuntimeError, match=r"sceneName.*create mode"):
        cmds.file(sceneName=True)  # query only
    with pytest.raises(RuntimeError, match=r"camera.*create mode"):
        cmds.modelEditor("modelPanel4", camera="persp")  # query/edit only
    with pytest.raises(RuntimeError, match=r"parent.*edit mode"):
        cmds.menu("MayaWindow", e=True, parent="x")  # create only
    with pytest.raises(RuntimeError, match="cannot be used together"):
        cmds.modelEditor("modelPanel4", q=True, e=True, camera=True)


def test_query_needs_boolean_values():
    with pytest.raises(RuntimeError, match="must be passed a boolean argument"):
        cmds.currentUnit(q=True, time="film")


def test_arity_and_types_are_checked():
    with pytest.raises(TypeError, match="widthHeight"):
        cmds.playblast(widthHeight=1920)
    with pytest.raises(TypeError, match="widthHeight"):
        cmds.playblast(widthHeight=(1920, 1080, 1))
    with pytest.raises(TypeError, match="framePadding"):
        cmds.playblast(framePadding="4")
    with pytest.raises(TypeError, match="percent"):
        cmds.playblast(percent=[100])


def test_unknown_commands_and_unmodelled_calls_do_not_pretend():
    with pytest.raises(AttributeError):
        cmds.playblastt  # noqa: B018
    with pytest.raises(NotImplementedError):
        cmds.about(apiVersion=True)


def test_playblast_formats_follow_the_platform(maya_state, tmp_path):
    assert cmds.playblast(q=True, format=True) == ["image"]
    assert "png" in cmds.playblast(format="image", q=True, compression=True)
    with pytest.raises(RuntimeError, match="format 'qt' is not available on linux"):
        cmds.playblast(format="qt", filename=str(tmp_path / "pb"))
    with pytest.raises(RuntimeError, match="format 'movie'"):
        cmds.playblast(filename=str(tmp_path / "pb"))  # the default format is a movie
    with pytest.raises(RuntimeError, match=r"unknown image compression 'H.264'"):
        cmds.playblast(format="image", compression="H.264", filename=str(tmp_path / "pb"))
    maya_state.reset(platform="windows")
    assert "qt" in cmds.playblast(q=True, format=True)


def test_playblast_writes_real_frames_and_returns_the_hash_pattern(maya_state, tmp_path):
    prefix = tmp_path / "pb"
    result = cmds.playblast(
        format="image", compression="png", filename=str(prefix), startTime=5, endTime=7,
        widthHeight=(64, 32), percent=100, viewer=False, forceOverwrite=True,
    )  # fmt: skip
    assert result == f"{prefix}.####.png"
    files = sorted(tmp_path.glob("pb.*.png"))
    assert [f.name for f in files] == ["pb.0005.png", "pb.0006.png", "pb.0007.png"]
    assert all(png_size(f) == (64, 32) for f in files)
    assert files[0].read_bytes() != files[1].read_bytes()
    assert maya_state.playblasts[-1]["camera"] == "persp"
    assert not maya_state.viewer_launched


def test_playblast_defaults_are_mayas(maya_state, tmp_path):
    cmds.playblast(format="image", compression="png", filename=str(tmp_path / "pb"),
                   startTime=1, endTime=1, widthHeight=(64, 32))  # fmt: skip
    assert png_size(tmp_path / "pb.0001.png") == (32, 16)  # percent defaults to 50
    assert maya_state.viewer_launched  # viewer defaults to True


def test_playblast_refuses_missing_folders_and_existing_files(tmp_path):
    flags = dict(format="image", compression="png", startTime=1, endTime=2, widthHeight=(8, 8))
    with pytest.raises(RuntimeError, match="folder does not exist"):
        cmds.playblast(filename=str(tmp_path / "missing" / "pb"), **flags)
    cmds.playblast(filename=str(tmp_path / "pb"), viewer=False, **flags)
    with pytest.raises(RuntimeError, match="already exists"):
        cmds.playblast(filename=str(tmp_path / "pb"), viewer=False, **flags)
    cmds.playblast(filename=str(tmp_path / "pb"), viewer=False, forceOverwrite=True, **flags)


def test_batch_mode_refuses_ui_commands(maya_state):
    maya_state.reset(batch=True)
    assert cmds.about(batch=True) is True
    for call in (
        lambda: cmds.menu("ftDcc", label="x", parent="MayaWindow"),
        lambda: cmds.getPanel(withFocus=True),
        lambda: cmds.modelEditor("modelPanel4", q=True, camera=True),
        lambda: cmds.lookThru("persp"),
        lambda: cmds.confirmDialog(message="hi"),
        lambda: mel.eval("$tmp = $gMainProgressBar"),
    ):
        with pytest.raises(RuntimeError):
            call()
    assert cmds.file(q=True, sceneName=True) == ""  # scene commands still work


def test_state_is_fresh_for_each_test(maya_state):
    assert maya_state.calls == [] and maya_state.scene_name == ""
    assert not maya_state.batch and maya_state.time_unit == "film"
    assert _fake.state is maya_state


def test_schema_snapshot_matches_pymel_when_installed():
    """The committed snapshot is what generate_schema.py makes from pymel's cache."""
    if importlib.util.find_spec("pymel") is None:
        pytest.skip("pymel==1.5.0 is not installed: the snapshot cannot be regenerated")
    process = subprocess.run(
        [sys.executable, str(FAKES / "generate_schema.py"), "--check"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert process.returncode == 0, process.stdout + process.stderr


def test_snapshot_has_attribution():
    notice = (FAKES / "NOTICE.md").read_text(encoding="utf-8")
    assert "pymel 1.5.0" in notice and "Chad Dombrova" in notice
    assert Path(FAKES / "maya" / "cmds_schema.json").is_file()


def test_on_screen_playblasts_are_clamped_to_the_window(maya_state, tmp_path):
    flags = dict(format="image", compression="png", startTime=1, endTime=1, percent=100)
    cmds.playblast(filename=str(tmp_path / "on"), widthHeight=(1920, 1080), **flags)
    cmds.playblast(
        filename=str(tmp_path / "off"), widthHeight=(1920, 1080), offScreen=True, **flags
    )
    assert png_size(tmp_path / "on.0001.png") == maya_state.window_size == (1280, 720)
    assert png_size(tmp_path / "off.0001.png") == (1920, 1080)
