"""Capture streamed into the encoder: a host that hands frames over as it writes them is
encoded during its capture, and a capture that fails mid-way leaves no movie and queues nothing.
A real pipeline, real ffmpeg; the host is the files host writing its frames one by one."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, List

import pytest
from publish_helpers import quick_publish

from ft_dcc.exceptions import CaptureError
from ft_dcc.host.files import FilesHost
from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec
from ft_dcc.publish.offline.queue import OfflineQueue


class StreamingHost(FilesHost):
    """Copies its frames into the capture folder one at a time, handing each over once written;
    ``fail_after`` frames, the capture fails as a DCC's render could."""

    streams_frames = True

    def __init__(self, *args, fail_after: int = 0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fail_after = fail_after
        self.handed: List[str] = []

    def capture_streaming(
        self,
        spec: CaptureSpec,
        out_dir: Path,
        frame_written: Callable[[Path], None],
        progress: Progress = null_progress,
    ) -> CaptureResult:
        written = []
        for index, source in enumerate(self.capture(spec, out_dir, progress).files, start=1):
            if index == self.fail_after:
                raise CaptureError("the render crashed", hint="render again")
            target = Path(out_dir) / f"frame_{index:04d}{Path(source).suffix}"
            shutil.copy(source, target)
            frame_written(target)
            self.handed.append(target.name)
            written.append(target)
        return CaptureResult(files=tuple(written), first_frame=spec.frame_start)


def test_a_streaming_host_is_encoded_while_it_captures(
    offline_env: Path, sequence_25: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_serial_encode(*args, **kwargs):
        raise AssertionError("the frames were encoded after the capture, not while")

    monkeypatch.setattr("ft_dcc.media.encode.encode_review", no_serial_encode)
    host = StreamingHost(sequence_25, fps=25)
    messages: List[str] = []
    report = quick_publish(
        host, task="demo/sh010/comp", work_dir=tmp_path / "work",
        progress=lambda stage, fraction, message="": messages.append(message),
    )  # fmt: skip
    assert report.ok and report.queued, str(report)
    assert len(host.handed) == 12
    assert "finishing the encode of 12 streamed frames" in messages
    movie = next((tmp_path / "work").glob("*_review.mp4"))
    from ft_dcc.media.probe import verify_review_movie

    assert verify_review_movie(movie, frame_count=12, fps=25).frame_count == 12


def test_streaming_off_encodes_after_the_capture(
    offline_env: Path, sequence_25: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FT_DCC_STREAM_ENCODE", "0")
    messages: List[str] = []
    report = quick_publish(
        StreamingHost(sequence_25, fps=25), task="demo/sh010/comp",
        progress=lambda stage, fraction, message="": messages.append(message),
    )  # fmt: skip
    assert report.ok and report.queued, str(report)
    assert not any("streamed frames" in m for m in messages)


def test_a_capture_failing_mid_stream_leaves_no_movie(
    offline_env: Path, sequence_25: Path, tmp_path: Path
) -> None:
    host = StreamingHost(sequence_25, fps=25, fail_after=6)
    report = quick_publish(host, task="demo/sh010/comp", work_dir=tmp_path / "work")
    assert not report.ok and not report.queued
    assert any("the render crashed" in e for e in report.errors), report.errors
    assert len(host.handed) == 5
    assert list((tmp_path / "work").glob("*.mp4")) == []  # no movie, no partial one
    assert list((tmp_path / "work").glob(".*")) == []
    assert OfflineQueue(offline_env).entries() == []


def test_burnins_and_slate_are_kept_when_the_host_could_stream(
    offline_env: Path, sequence_25: Path, tmp_path: Path
) -> None:
    """The streamed encoder draws no burn-ins: a publish that asks for them (or a slate) is
    encoded after the capture, so the movie has the slate frame and the burnt-in text."""
    from ft_dcc.media.probe import verify_review_movie

    movies = {}
    for mode in ("off", "both"):
        work = tmp_path / mode
        report = quick_publish(
            StreamingHost(sequence_25, fps=25), task="demo/sh010/comp", work_dir=work,
            burnin=mode,
        )  # fmt: skip
        assert report.ok and report.queued, str(report)
        movies[mode] = next(work.glob("*_review.mp4"))
    assert verify_review_movie(movies["off"], frame_count=12, fps=25).frame_count == 12
    assert verify_review_movie(movies["both"], frame_count=13, fps=25).frame_count == 13
