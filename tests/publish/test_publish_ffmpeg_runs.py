"""What one publish asks of ffmpeg: every ffmpeg (and ffprobe) process it starts is counted.

A TD feels each one as publish time (a process start, a decoder set up, a file read). One
reviewable's publish encodes the review movie (or copies a review-ready one), measures what it
wrote (that measure also serves the check and the thumbnail) and makes the thumbnail: nothing
else. Finding ffmpeg and reading its version are counted as a new process does them (a CLI
publish is one process): the bundled binary is found, and its version read, by its name.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any, List

import pytest
from support import make_movie, make_sequence, make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.media.ffmpeg import ffmpeg_executable, ffmpeg_version
from ft_dcc.publish import publish


@pytest.fixture
def media_runs(monkeypatch: pytest.MonkeyPatch) -> List[List[str]]:
    """The ffmpeg and ffprobe command lines this process starts from here on (each still run)."""
    ffmpeg_executable.cache_clear()  # found and read again by this publish, as a CLI's is
    ffmpeg_version.cache_clear()
    started: List[List[str]] = []
    real = subprocess.Popen.__init__

    def recording(self: Any, args: Any, *rest: Any, **kwargs: Any) -> None:
        command = [str(part) for part in args] if isinstance(args, (list, tuple)) else [args]
        if any(name in os.path.basename(command[0]) for name in ("ffmpeg", "ffprobe")):
            started.append(command)
        real(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", recording)
    return started


def _publish(server: Any, tmp_path: Path, source: Path, review: str = "ftrackreview-mp4") -> Any:
    session = open_session(server, tmp_path / "session")
    task = make_task(session, fstart=1001, fend=1012, fps=25.0)
    report = publish(FilesHost(source, fps=25), task=task, session=session,
                     review_session_name=f"Dailies ffmpeg {tmp_path.name}")  # fmt: skip
    assert report.ok and not report.queued, str(report)
    assert {review, "thumbnail"} <= set(report.component_ids), report.component_ids
    return report


def _kinds(started: List[List[str]]) -> List[str]:
    """What each run was: an encode (or copy) into the partial movie or image, a measure, a
    thumbnail, a read of an image."""
    kinds = []
    for command in started:
        if "framecrc" in command:
            kinds.append("measure")
        elif command[-2:-1] == ["-i"]:
            kinds.append("read")  # ffmpeg's description of an image, nothing written
        elif command[-1].endswith(".jpg"):
            kinds.append("thumbnail")
        elif ".partial" in command[-1]:
            kinds.append("encode")
        else:
            kinds.append(" ".join(command[1:]))
    return kinds


def test_a_sequence_publish_runs_ffmpeg_three_times(
    embedded_server, tmp_path: Path, media_runs: List[List[str]]
) -> None:
    sequence = make_sequence(tmp_path / "frames", frames=12, start=1001)
    media_runs.clear()  # the test's own frames are not the publish's
    _publish(embedded_server, tmp_path, sequence)
    assert _kinds(media_runs) == ["encode", "measure", "thumbnail"]


def test_a_movie_publish_runs_ffmpeg_four_times(
    embedded_server, tmp_path: Path, media_runs: List[List[str]]
) -> None:
    """A source movie is measured (is it review-ready?), then encoded like frames."""
    movie = make_movie(tmp_path / "source.mov", frames=12)
    media_runs.clear()
    _publish(embedded_server, tmp_path, movie)
    assert _kinds(media_runs) == ["measure", "encode", "measure", "thumbnail"]


def test_a_still_publish_runs_ffmpeg_three_times(
    embedded_server, tmp_path: Path, media_runs: List[List[str]]
) -> None:
    """The still is read (its size and pixel format), its review PNG written (and known from
    its header), the thumbnail made from it."""
    frame = Path(str(make_sequence(tmp_path / "frames", frames=1, start=1)) % 1)
    still = frame.rename(tmp_path / "keyart.png")
    media_runs.clear()
    _publish(embedded_server, tmp_path, still, review="ftrackreview-image")
    assert _kinds(media_runs) == ["read", "encode", "thumbnail"]
