"""Finding ffmpeg, and what happens when it is missing or fails."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any, List

import imageio_ffmpeg
import pytest

from ft_dcc.exceptions import MediaError
from ft_dcc.media import ffmpeg as ffmpeg_module
from ft_dcc.media.ffmpeg import ffmpeg_executable, ffmpeg_version, has_filter, run_ffmpeg


@pytest.fixture
def fresh_lookup():
    ffmpeg_executable.cache_clear()
    yield
    ffmpeg_executable.cache_clear()


def test_the_bundled_ffmpeg_has_what_review_needs() -> None:
    exe = Path(ffmpeg_executable())
    assert exe.is_file()
    assert ffmpeg_version() >= (5, 1)
    for name in ("scale", "pad", "settb", "setpts", "setparams"):
        assert has_filter(name), name
    assert not has_filter("no_such_filter")


def test_a_wrong_override_says_what_to_fix(
    fresh_lookup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "missing-ffmpeg"))
    with pytest.raises(MediaError) as caught:
        ffmpeg_executable()
    assert "IMAGEIO_FFMPEG_EXE points at" in caught.value.message
    assert "unset IMAGEIO_FFMPEG_EXE" in caught.value.hint


def test_failures_quote_ffmpeg(tmp_path: Path) -> None:
    with pytest.raises(MediaError) as caught:
        run_ffmpeg(
            ["-i", str(tmp_path / "nothing.png"), str(tmp_path / "x.png")],
            what="Converting nothing",
        )
    message = caught.value.message
    assert message.startswith("Converting nothing failed (ffmpeg exit status")
    assert "No such file or directory" in message


def test_progress_follows_frames(tmp_path: Path) -> None:
    seen = []
    run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=25",
            "-frames:v",
            "40",
            "-c:v",
            "libx264",
            str(tmp_path / "x.mp4"),
        ],
        what="Test",
        total_frames=40,
        progress=lambda f, m: seen.append((f, m)),
    )
    assert seen and seen[-1] == (1.0, "Test: frame 40/40")
    assert all(0.0 <= f <= 1.0 for f, _ in seen)
    assert ffmpeg_module.cfr_arguments() in (["-fps_mode", "cfr"], ["-vsync", "cfr"])


def test_the_bundled_ffmpegs_version_is_read_from_its_name_without_running_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """imageio-ffmpeg names its binary after ffmpeg's version: a publish process starts no
    ``ffmpeg -version`` of its own (finding the binary already ran it once)."""
    exe = ffmpeg_executable()
    banner = subprocess.run([exe, "-hide_banner", "-version"], capture_output=True, text=True)
    said = re.search(r"ffmpeg version \D*(\d+)\.(\d+)", banner.stdout)
    assert said is not None, banner.stdout[:200]
    started: List[Any] = []
    monkeypatch.setattr(ffmpeg_module, "_ffmpeg_says", lambda *a: started.append(a) or "")
    ffmpeg_version.cache_clear()
    try:
        assert ffmpeg_version() == (int(said.group(1)), int(said.group(2)))
    finally:
        ffmpeg_version.cache_clear()
    assert started == []


def test_the_bundled_ffmpeg_is_found_without_running_it(
    fresh_lookup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """imageio-ffmpeg's lookup runs ``ffmpeg -version`` to see that it starts: one process
    per publish process. Its binary is found by its name; a start that fails is said by
    :func:`run_ffmpeg` (test_failures_quote_ffmpeg)."""
    monkeypatch.delenv("IMAGEIO_FFMPEG_EXE", raising=False)
    imageio_ffmpeg._utils._get_ffmpeg_exe.cache_clear()  # its lookup, as in a new process
    started: List[Any] = []
    real = subprocess.Popen.__init__

    def recording(self: Any, args: Any, *rest: Any, **kwargs: Any) -> None:
        started.append(args)
        real(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", recording)
    exe = ffmpeg_executable()
    assert started == []
    assert Path(exe) == Path(imageio_ffmpeg.get_ffmpeg_exe())  # the binary imageio runs


def test_an_ffmpeg_that_hangs_is_a_media_error_that_says_what_to_check(
    fresh_lookup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A probe of an ffmpeg that never answers ends in :class:`MediaError` (which ``has_filter``
    and a publish report), not in ``subprocess.TimeoutExpired`` escaping from the media layer."""
    hung = tmp_path / "ffmpeg"
    hung.write_text("#!/bin/sh\nexec sleep 600\n", encoding="utf-8")
    hung.chmod(0o755)
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(hung))
    with pytest.raises(MediaError) as caught:
        ffmpeg_module.run_captured(["-hide_banner", "-filters"], timeout=0.5)
    assert "did not finish" in caught.value.message
    assert "ffmpeg -version" in (caught.value.hint or "")
