"""Image sequences from a %04d pattern, a #### pattern or one frame; gaps; clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ft_dcc.exceptions import MediaError
from ft_dcc.media import FrameSequence, is_movie
from ft_dcc.media.sequence import describe_frames, frame_number


def touch_frames(directory: Path, name: str, frames) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for frame in frames:
        (directory / (name % frame)).write_bytes(b"x")


@pytest.mark.parametrize("given", ["shot.%04d.png", "shot.####.png", "shot.1003.png"])
def test_every_input_form_finds_the_same_sequence(tmp_path: Path, given: str) -> None:
    touch_frames(tmp_path, "shot.%04d.png", [1001, 1002, 1003, 1005])
    (tmp_path / "shot.1004.exr").write_bytes(b"x")  # another format: not part of it
    (tmp_path / "other.1004.png").write_bytes(b"x")

    sequence = FrameSequence.from_path(tmp_path / given)

    assert sequence.frames == [1001, 1002, 1003, 1005]
    assert (sequence.first, sequence.last, sequence.padding) == (1001, 1005, 4)
    assert sequence.pattern == str(tmp_path / "shot.%04d.png")
    assert sequence.hash_pattern == str(tmp_path / "shot.####.png")
    assert sequence.missing_frames() == [1004]
    assert [p.name for p in sequence.files()] == [
        "shot.1001.png",
        "shot.1002.png",
        "shot.1003.png",
        "shot.1005.png",
    ]
    assert all(p.is_file() for p in sequence.files())


def test_unpadded_and_long_frame_numbers(tmp_path: Path) -> None:
    touch_frames(tmp_path / "a", "f_%d.jpg", [8, 9, 10, 11])
    sequence = FrameSequence.from_path(tmp_path / "a" / "f_9.jpg")
    assert sequence.frames == [8, 9, 10, 11]
    assert sequence.pattern.endswith("f_%d.jpg")
    touch_frames(tmp_path / "b", "f.%04d.png", [9998, 9999, 10000])
    assert FrameSequence.from_path(tmp_path / "b" / "f.%04d.png").frames == [9998, 9999, 10000]


def test_a_name_with_other_digits_uses_the_last_number(tmp_path: Path) -> None:
    touch_frames(tmp_path, "sh010_v002.%03d.tif", [1, 2, 3])
    sequence = FrameSequence.from_path(tmp_path / "sh010_v002.002.tif")
    assert (sequence.head, sequence.padding, sequence.tail) == ("sh010_v002.", 3, ".tif")
    assert sequence.frames == [1, 2, 3]


def test_files_for_range_holds_over_gaps_and_ends(tmp_path: Path) -> None:
    touch_frames(tmp_path, "s.%04d.png", [3, 4, 6])
    sequence = FrameSequence.from_path(tmp_path / "s.####.png")
    files, held = sequence.files_for_range(2, 8)
    assert [p.name for p in files] == [
        "s.0003.png",
        "s.0003.png",
        "s.0004.png",
        "s.0004.png",
        "s.0006.png",
        "s.0006.png",
        "s.0006.png",
    ]
    assert held == [2, 5, 7, 8]
    with pytest.raises(MediaError, match="No frame of 10-12 exists"):
        sequence.files_for_range(10, 12)


def test_missing_sequences_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="folder does not exist"):
        FrameSequence.from_path(tmp_path / "nowhere" / "shot.%04d.png")
    with pytest.raises(MediaError, match="no file matches"):
        FrameSequence.from_path(tmp_path / "shot.####.png")
    with pytest.raises(MediaError, match="does not exist"):
        FrameSequence.from_path(tmp_path / "shot.1001.png")
    (tmp_path / "poster.png").write_bytes(b"x")
    with pytest.raises(MediaError, match="no frame number"):
        FrameSequence.from_path(tmp_path / "poster.png")


def test_helpers() -> None:
    assert describe_frames([9, 3, 4, 5, 11, 12]) == "3-5, 9, 11-12"
    assert frame_number("a/shot.1001.exr") == 1001
    assert frame_number("poster.png") is None
    assert is_movie("edit.MOV") and is_movie(Path("x.mp4"))
    assert not is_movie("shot.1001.png")
