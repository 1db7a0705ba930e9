"""Nuke: an AudioRead in the script gives the review its sound, in sync. Through the
honest fake ``nuke`` (AudioRead knobs from Foundry's reference guide) with the real pipeline,
server and ffmpeg: a click at frame 12 of a WAV (24 fps) on an AudioRead starting at
``begintime`` (trimmed by ``filebegintime``) is found in the published movie's decoded sound at
``(begintime + 12 - file start - first frame) / fps`` within one frame.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import nuke
import pytest
from ft_dcc_hosts.nuke.host import NukeHost
from support import download_component, make_task, open_session
from support.audio import CLICK_FRAME, FPS, click_wav, decoded_click

from ft_dcc.publish import publish

FIRST, LAST = 1001, 1024


def _script(tmp_path: Path) -> Any:
    root = nuke.root()
    root["first_frame"].setValue(FIRST)
    root["last_frame"].setValue(LAST)
    root["fps"].setValue(FPS)
    root["format"].setValue(nuke.addFormat("160 90 review_160"))
    write = nuke.nodes.Write(
        file=(tmp_path / "render" / "shot.####.png").as_posix(), create_directories=True
    )
    write.setInput(0, nuke.nodes.Constant(color=[0.2, 0.4, 0.6, 1.0]))
    return write


@pytest.mark.parametrize(("begin", "file_start"), [(1005, 0), (995, 0), (1003, 6)])
def test_an_audioread_is_heard_in_sync(
    tmp_path: Path, embedded_server, server_env, begin: int, file_start: int
) -> None:
    server_env(embedded_server)
    write = _script(tmp_path)
    wav = click_wav(tmp_path / "click.wav", seconds=3.0)
    audio = nuke.nodes.AudioRead(file=wav.as_posix())
    audio["begintime"].setValue([begin, begin + 3 * FPS - file_start])
    audio["filebegintime"].setValue([file_start, 3 * FPS])
    muted = nuke.nodes.AudioRead(file=click_wav(tmp_path / "early.wav").as_posix())
    muted["begintime"].setValue([FIRST - CLICK_FRAME, FIRST + 36])  # would click at 1001
    muted["disable"].setValue(True)
    nuke.scriptSaveAs((tmp_path / "shot.nk").as_posix())
    session = open_session(embedded_server, tmp_path)
    task = make_task(session, f"nk{uuid.uuid4().hex[:8]}", FIRST, LAST, FPS)

    report = publish(NukeHost(write), task=task, session=session)

    assert report.ok, str(report)
    movie = download_component(
        embedded_server, report.component_ids["ftrackreview-mp4"], tmp_path / "review.mp4"
    )
    found = decoded_click(movie)
    assert found is not None, "no sound track"
    click, length = found
    expected = (begin + CLICK_FRAME - file_start - FIRST) / FPS
    assert abs(click - expected) <= 1 / FPS, (click, expected)
    assert abs(length - (LAST - FIRST + 1) / FPS) <= 1 / FPS


def test_a_script_without_audioread_has_no_sound(tmp_path: Path) -> None:
    write = _script(tmp_path)
    nuke.scriptSaveAs((tmp_path / "shot.nk").as_posix())
    host = NukeHost(write)
    result = host.capture(host.default_spec(), tmp_path / "capture")
    assert result.audio is None


def test_audioread_knobs_are_foundrys(tmp_path: Path) -> None:
    audio = nuke.nodes.AudioRead(file="/x.wav")
    assert audio["begintime"].array() == [0.0, 0.0]  # Foundry: default 0, 0
    assert audio["ratesource"].value() == "file"
    with pytest.raises(NameError, match="knob time_offset does not exist"):
        audio["time_offset"]
    with pytest.raises(TypeError):
        audio["begintime"].setValue("soon")
