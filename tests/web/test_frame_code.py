"""The coded frames the page tests publish: drawn by ffmpeg once per process, the same files
every later time (``frame_code.grey_frames``), and each frame still reads as its own code."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any, List

import pytest

from . import frame_code
from .frame_code import FIRST, FRAMES, coded_frames, decode_levels, png_levels


def files(pattern: Path) -> List[bytes]:
    return [p.read_bytes() for p in sorted(pattern.parent.glob("shot.*.png"))]


def no_ffmpeg(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("ffmpeg drew a sequence it had drawn before")


def test_a_sequence_asked_for_again_is_the_same_files_in_its_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = coded_frames(tmp_path / "a", 3)
    other = coded_frames(tmp_path / "c", 2)
    monkeypatch.setattr(frame_code, "subprocess", types.SimpleNamespace(run=no_ffmpeg))
    again = coded_frames(tmp_path / "b", 3)
    monkeypatch.undo()
    assert again.parent == tmp_path / "b" and len(files(again)) == FRAMES
    assert files(again) == files(first)
    assert files(other) != files(first)
    for pattern, version in ((again, 3), (other, 2)):
        for index in (0, FRAMES - 1):
            png = pattern.parent / f"shot.{FIRST + index:04d}.png"
            assert decode_levels(png_levels(png)) == (version, FIRST + index)
