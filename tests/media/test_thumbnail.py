"""make_thumbnail writes a real JPEG of the right size and the right frame."""

from __future__ import annotations

from pathlib import Path

import pytest
from media_helpers import STEP, ffprobe_stream, make_frames, make_movie, red_levels, rgb_levels

from ft_dcc.exceptions import MediaError
from ft_dcc.media import make_thumbnail


def assert_jpeg(ffprobe: str, path: Path, width: int, height: int) -> None:
    assert path.read_bytes()[:3] == b"\xff\xd8\xff"
    stream = ffprobe_stream(ffprobe, path)
    assert stream["codec_name"] == "mjpeg"
    assert (stream["width"], stream["height"]) == (width, height)


def test_movie_thumbnail_is_the_middle_frame_scaled_down(tmp_path: Path, ffprobe_exe: str) -> None:
    movie = make_movie(tmp_path / "m.mp4", 21, size=(1280, 720))
    thumb = make_thumbnail(movie, tmp_path / "t.jpg")
    assert_jpeg(ffprobe_exe, thumb, 640, 360)
    assert abs(red_levels(thumb)[0] - 10 * STEP) <= 3


def test_chosen_movie_frame_and_width(tmp_path: Path, ffprobe_exe: str) -> None:
    movie = make_movie(tmp_path / "m.mp4", 21, size=(320, 240))
    thumb = make_thumbnail(movie, tmp_path / "t.jpg", frame=3, max_width=100)
    assert_jpeg(ffprobe_exe, thumb, 100, 75)
    assert round(red_levels(thumb)[0] / STEP) == 3
    with pytest.raises(MediaError, match="frame index 21 is outside it"):
        make_thumbnail(movie, tmp_path / "x.jpg", frame=21)


def test_image_thumbnail_is_never_upscaled(tmp_path: Path, ffprobe_exe: str) -> None:
    files = make_frames(tmp_path / "f", 3, size=(321, 241), source="testsrc")
    thumb = make_thumbnail(files[0], tmp_path / "t.jpg")
    assert_jpeg(ffprobe_exe, thumb, 321, 241)


def test_sequence_thumbnail_by_frame_number(tmp_path: Path, ffprobe_exe: str) -> None:
    make_frames(tmp_path / "f", 9, start=1001)
    thumb = make_thumbnail(tmp_path / "f" / "shot.####.png", tmp_path / "t.jpg", frame=1006)
    assert_jpeg(ffprobe_exe, thumb, 64, 48)
    assert round(red_levels(thumb)[0] / STEP) == 5
    middle = make_thumbnail(tmp_path / "f" / "shot.%04d.png", tmp_path / "m.jpg")
    assert round(red_levels(middle)[0] / STEP) == 4
    with pytest.raises(MediaError, match=r"Frame 2000 of .* does not exist"):
        make_thumbnail(tmp_path / "f" / "shot.####.png", tmp_path / "x.jpg", frame=2000)


def test_missing_or_corrupt_sources_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist"):
        make_thumbnail(tmp_path / "nope.mov", tmp_path / "t.jpg")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image at all")
    with pytest.raises(MediaError, match=r"thumbnail t\.jpg failed"):
        make_thumbnail(broken, tmp_path / "t.jpg")
    assert not (tmp_path / "t.jpg").exists()


def test_seeking_lands_on_the_exact_frame_of_a_review_movie(tmp_path: Path) -> None:
    from fractions import Fraction

    from media_helpers import make_frames

    from ft_dcc.media import encode_review

    files = make_frames(tmp_path / "f", 30)
    movie = encode_review(files, tmp_path / "r.mp4", Fraction(24000, 1001))
    for index in (1, 7, 12, 24, 29):
        thumb = make_thumbnail(movie, tmp_path / f"t{index}.jpg", frame=index)
        red, _, blue = rgb_levels(thumb)[0]
        assert abs(red - index * STEP) <= 3
        assert abs(blue - (255 - index * STEP)) <= 3
