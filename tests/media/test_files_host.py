"""The files host over real frames and movies, through capture, encode and verify."""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path

import pytest
from media_helpers import frame_indices, make_frames, make_movie

from ft_dcc.exceptions import CaptureError
from ft_dcc.host.files import FilesHost
from ft_dcc.media import encode_review, probe_movie, verify_review_movie
from ft_dcc.publish.host_port import CaptureSpec


def test_sequence_host_reads_everything_from_the_files(tmp_path: Path) -> None:
    make_frames(tmp_path / "f", 10, start=1001, size=(65, 33))
    host = FilesHost(tmp_path / "f" / "shot.1004.png")

    assert host.name == "files"
    assert host.scene_path() == tmp_path / "f" / "shot.1004.png"
    assert not host.has_unsaved_changes() and host.save_scene() == host.scene_path()
    assert host.frame_range() == (1001, 1010)
    assert host.fps() == Fraction(24)
    assert host.resolution() == (65, 33)
    assert host.cameras() == [] and host.current_camera() is None
    assert FilesHost(tmp_path / "f" / "shot.####.png", fps=23.976).fps() == Fraction(24000, 1001)
    assert FilesHost(tmp_path / "f" / "shot.%04d.png", frame_range=(1003, 1005)).frame_range() == (
        1003,
        1005,
    )


def test_capture_lists_frames_in_place_and_holds_gaps(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = make_frames(tmp_path / "f", 10, start=1001)
    files[4].unlink()  # frame 1005
    host = FilesHost(tmp_path / "f" / "shot.%04d.png", fps=25)
    out_dir = tmp_path / "capture"
    stages = []

    with caplog.at_level(logging.WARNING):
        result = host.capture(
            host.default_spec(frame_end=1011),
            out_dir,
            lambda stage, fraction, message="": stages.append(stage),
        )

    assert result.first_frame == 1001 and not result.is_movie
    assert len(result.files) == 11
    assert result.files[4] == files[3] and result.files[10] == files[9]  # held frames
    assert all(path.parent == tmp_path / "f" for path in result.files)  # nothing copied
    assert not out_dir.exists() or not any(out_dir.iterdir())
    assert "Frames 1005, 1011" in caplog.text
    assert stages and set(stages) == {"capture"}


def test_sequence_through_encode_and_verify(tmp_path: Path) -> None:
    make_frames(tmp_path / "f", 12, start=1001)
    host = FilesHost(tmp_path / "f" / "shot.####.png", fps="24000/1001")
    spec = host.default_spec(frame_start=1003)
    result = host.capture(spec, tmp_path / "cap")

    movie = encode_review(
        list(result.files),
        tmp_path / "r.mp4",
        spec.fps,
        first_frame=result.first_frame,
        size=(spec.width, spec.height),
    )

    info = verify_review_movie(movie, frame_count=spec.frame_count, fps=spec.fps)
    assert info.frame_count == 10
    assert frame_indices(movie) == list(range(2, 12))


def test_movie_host_whole_and_part(tmp_path: Path) -> None:
    source = make_movie(tmp_path / "edit.mov", 20, fps="30000/1001", size=(80, 60))
    host = FilesHost(source)
    assert host.fps() == Fraction(30000, 1001)
    assert host.frame_range() == (1, 20)
    assert host.resolution() == (80, 60)

    whole = host.capture(host.default_spec(), tmp_path / "cap")
    assert whole.is_movie and whole.files == (source,) and whole.first_frame == 1

    part = host.capture(host.default_spec(frame_start=6, frame_end=15), tmp_path / "cap")
    assert part.is_movie and part.first_frame == 6
    assert probe_movie(part.files[0]).frame_count == 10
    movie = encode_review(part.files[0], tmp_path / "r.mp4", host.fps())
    verify_review_movie(movie, frame_count=10, fps=Fraction(30000, 1001))
    from media_helpers import red_levels

    assert frame_indices(movie, reference=red_levels(source)) == list(range(5, 15))

    with pytest.raises(CaptureError, match="outside it"):
        host.capture(host.default_spec(frame_end=21), tmp_path / "cap")
    with pytest.raises(CaptureError, match="outside it"):
        FilesHost(source, frame_range=(0, 5))


def test_a_cut_movie_keeps_exact_timing_and_its_sound(tmp_path: Path) -> None:
    from media_helpers import ffmpeg

    edit = tmp_path / "edit.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x48:rate=24000/1001", "-f", "lavfi", "-i",
           "sine=duration=3", "-frames:v", "48", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           "-c:a", "aac", str(edit))  # fmt: skip
    host = FilesHost(edit)
    spec = host.default_spec(frame_start=11, frame_end=34)
    cut = host.capture(spec, tmp_path / "cap").files[0]
    info = probe_movie(cut)
    assert (info.frame_count, info.fps, info.has_audio) == (24, Fraction(24000, 1001), True)
    movie = encode_review(cut, tmp_path / "r.mp4", host.fps())
    assert probe_movie(movie).has_audio
    verify_review_movie(movie, frame_count=24, fps=Fraction(24000, 1001))


def test_handles_media_but_not_scenes() -> None:
    for path in ("edit.mov", "a/shot.%04d.exr", "shot.####.png", "shot.1001.jpg", "x.MP4"):
        assert FilesHost.handles(path), path
    for path in ("scene.blend", "shot.ma", "comp.nk", "notes.txt"):
        assert not FilesHost.handles(path), path


def test_missing_inputs_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="No frames found"):
        FilesHost(tmp_path / "shot.%04d.png")
    with pytest.raises(CaptureError, match="does not exist"):
        FilesHost(tmp_path / "edit.mov")
    make_frames(tmp_path / "g", 2)
    for bad in ("fast", 0, "24/0"):
        with pytest.raises(CaptureError, match="Invalid frame rate"):
            FilesHost(tmp_path / "g" / "shot.%04d.png", fps=bad)
    make_frames(tmp_path / "f", 3, start=1)
    host = FilesHost(tmp_path / "f" / "shot.####.png")
    spec = CaptureSpec(camera=None, frame_start=50, frame_end=60, fps=24, width=64, height=48)
    with pytest.raises(CaptureError, match="No frame of 50-60 exists"):
        host.capture(spec, tmp_path / "cap")
