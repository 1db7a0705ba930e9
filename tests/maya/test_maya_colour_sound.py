"""Maya: the playblast follows the scene's colour management, the timeline's sound is
in the review in sync, the panel's look is recorded. Through the honest fake ``maya.cmds``
(flags from Maya 2025's command cache) with the real pipeline, server and ffmpeg.

Sound: a click at frame 12 of a WAV (24 fps) on an audio node at ``offset`` (scene frames),
optionally trimmed by ``sourceStart``, is found in the published movie's decoded sound at
``(offset + 12 - sourceStart - first frame) / fps`` within one frame.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest
from ft_dcc_hosts.maya import capture as maya_capture
from ft_dcc_hosts.maya.host import MayaHost
from maya import cmds, mel
from support import download_component, make_task, open_session
from support.audio import CLICK_FRAME, FPS, click_wav, decoded_click

from ft_dcc.publish import publish
from ft_dcc.publish.host_port import CaptureSpec

FIRST, LAST = 1001, 1024


def _scene(maya_state: Any) -> None:
    maya_state.playback.update(minTime=float(FIRST), maxTime=float(LAST))


def _publish(server: Any, tmp_path: Path, **kwargs: Any) -> Dict[str, Any]:
    session = open_session(server, tmp_path / "s")
    task = make_task(session, fstart=FIRST, fend=LAST, fps=FPS)
    report = publish(MayaHost(), task=task, camera="shotCam", **kwargs)
    assert report.ok, str(report)
    component = report.component_ids["ftrackreview-mp4"]
    rows = session.query(f'select key, value from Metadata where parent_id is "{component}"')
    meta = json.loads({r["key"]: r["value"] for r in rows.all()}["ft_dcc_capture"])
    movie = download_component(server, component, tmp_path / "review.mp4")
    return {"report": report, "meta": meta, "movie": movie}


@pytest.mark.parametrize(("offset", "source_start"), [(1005, 0), (995, 0), (1003, 6)])
def test_the_time_sliders_sound_is_in_sync(
    saved_scene, maya_state, server_env, tmp_path: Path, offset: int, source_start: int
) -> None:
    _scene(maya_state)
    wav = click_wav(tmp_path / "click.wav")
    node = cmds.sound(offset=offset, file=str(wav))
    if source_start:
        cmds.sound(node, e=True, sourceStart=source_start)
    cmds.sound(offset=FIRST, file=str(click_wav(tmp_path / "other.wav")))  # not on the slider
    slider = mel.eval("$s = $gPlayBackSlider")
    cmds.timeControl(slider, e=True, sound=node, displaySound=True)
    published = _publish(server_env, tmp_path, burnin="on")
    found = decoded_click(published["movie"])
    assert found is not None, "no sound track"
    click, length = found
    expected = (offset + CLICK_FRAME - source_start - FIRST) / FPS
    assert abs(click - expected) <= 1 / FPS, (click, expected)
    assert abs(length - (LAST - FIRST + 1) / FPS) <= 1 / FPS
    values = published["meta"]["burnin"]["values"]
    assert (values["camera"], values["focal_length"]) == ("shotCam", "35mm")


def test_batch_mixes_every_unmuted_audio_node(saved_scene, maya_state, tmp_path: Path) -> None:
    maya_state.batch = True
    maya_state.panels.clear()
    maya_state.focus_panel = None
    _scene(maya_state)
    wav = click_wav(tmp_path / "click.wav")
    muted = cmds.sound(offset=FIRST - CLICK_FRAME, file=str(wav))  # would click at frame 1001
    cmds.sound(muted, e=True, mute=True)
    cmds.sound(offset=1008, file=str(wav))
    spec = MayaHost().default_spec(camera="shotCam")
    result = MayaHost().capture(spec, tmp_path / "capture")
    assert result.audio is not None and result.audio_start_frame == FIRST
    from ft_dcc.media.encode import encode_review

    movie = encode_review(list(result.files), tmp_path / "r.mp4", FPS, audio=_placed(result))
    found = decoded_click(movie)
    assert found is not None
    assert abs(found[0] - (1008 + CLICK_FRAME - FIRST) / FPS) <= 1 / FPS


def _placed(result: Any) -> Any:
    from ft_dcc.media.audio import AudioInput

    return AudioInput(Path(result.audio))


def test_a_silent_scene_captures_no_sound(saved_scene, maya_state, tmp_path: Path) -> None:
    spec = MayaHost().default_spec(camera="shotCam")
    assert MayaHost().capture(spec, tmp_path / "capture").audio is None


def test_the_playblast_bakes_the_view_transform_and_puts_it_back(
    saved_scene, maya_state, tmp_path: Path
) -> None:
    before = dict(maya_state.colour["outputs"]["playblast"])
    assert before["outputTransformEnabled"] is False  # Maya's default: not applied to playblasts
    cmds.colorManagementPrefs(e=True, outputTarget="playblast", outputTransformName="Raw")
    spec = MayaHost().default_spec(camera="shotCam")
    recorded = spec.display["colour"]
    assert recorded["view_transform"] == "ACES 1.0 SDR-video (sRGB)"
    assert (recorded["display"], recorded["view"]) == ("sRGB", "ACES 1.0 SDR-video")
    assert recorded["rendering_space"] == "ACEScg"
    assert recorded["playblast_output"] == {"enabled": True, "use_view_transform": True,
                                            "name": "Raw"}  # fmt: skip
    MayaHost().capture(spec, tmp_path / "capture")
    during = maya_state.playblasts[-1]["colour"]
    assert during["outputTransformEnabled"] and during["outputUseViewTransform"]
    after = maya_state.colour["outputs"]["playblast"]
    assert after == dict(before, outputTransformName="Raw", outputUseViewTransform=False)


def test_an_artists_own_playblast_transform_is_kept(saved_scene, maya_state, tmp_path) -> None:
    cmds.colorManagementPrefs(e=True, outputTarget="playblast", outputTransformEnabled=True)
    cmds.colorManagementPrefs(e=True, outputTarget="playblast", outputTransformName="Raw")
    before = dict(maya_state.colour["outputs"]["playblast"])
    MayaHost().capture(MayaHost().default_spec(camera="shotCam"), tmp_path / "c")
    after = maya_state.colour["outputs"]["playblast"]
    assert maya_state.playblasts[-1]["colour"] == before == after


def test_colour_management_off_is_recorded_and_untouched(saved_scene, maya_state, tmp_path) -> None:
    cmds.colorManagementPrefs(e=True, cmEnabled=False)
    spec = MayaHost().default_spec(camera="shotCam")
    assert spec.display["colour"] == {"enabled": False}
    MayaHost().capture(spec, tmp_path / "c")
    assert not maya_state.playblasts[-1]["colour"]["outputTransformEnabled"]
    assert not any(c.get("_mode") == "edit" for c in maya_state.calls_of("colorManagementPrefs")
                   if c.get("cmEnabled") is None)  # fmt: skip


def test_the_panels_look_is_recorded(saved_scene, maya_state) -> None:
    cmds.modelEditor("modelPanel4", e=True, displayAppearance="wireframe")
    display = maya_capture.display_options()
    assert display["displayAppearance"] == "wireframe"
    assert display["displayLights"] == "default" and display["wireframeOnShaded"] is False


def test_wrong_flags_fail_as_in_maya(saved_scene, maya_state) -> None:
    with pytest.raises(TypeError, match="Invalid flag 'outputTransform'"):
        cmds.colorManagementPrefs(q=True, outputTransform=True)
    with pytest.raises(RuntimeError, match="cannot be used in create mode"):
        cmds.colorManagementPrefs(outputTransformEnabled=True)
    with pytest.raises(TypeError, match="Invalid flag 'soundNode'"):
        cmds.timeControl(mel.eval("$s = $gPlayBackSlider"), q=True, soundNode=True)
    with pytest.raises(RuntimeError, match="cannot open the sound file"):
        cmds.sound(offset=1, file="/nope.wav")
    maya_state.batch = True
    with pytest.raises(RuntimeError, match="needs the Maya UI"):
        cmds.timeControl("timeControl1", q=True, sound=True)


def test_capture_spec_colour_round_trips(saved_scene, maya_state) -> None:
    spec = MayaHost().default_spec(camera="shotCam")
    assert CaptureSpec.from_dict(spec.to_dict()).display["colour"]["enabled"] is True
