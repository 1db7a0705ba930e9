"""Sound in sync: ``ft-dcc publish --audio FILE --audio-offset FRAMES``.

A click at second 0.5 of a sound file (frame 12 of the file at 24 fps) is published with a
24-frame sequence (1001-1024); the click is found in the published movie's decoded sound at
the frame the offset puts it on, within one frame. A publish without sound has no audio track.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support import download_component, make_sequence, make_task, open_session
from support.audio import CLICK_FRAME, FPS, click_wav, decoded_click

from ft_dcc.cli import main

FIRST, FRAMES = 1001, 24


def publish_cli(server: Any, tmp_path: Path, *extra: str) -> Path:
    session = open_session(server, tmp_path)
    task = make_task(session, fstart=FIRST, fend=FIRST + FRAMES - 1, fps=FPS)
    frames = make_sequence(tmp_path / "frames", frames=FRAMES, start=FIRST)
    report = tmp_path / "report.json"
    code = main(["publish", str(frames), "--task", task, "--fps", str(FPS),
                 "--report", str(report), *extra])  # fmt: skip
    data = json.loads(report.read_text(encoding="utf-8"))
    assert code == 0, data
    component = data["component_ids"]["ftrackreview-mp4"]
    return download_component(server, component, tmp_path / "review.mp4")


@pytest.mark.parametrize("offset", [3, -6, 0])
def test_click_is_on_its_frame_in_the_published_movie(
    ftrack_env: Any, tmp_path: Path, offset: int
) -> None:
    wav = click_wav(tmp_path / "click.wav")
    movie = publish_cli(ftrack_env, tmp_path, "--audio", str(wav), "--audio-offset", str(offset))
    found = decoded_click(movie)
    assert found is not None, "no sound track"
    click, length = found
    expected = (CLICK_FRAME + offset) / FPS  # the review's first frame is time 0
    assert abs(click - expected) <= 1 / FPS, (click, expected)
    assert abs(length - FRAMES / FPS) <= 1 / FPS  # cut (or padded) to the picture


def test_a_publish_without_sound_has_no_audio_track(ftrack_env: Any, tmp_path: Path) -> None:
    assert decoded_click(publish_cli(ftrack_env, tmp_path)) is None


def test_missing_sound_file_is_refused_before_anything(ftrack_env: Any, tmp_path: Path) -> None:
    frames = make_sequence(tmp_path / "frames", frames=2, start=FIRST)
    code = main(["publish", str(frames), "--audio", str(tmp_path / "nope.wav")])
    assert code != 0
