"""A movie is measured once while it is the same file: a publish's encode measures the partial
movie it wrote and moves it into place, then the extract's check measures the moved file (the
same bytes): one ffmpeg, the same answer. A movie written again is measured again."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any, List

import pytest
from support import make_movie

from ft_dcc.exceptions import MediaError
from ft_dcc.media import probe


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> List[Any]:
    """The movies measured (ffmpeg's framecrc runs) from here on (each still run)."""
    ran: List[Any] = []
    real = subprocess.run

    def recording(command: Any, *args: Any, **kwargs: Any) -> Any:
        if "framecrc" in command:
            ran.append(command)
        return real(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", recording)
    return ran


def test_a_movie_moved_after_its_measure_is_not_measured_again(
    tmp_path: Path, measured: List[Any]
) -> None:
    partial = make_movie(tmp_path / ".shot.partial.mp4", frames=5, codec="libx264")
    first = probe.probe_movie(partial)
    moved = tmp_path / "shot.mp4"
    os.replace(partial, moved)
    assert probe.probe_movie(moved) == first and first.frame_count == 5
    assert len(measured) == 1


def test_a_movie_written_again_is_measured_again(tmp_path: Path, measured: List[Any]) -> None:
    movie = make_movie(tmp_path / "shot.mp4", frames=5, codec="libx264")
    assert probe.probe_movie(movie).frame_count == 5
    make_movie(tmp_path / "other.mp4", frames=7, codec="libx264")
    os.replace(tmp_path / "other.mp4", movie)
    assert probe.probe_movie(movie).frame_count == 7
    movie.write_bytes(movie.read_bytes()[:200])  # truncated in place
    with pytest.raises(MediaError):
        probe.probe_movie(movie)
    assert len(measured) == 3


def test_a_missing_movie_is_refused(tmp_path: Path, measured: List[Any]) -> None:
    with pytest.raises(MediaError, match="does not exist"):
        probe.probe_movie(tmp_path / "none.mp4")
    assert measured == []
