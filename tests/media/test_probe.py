"""probe_movie (ffmpeg alone) agrees with real ffprobe; verify_review_movie names each mismatch."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from media_helpers import ffprobe_stream, ffprobe_stream_and_boxes, make_frames, make_movie

from ft_dcc.exceptions import MediaError
from ft_dcc.media import encode_review, probe_movie, review_metadata, verify_review_movie
from ft_dcc.media.probe import MovieInfo, is_faststart, top_level_boxes


@pytest.mark.parametrize(
    ("fps", "extra"),
    [
        ("30000/1001", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-profile:v", "main"]),
        ("25", ["-c:v", "libx264", "-pix_fmt", "yuv444p"]),
        ("24", ["-c:v", "mpeg4", "-pix_fmt", "yuv420p"]),
        ("50", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]),
    ],
)
def test_probe_agrees_with_ffprobe(tmp_path: Path, ffprobe_exe: str, fps: str, extra) -> None:
    movie = make_movie(tmp_path / "m.mp4", 17, fps=fps, size=(96, 54), extra=extra)

    info = probe_movie(movie)
    judge, boxes = ffprobe_stream_and_boxes(ffprobe_exe, movie)

    assert info.codec == judge["codec_name"]
    assert info.profile == judge.get("profile")
    assert info.pix_fmt == judge["pix_fmt"]
    assert (info.width, info.height) == (judge["width"], judge["height"])
    assert info.fps == Fraction(judge["r_frame_rate"])
    assert info.frame_count == int(judge["nb_read_frames"]) == 17
    assert info.duration == pytest.approx(17 / Fraction(fps), abs=1e-6)
    assert info.constant_frame_rate
    assert info.faststart == (boxes.index("moov") < boxes.index("mdat"))
    assert top_level_boxes(movie) == boxes


def test_faststart_is_read_from_the_box_order(tmp_path: Path) -> None:
    plain = make_movie(tmp_path / "plain.mp4", 5)
    fast = make_movie(
        tmp_path / "fast.mp4",
        5,
        extra=["-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart"],
    )
    assert top_level_boxes(plain)[-1] == "moov" and not is_faststart(plain)
    assert top_level_boxes(fast)[:2] == ["ftyp", "moov"] and is_faststart(fast)


def test_verify_accepts_a_good_review(tmp_path: Path) -> None:
    files = make_frames(tmp_path / "f", 12)
    movie = encode_review(files, tmp_path / "r.mp4", Fraction(24000, 1001))
    info = verify_review_movie(movie, frame_count=12, fps=23.976, width=64, height=48)
    assert info.fps == Fraction(24000, 1001) and info.frame_count == 12


def test_verify_catches_wrong_fps_and_short_movie(tmp_path: Path) -> None:
    files = make_frames(tmp_path / "f", 12)
    movie = encode_review(files, tmp_path / "r.mp4", 24)
    with pytest.raises(MediaError) as caught:
        verify_review_movie(movie, frame_count=13, fps=Fraction(24000, 1001), width=1920)
    text = caught.value.message
    assert "it has 12 frames, expected 13" in text
    assert "frame rate is 24, expected 24000/1001 (23.976)" in text
    assert "width is 64, expected 1920" in text
    assert "codec" not in text and "faststart" not in text


def test_verify_names_every_browser_problem(tmp_path: Path) -> None:
    movie = make_movie(
        tmp_path / "bad.mp4",
        8,
        fps="25",
        size=(64, 48),
        extra=["-c:v", "mpeg4", "-pix_fmt", "yuv420p"],
    )
    with pytest.raises(MediaError) as caught:
        verify_review_movie(movie, frame_count=8, fps=25)
    text = caught.value.message
    assert "codec is mpeg4, not h264" in text
    assert "not faststart" in text
    assert "pixel format" not in text
    rgb = make_movie(tmp_path / "rgb.mp4", 8, extra=["-c:v", "libx264", "-pix_fmt", "yuv444p"])
    with pytest.raises(MediaError, match="pixel format is yuv444p, not yuv420p"):
        verify_review_movie(rgb, frame_count=8, fps=25)


def test_review_metadata_is_ftr_meta() -> None:
    info = MovieInfo(
        codec="h264",
        profile="High",
        pix_fmt="yuv420p",
        width=1920,
        height=1080,
        fps=Fraction(24000, 1001),
        frame_count=100,
        duration=4.17,
        faststart=True,
    )
    meta = review_metadata(info, 1001)
    assert meta == {
        "frameIn": 1001,
        "frameOut": 1101,
        "frameRate": pytest.approx(23.976, 1e-4),
        "width": 1920,
        "height": 1080,
    }
    whole = review_metadata(attr_evolve(info, fps=Fraction(25)), 0)
    assert whole["frameRate"] == 25 and isinstance(whole["frameRate"], int)
    assert whole["frameOut"] == 100


def attr_evolve(info: MovieInfo, **changes) -> MovieInfo:
    import attr

    return attr.evolve(info, **changes)


def test_missing_and_corrupt_movies_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist"):
        probe_movie(tmp_path / "nope.mp4")
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"garbage" * 50)
    with pytest.raises(MediaError, match=r"ffmpeg cannot read .*junk\.mp4"):
        probe_movie(junk)
    good = make_movie(tmp_path / "good.mp4", 10)
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(MediaError, match="cannot read"):
        probe_movie(truncated)
    audio_only = tmp_path / "audio.m4a"
    from media_helpers import ffmpeg

    ffmpeg("-f", "lavfi", "-i", "sine=d=0.2", "-c:a", "aac", str(audio_only))
    with pytest.raises(MediaError, match="has no video stream"):
        probe_movie(audio_only)


def test_variable_frame_rate_is_reported_and_fixed_by_encoding(
    tmp_path: Path, ffprobe_exe: str
) -> None:
    vfr = make_movie(
        tmp_path / "vfr.mp4",
        12,
        fps="25",
        extra=[
            "-vf",
            "setpts='if(lt(N,6),N,2*N)/(25*TB)'",
            "-fps_mode",
            "passthrough",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
        ],
    )
    shown = int(ffprobe_stream(ffprobe_exe, vfr)["nb_read_frames"])  # 11 where ffmpeg 7.0's
    info = probe_movie(vfr)  # muxer hides the last frame behind its edit list, else 12
    assert info.frame_count == shown and not info.constant_frame_rate
    with pytest.raises(MediaError, match="frame rate is variable"):
        verify_review_movie(vfr, frame_count=shown, fps=info.fps)
    fixed = encode_review(vfr, tmp_path / "r.mp4", 25)
    assert verify_review_movie(fixed, frame_count=shown, fps=25).constant_frame_rate
