"""encode_review with real ffmpeg, judged by Debian's real ffprobe and by decoding frames back."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import List, Tuple

import pytest
from media_helpers import (
    decode_rgb,
    ffmpeg,
    ffprobe_stream_and_boxes,
    ffprobe_streams,
    frame_indices,
    make_frames,
    make_movie,
    red_levels,
)

from ft_dcc.exceptions import MediaError
from ft_dcc.media import encode_review


def assert_browser_review(ffprobe: str, movie: Path, frames: int, rate: str) -> dict:
    stream, boxes = ffprobe_stream_and_boxes(ffprobe, movie)
    assert stream["codec_name"] == "h264"
    assert stream["profile"] == "High"
    assert stream["pix_fmt"] == "yuv420p"
    assert int(stream["nb_read_frames"]) == frames
    assert stream["r_frame_rate"] == rate
    assert stream["avg_frame_rate"] == rate
    assert stream["width"] % 2 == 0 and stream["height"] % 2 == 0
    assert boxes.index("moov") < boxes.index("mdat"), boxes  # faststart
    return stream


@pytest.mark.parametrize(
    ("fps", "rate"), [(Fraction(24000, 1001), "24000/1001"), (Fraction(25), "25/1")]
)
def test_sequence_encodes_frame_accurately(
    tmp_path: Path, ffprobe_exe: str, fps: Fraction, rate: str
) -> None:
    files = make_frames(tmp_path / "frames", 30)
    seen: List[Tuple[float, str]] = []

    movie = encode_review(
        files, tmp_path / "review.mp4", fps, progress=lambda f, m: seen.append((f, m))
    )

    stream = assert_browser_review(ffprobe_exe, movie, 30, rate)
    assert (stream["width"], stream["height"]) == (64, 48)
    assert stream["color_space"] == "bt709"
    assert stream["color_primaries"] == "bt709"
    assert stream["color_transfer"] == "bt709"
    assert frame_indices(movie) == list(range(30))  # every frame once, in order
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("frame 30/30" in m for _, m in seen)


def test_2997_from_float_fps_stays_exact(tmp_path: Path, ffprobe_exe: str) -> None:
    files = make_frames(tmp_path / "frames", 12)
    movie = encode_review(files, tmp_path / "r.mp4", 29.97)
    assert_browser_review(ffprobe_exe, movie, 12, "30000/1001")


@pytest.mark.parametrize("form", ["shot.%04d.png", "shot.####.png", "shot.1007.png"])
def test_pattern_and_single_frame_inputs(tmp_path: Path, ffprobe_exe: str, form: str) -> None:
    make_frames(tmp_path / "frames", 10)
    movie = encode_review(tmp_path / "frames" / form, tmp_path / "r.mp4", 25)
    assert_browser_review(ffprobe_exe, movie, 10, "25/1")
    assert frame_indices(movie) == list(range(10))


def test_gaps_hold_the_previous_frame(tmp_path: Path, ffprobe_exe: str) -> None:
    files = make_frames(tmp_path / "frames", 10)
    for index in (3, 4, 8):
        files[index].unlink()
    messages: List[str] = []

    movie = encode_review(
        [f for f in files if f.exists()],
        tmp_path / "r.mp4",
        24,
        progress=lambda f, m: messages.append(m),
    )

    assert_browser_review(ffprobe_exe, movie, 10, "24/1")
    assert frame_indices(movie) == [0, 1, 2, 2, 2, 5, 6, 7, 7, 9]
    assert any("1004-1005, 1009 are missing" in m for m in messages)


def test_an_explicit_list_with_repeats_is_used_as_given(tmp_path: Path) -> None:
    files = make_frames(tmp_path / "frames", 3)
    movie = encode_review([files[0], files[0], files[2], files[1]], tmp_path / "r.mp4", 25)
    assert frame_indices(movie) == [0, 0, 2, 1]


def test_odd_input_size_becomes_even_without_scaling(tmp_path: Path, ffprobe_exe: str) -> None:
    files = make_frames(tmp_path / "frames", 5, size=(321, 241), source="testsrc")
    movie = encode_review(files, tmp_path / "r.mp4", 25)
    stream = assert_browser_review(ffprobe_exe, movie, 5, "25/1")
    assert (stream["width"], stream["height"]) == (322, 242)


def test_size_fits_and_letterboxes_keeping_aspect(tmp_path: Path, ffprobe_exe: str) -> None:
    files = make_frames(tmp_path / "frames", 4, size=(200, 200))  # square picture
    movie = encode_review(files, tmp_path / "r.mp4", 25, size=(321, 179))
    stream = assert_browser_review(ffprobe_exe, movie, 4, "25/1")
    assert (stream["width"], stream["height"]) == (322, 180)
    # the square picture sits in the middle; the sides are black bars
    ffmpeg("-i", str(movie), "-frames:v", "1", "-vf", "crop=40:180:0:0", str(tmp_path / "l.png"))
    ffmpeg("-i", str(movie), "-frames:v", "1", "-vf", "crop=40:180:141:0", str(tmp_path / "c.png"))
    assert red_levels(tmp_path / "l.png", channel=1)[0] < 20  # green is 128 in the picture
    assert abs(red_levels(tmp_path / "c.png", channel=1)[0] - 128) < 8


def test_colours_survive_the_yuv_conversion(tmp_path: Path) -> None:
    frames = tmp_path / "frames"
    frames.mkdir()
    for index, colour in enumerate(["0xFF0000", "0x20C040", "0x0000FF"], start=1):
        ffmpeg(
            "-f",
            "lavfi",
            "-i",
            f"color=c={colour}:s=32x32,format=rgb24",
            "-frames:v",
            "1",
            str(frames / f"c.{index:04d}.png"),
        )
    movie = encode_review(frames / "c.####.png", tmp_path / "r.mp4", 25)
    raw = _decoded_pixels(movie, 3)
    assert _close(raw[0], (255, 0, 0))
    assert _close(raw[1], (0x20, 0xC0, 0x40))
    assert _close(raw[2], (0, 0, 255))


def _decoded_pixels(movie: Path, count: int) -> List[Tuple[int, int, int]]:
    """The centre pixel of each of the first ``count`` 32 x 32 frames (one decode)."""
    raw = decode_rgb(movie, "null", "-fps_mode", "passthrough", "-frames:v", str(count))
    frame, centre = 32 * 32 * 3, (16 * 32 + 16) * 3
    assert len(raw) == count * frame, len(raw)
    starts = (index * frame + centre for index in range(count))
    return [(raw[at], raw[at + 1], raw[at + 2]) for at in starts]


def _close(actual, expected, tolerance: int = 6) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


def test_movie_input_keeps_every_frame_at_the_new_rate(tmp_path: Path, ffprobe_exe: str) -> None:
    source = make_movie(
        tmp_path / "edit.mov",
        20,
        fps="30",
        extra=["-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "10"],
    )
    movie = encode_review(source, tmp_path / "r.mp4", Fraction(24000, 1001))
    assert_browser_review(ffprobe_exe, movie, 20, "24000/1001")
    assert frame_indices(movie, reference=red_levels(source)) == list(range(20))


def test_missing_frames_fail_clearly(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="No frames found"):
        encode_review(tmp_path / "shot.%04d.png", tmp_path / "r.mp4", 25)
    with pytest.raises(MediaError, match="Frame files are missing"):
        encode_review([tmp_path / "a.0001.png"], tmp_path / "r.mp4", 25)
    with pytest.raises(MediaError, match=r"movie .* does not exist"):
        encode_review(tmp_path / "edit.mov", tmp_path / "r.mp4", 25)
    assert not (tmp_path / "r.mp4").exists()


def test_corrupt_frame_fails_with_ffmpegs_words_and_leaves_no_output(tmp_path: Path) -> None:
    files = make_frames(tmp_path / "frames", 4)
    files[2].write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    output = tmp_path / "r.mp4"
    output.write_bytes(b"previous good movie")

    with pytest.raises(MediaError) as caught:
        encode_review(files, output, 25)

    text = str(caught.value)
    assert f"The frame {files[2]} cannot be read" in text
    assert "Encoding r.mp4 failed (ffmpeg exit status" in text
    assert "\n[" in text  # ffmpeg's own log lines follow ours
    assert output.read_bytes() == b"previous good movie"
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_without_links_the_concat_list_is_still_frame_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ft_dcc.media.encode as encode_module

    def refuse(source: Path, link: Path) -> None:
        raise OSError("links are not allowed here")

    monkeypatch.setattr(encode_module, "_link", refuse)
    files = make_frames(tmp_path / "frames", 6)
    movie = encode_review([files[0], files[2], files[2], files[5]], tmp_path / "r.mp4", 25)
    assert frame_indices(movie) == [0, 2, 2, 5]


def test_percent_signs_in_paths_are_not_patterns(tmp_path: Path) -> None:
    make_frames(tmp_path / "plain", 4)
    (tmp_path / "plain").rename(tmp_path / "100%_final")
    files = sorted((tmp_path / "100%_final").glob("*.png"))
    movie = encode_review(files, tmp_path / "r.mp4", 25)
    assert frame_indices(movie) == [0, 1, 2, 3]


def test_a_movies_sound_is_kept_at_the_pictures_length(tmp_path: Path, ffprobe_exe: str) -> None:

    edit = tmp_path / "edit.mov"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=64x48:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=3",
        "-frames:v",
        "40",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        str(edit),
    )
    movie = encode_review(edit, tmp_path / "r.mp4", 25)
    assert_browser_review(ffprobe_exe, movie, 40, "25/1")
    streams = ffprobe_streams(
        ffprobe_exe, movie, "-show_entries", "stream=codec_type,codec_name,duration"
    )
    audio = [s for s in streams if s["codec_type"] == "audio"]
    assert len(audio) == 1 and audio[0]["codec_name"] == "aac"
    assert abs(float(audio[0]["duration"]) - 1.6) < 0.05  # 40 frames at 25 fps
    retimed = encode_review(edit, tmp_path / "retimed.mp4", 24)
    assert (
        ffprobe_streams(
            ffprobe_exe, retimed, "-select_streams", "a", "-show_entries", "stream=codec_type"
        )
        == []
    )


def _packet_checksums(movie: Path) -> List[str]:
    import subprocess

    from ft_dcc.media.ffmpeg import ffmpeg_executable

    listing = subprocess.run(
        [ffmpeg_executable(), "-v", "error", "-i", str(movie), "-map", "0:v:0", "-c", "copy",
         "-f", "framecrc", "-"], check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [line.split(",")[5].strip() for line in listing.splitlines() if line[:1] == "0"]


def test_a_review_ready_movie_is_copied_not_reencoded(tmp_path: Path, ffprobe_exe: str) -> None:
    ready = make_movie(
        tmp_path / "ready.mp4",
        30,
        fps="24000/1001",
        size=(64, 48),
        extra=["-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p"],
    )
    movie = encode_review(ready, tmp_path / "r.mp4", Fraction(24000, 1001))
    assert_browser_review(ffprobe_exe, movie, 30, "24000/1001")  # now faststart too
    assert _packet_checksums(movie) == _packet_checksums(ready)  # the same coded pictures

    main = make_movie(
        tmp_path / "main.mp4",
        30,
        fps="25",
        extra=["-c:v", "libx264", "-profile:v", "main", "-pix_fmt", "yuv420p"],
    )
    reencoded = encode_review(main, tmp_path / "m.mp4", 25)
    assert assert_browser_review(ffprobe_exe, reencoded, 30, "25/1")["profile"] == "High"
    assert _packet_checksums(reencoded) != _packet_checksums(main)
    resized = encode_review(ready, tmp_path / "s.mp4", Fraction(24000, 1001), size=(128, 96))
    assert _packet_checksums(resized) != _packet_checksums(ready)


def test_a_progress_sink_can_cancel_the_encode(tmp_path: Path) -> None:
    files = make_frames(tmp_path / "frames", 30, size=(320, 240), source="testsrc")

    def cancel(fraction: float, message: str) -> None:
        if "frame" in message and fraction > 0:
            raise KeyboardInterrupt("the artist pressed cancel")

    with pytest.raises(KeyboardInterrupt):
        encode_review(files, tmp_path / "r.mp4", 25, progress=cancel)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["frames"]  # no partial movie left
