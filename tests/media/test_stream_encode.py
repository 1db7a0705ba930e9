"""StreamEncoder: frames encoded as a capture writes them, with encode_review's guarantees,
judged by Debian's ffprobe and by decoding the frames back."""

from __future__ import annotations

import shutil
import threading
from fractions import Fraction
from pathlib import Path
from typing import List

import pytest
from media_helpers import decode_rgb, ffmpeg, ffprobe_streams, frame_indices, make_frames
from support.waiting import wait_until
from test_encode import assert_browser_review

from ft_dcc.exceptions import MediaError
from ft_dcc.media import encode_review
from ft_dcc.media.audio import AudioInput
from ft_dcc.media.stream import StreamEncoder

NTSC = Fraction(24000, 1001)


def leftovers(folder: Path) -> List[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_frames_are_encoded_as_they_are_written(tmp_path: Path, ffprobe_exe: str) -> None:
    """Each frame reaches ffmpeg before the next one exists: encoding overlaps the capture."""
    source = make_frames(tmp_path / "made", 30)
    frames = tmp_path / "capture"
    frames.mkdir()
    movie = tmp_path / "out" / "review.mp4"
    with StreamEncoder(movie, NTSC, total=30) as encoder:
        for index, made in enumerate(source, start=1):
            written = frames / made.name  # the "capture" writes a frame, then hands it over
            shutil.copy(made, written)
            encoder.add(written)
            wait_until(lambda index=index: encoder.fed == index, f"frame {index} to reach ffmpeg")
        assert not movie.exists()  # nothing at the output before it is verified
        encoder.finish()

    stream = assert_browser_review(ffprobe_exe, movie, 30, "24000/1001")
    tags = {stream[key] for key in ("color_space", "color_primaries", "color_transfer")}
    assert tags == {"bt709"}
    assert frame_indices(movie) == list(range(30))  # every frame once, in order
    reference = encode_review(source, tmp_path / "reference.mp4", NTSC)
    assert decode_rgb(movie, "null") == decode_rgb(reference, "null")  # same encode, bit for bit
    assert leftovers(movie.parent) == []


def test_sound_is_added_after_the_last_frame(tmp_path: Path, ffprobe_exe: str) -> None:
    source = make_frames(tmp_path / "made", 40)
    tone = tmp_path / "tone.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=3", str(tone))
    movie = tmp_path / "review.mp4"
    with StreamEncoder(movie, 25, total=40, size=(128, 96)) as encoder:
        for frame in source:
            encoder.add(frame)
        encoder.finish(audio=AudioInput(tone, Fraction(0)))

    stream = assert_browser_review(ffprobe_exe, movie, 40, "25/1")
    assert (stream["width"], stream["height"]) == (128, 96)
    audio = ffprobe_streams(ffprobe_exe, movie, "-show_streams", "-select_streams", "a")
    assert len(audio) == 1 and audio[0]["codec_name"] == "aac"
    assert abs(float(audio[0]["duration"]) - 1.6) < 0.05  # cut to the picture: 40 frames at 25


def test_a_short_capture_fails_and_leaves_nothing(tmp_path: Path) -> None:
    source = make_frames(tmp_path / "made", 10)
    movie = tmp_path / "review.mp4"
    with StreamEncoder(movie, 25, total=12) as encoder:
        for frame in source:
            encoder.add(frame)
        with pytest.raises(MediaError, match="10 frames instead of 12"):
            encoder.finish()
    assert not movie.exists() and leftovers(tmp_path) == []


def test_more_frames_than_expected_fail(tmp_path: Path) -> None:
    source = make_frames(tmp_path / "made", 6)
    movie = tmp_path / "review.mp4"
    with StreamEncoder(movie, 25, total=5) as encoder:
        for frame in source:
            encoder.add(frame)
        with pytest.raises(MediaError, match="more than the 5 frames"):
            encoder.finish()
    assert not movie.exists() and leftovers(tmp_path) == []


def test_abort_mid_capture_stops_ffmpeg_and_leaves_nothing(tmp_path: Path) -> None:
    source = make_frames(tmp_path / "made", 8)
    movie = tmp_path / "review.mp4"
    encoder = StreamEncoder(movie, 25, total=20).start()
    for frame in source:
        encoder.add(frame)
    wait_until(lambda: encoder.fed == 8, "the frames to reach ffmpeg")
    threads = threading.active_count()
    encoder.abort()  # the capture failed
    assert threading.active_count() < threads  # the encoder thread (and its ffmpeg) ended
    assert not movie.exists() and leftovers(tmp_path) == []


def test_nothing_captured_is_a_clear_error(tmp_path: Path) -> None:
    encoder = StreamEncoder(tmp_path / "review.mp4", 25, total=3).start()
    with pytest.raises(MediaError, match="No frame was captured"):
        encoder.finish()
    with pytest.raises(MediaError, match="No frames to encode"):
        StreamEncoder(tmp_path / "review.mp4", 25, total=0)
