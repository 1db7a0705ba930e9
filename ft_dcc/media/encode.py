"""Encode frames or a movie into a browser-playable, frame-accurate H.264 review movie.

Every input frame becomes exactly one output frame: frames are read in order (in place with the
image2 demuxer, or through links for gap-filled lists), renumbered onto the exact rational time
grid (``settb=1/fps, setpts=N, fps``) and written at a constant rate, so 24000/1001 stays
24000/1001 and nothing is dropped or duplicated; the written frame count is checked. Odd
sizes are padded (or scaled and letterboxed to ``size``) to even dimensions; RGB is converted
with the BT.709 matrix and tagged BT.709, so colours survive.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import IO, Any, Callable, List, Optional, Sequence, Tuple, Union

import attr

from ft_dcc.exceptions import MediaError
from ft_dcc.media._fps import Fps, as_fraction, fps_arg
from ft_dcc.media.audio import AudioInput, audio_arguments
from ft_dcc.media.burnin import Burnin, burnin_filters
from ft_dcc.media.colour import ColourTransform
from ft_dcc.media.ffmpeg import cfr_arguments, run_ffmpeg
from ft_dcc.media.probe import image_size, probe_movie
from ft_dcc.media.sequence import (
    FrameSequence,
    describe_frames,
    frame_number,
    is_image,
    is_movie,
)

log = logging.getLogger(__name__)

FramesInput = Union[Sequence[Path], Path, str]

# libx264's speed/size trade-off for review movies, measured against the frames (SSIM, ffmpeg's
# ssim filter): veryfast at CRF 15 looks at least as good as medium at CRF 18 did (testsrc2 and
# mandelbrot at 1280x720: 0.9989/0.9961 vs 0.9987/0.9960; mandelbrot at 640x360: 0.9954 vs
# 0.9952; ffmpeg's default CRF 23 gives 0.9965/0.9931/0.9920) in 0.55-0.65x medium's encode time,
# for files 14-33% larger. tests/media/test_encode_quality.py holds the floor.
REVIEW_PRESET = "veryfast"
REVIEW_CRF = 15


def encode_review(
    frames: FramesInput,
    output: Path,
    fps: Fps,
    *,
    first_frame: int = 1,
    size: Optional[Tuple[int, int]] = None,
    crf: int = REVIEW_CRF,
    burnin: Optional[Burnin] = None,
    colour: Optional[ColourTransform] = None,
    audio: Optional[AudioInput] = None,
    sound: bool = True,
    progress: Optional[Callable[[float, str], None]] = None,
) -> Path:
    """Encode ``frames`` to ``output`` (H.264 High, yuv420p, CFR ``fps``, +faststart).

    ``frames`` is an ordered list of frame files (numbered names with gaps are filled by holding
    the previous frame, with a warning), a sequence path (``%04d``, ``####`` or one frame), or a
    movie (one already H.264 High yuv420p at ``fps`` is copied, not re-encoded, unless ``size``
    or ``burnin`` ask for changes). ``size`` fits the picture inside (width, height) keeping
    its aspect, letterboxed; without it the input size is kept (padded by one pixel when odd).
    ``first_frame`` numbers the burn-in; ``burnin`` draws burn-ins and/or adds a slate frame
    before the first one (the movie then holds one frame more, the sound starts one frame
    later). ``colour`` makes scene-linear frames display-referred
    (an OCIO transform applied to every decoded frame before encoding; a movie is then always
    re-encoded). ``audio`` is the review's sound (instead of a movie's own), placed on the
    picture's time line and cut or padded to it; ``sound=False`` makes a silent review (no
    ``audio``, a movie's own sound dropped). ``crf`` is libx264's constant rate factor
    (lower: better and larger). ``progress(fraction, message)`` follows ffmpeg.
    Returns ``output``; raises :class:`MediaError` with ffmpeg's last lines on failure
    (``output`` is then untouched).
    """
    rate = as_fraction(fps)
    output = Path(output)
    report = progress or (lambda fraction, message: None)
    movie = _as_movie(frames)
    audio = audio if sound else None
    with tempfile.TemporaryDirectory(prefix="ft_dcc_encode_") as scratch:
        if movie is not None and colour is None and audio is None:
            info = probe_movie(movie)
            if _review_ready(info, rate, size, burnin):
                return _remux(movie, info, output, rate, report, sound)
        source = _source(frames, movie, Path(scratch), rate, colour, report, sound)
        source = _with_audio(source, audio)
        slate = burnin.slate_frames if burnin is not None else 0
        total = source.total + slate
        out_size = output_size(source.size, size)
        filters = _video_filters(rate, source.size, out_size, source.total)
        filters += _burnin_filters(burnin, Path(scratch), out_size, first_frame)
        args = _encode_arguments(source, rate, crf, slate, filters, _partial_path(output))
        report(0.0, f"encoding {total} frames at {_rate_text(rate)} fps")
        _write_verified(
            lambda: _run_encode(args, output, source, total, report),
            output,
            total,
            what=f"Encoding {output.name}",
            hint="check that the input frames are complete and readable",
        )
    report(1.0, f"encoded {output.name}")
    return output


def _burnin_filters(
    burnin: Optional[Burnin], scratch: Path, size: Tuple[int, int], first_frame: int
) -> List[str]:
    """The burn-in and slate filters, none without ``burnin``."""
    return [] if burnin is None else burnin_filters(burnin, scratch, size, first_frame)


def _encode_arguments(
    source: _Source, rate: Fraction, crf: int, slate: int, filters: List[str], partial: Path
) -> List[str]:
    """ffmpeg's arguments of a review encode of ``source`` into ``partial``."""
    return [
        "-xerror",  # a frame that cannot be decoded fails the encode instead of vanishing
        *source.input_args,
        "-map", "0:v:0", *_placed_audio(source, rate, slate), "-sn", "-dn",
        "-vf", ",".join(filters),
        *_h264_arguments(rate, crf),
        "-movflags", "+faststart",
        "-f", "mp4", str(partial),
    ]  # fmt: skip


@attr.s(auto_attribs=True, frozen=True)
class _Source:
    """What the encoder reads: its input arguments, sound, frame count, size, stdin feed."""

    input_args: List[str]
    audio: Optional[Tuple[int, Fraction]]  # (input index, start in seconds) of the sound
    total: int
    size: Tuple[int, int]
    files: List[Path]  # the frame files (to name an unreadable one), empty for a movie
    feed: Optional[Callable[[IO[bytes]], None]] = None


def _with_audio(source: _Source, audio: Optional[AudioInput]) -> _Source:
    """``source`` with ``audio`` as its sound (one more input), when there is one."""
    if audio is None:
        return source
    index = sum(1 for arg in source.input_args if arg == "-i")
    return attr.evolve(
        source, input_args=[*source.input_args, "-i", str(audio.path)], audio=(index, audio.start)
    )


def _placed_audio(source: _Source, rate: Fraction, lead: int) -> List[str]:
    """The sound's output arguments: after ``lead`` added frames (a slate), cut to the end."""
    if source.audio is None:
        return ["-an"]
    index, start = source.audio
    delay = Fraction(lead) / rate
    return audio_arguments(index, start + delay, (source.total + lead) / rate)


def _source(
    frames: FramesInput,
    movie: Optional[Path],
    scratch: Path,
    rate: Fraction,
    colour: Optional[ColourTransform],
    report: Callable[[float, str], None],
    sound: bool = True,
) -> _Source:
    """The encoder's input for ``frames``: read directly, or decoded through ``colour``."""
    files: List[Path] = []
    if movie is not None:
        info = probe_movie(movie)
        if info.fps != rate:
            log.warning("%s runs at %s fps; it is retimed to %s fps, every frame kept once",
                        movie, info.fps, rate)  # fmt: skip
        total, size = info.frame_count, (info.width, info.height)
        input_args = ["-i", str(movie)]
        kept = _keeps_sound(info, rate, sound)
        audio = (1 if colour is not None else 0, Fraction(0)) if kept else None
    else:
        files = _frame_files(frames, report)
        total, size = len(files), image_size(files[0])
        input_args = image_input_arguments(files, scratch, rate)
        audio = None
    if colour is None:
        return _Source(input_args, audio, total, size, files)
    from ft_dcc.media.colour_feed import raw_input_arguments, transformed_feed

    feed = transformed_feed(input_args, size, colour, total)
    piped = raw_input_arguments(size, rate)
    if movie is not None and audio is not None:
        piped += ["-i", str(movie)]  # the sound still comes from the movie
    return _Source(piped, audio, total, size, files, feed)


def _partial_path(output: Path) -> Path:
    """Where a movie is written before it is verified (hidden, next to ``output``)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    return output.with_name(f".{output.stem}.partial{output.suffix or '.mp4'}")


def _write_verified(
    write: Callable[[], Any], output: Path, frame_count: int, *, what: str, hint: str
) -> None:
    """Run ``write`` (which fills ``_partial_path(output)``), check the movie holds exactly
    ``frame_count`` frames, then move it to ``output``; a failed or short write leaves nothing."""
    partial = _partial_path(output)
    try:
        write()
        written = probe_movie(partial).frame_count
        if written != frame_count:
            raise MediaError(f"{what} wrote {written} frames instead of {frame_count}.", hint=hint)
        os.replace(partial, output)
    finally:
        if partial.exists():
            partial.unlink()


def _review_ready(
    info: Any, rate: Fraction, size: Optional[Tuple[int, int]], burnin: Optional[Burnin]
) -> bool:
    """True when a movie's picture already is what review needs, so it can be copied as is."""
    return (
        info.codec == "h264"
        and info.profile == "High"
        and info.pix_fmt == "yuv420p"
        and info.constant_frame_rate
        and info.fps == rate
        and info.width % 2 == 0
        and info.height % 2 == 0
        and (size is None or tuple(size) == (info.width, info.height))
        and burnin is None
    )


def _remux(
    movie: Path, info: Any, output: Path, rate: Fraction, report: Callable[[float, str], None],
    sound: bool = True,
) -> Path:  # fmt: skip
    """Copy an already review-ready picture bit for bit into a faststart MP4 (no re-encode)."""
    report(0.0, f"{movie.name} is already H.264 High yuv420p at this rate: copying its picture")
    partial = _partial_path(output)
    args = ["-i", str(movie), "-map", "0:v:0", "-c:v", "copy",
            *_audio_arguments(info, rate, info.frame_count, sound), "-sn", "-dn",
            "-movflags", "+faststart", "-f", "mp4", str(partial)]  # fmt: skip
    _write_verified(
        lambda: run_ffmpeg(args, what=f"Copying {movie.name} into {output.name}"),
        output,
        info.frame_count,
        what=f"Copying {movie.name}",
        hint="the movie may be damaged: export it again",
    )
    report(1.0, f"encoded {output.name}")
    return output


def _keeps_sound(info: Any, rate: Fraction, sound: bool = True) -> bool:
    """A movie's own sound is kept unless the picture is retimed (or no sound is wanted)."""
    if not sound:
        return False
    if info.has_audio and info.fps != rate:
        log.warning("the sound is dropped: the picture is retimed from %s to %s fps",
                    info.fps, rate)  # fmt: skip
        return False
    return bool(info.has_audio)


def _audio_arguments(info: Any, rate: Fraction, total: int, sound: bool = True) -> List[str]:
    """A movie's own sound (AAC, cut or padded to the picture's length), when it is kept."""
    if not _keeps_sound(info, rate, sound):
        return ["-an"]
    return audio_arguments(0, Fraction(0), total / rate)


def _h264_arguments(rate: Fraction, crf: int) -> List[str]:
    """libx264 High, yuv420p, BT.709 tags, a keyframe every second, constant ``rate``."""
    return [
        "-c:v", "libx264", "-preset", REVIEW_PRESET, "-crf", str(int(crf)),
        "-profile:v", "high", "-pix_fmt", "yuv420p",
        "-g", str(max(1, round(float(rate)))),
        "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
        "-color_range", "tv",
        *cfr_arguments(), "-r", fps_arg(rate),
    ]  # fmt: skip


def _run_encode(
    args: List[str],
    output: Path,
    source: _Source,
    total: int,
    report: Callable[[float, str], None],
) -> None:
    """Run the encode; when it fails on frame files, name the first unreadable one."""
    try:
        run_ffmpeg(
            args,
            what=f"Encoding {output.name}",
            total_frames=total,
            progress=report,
            feed=source.feed,
        )
    except MediaError as error:
        bad = _first_unreadable(source.files) if source.files else None
        if bad is None:
            raise
        raise MediaError(
            f"The frame {bad} cannot be read (corrupt or truncated?). {error.message}",
            hint="render or copy that frame again",
        ) from error


def output_size(source: Tuple[int, int], size: Optional[Tuple[int, int]]) -> Tuple[int, int]:
    """The even (width, height) of the encoded movie for a ``source`` picture and ``size`` box."""
    if size is None:
        width, height = source
    else:
        width, height = size
    if width <= 0 or height <= 0:
        raise MediaError(f"Invalid output size {width}x{height}.", hint="give positive sizes")
    return width + width % 2, height + height % 2


def _video_filters(
    rate: Fraction, source: Tuple[int, int], out: Tuple[int, int], total: int
) -> List[str]:
    width, height = out
    # Renumber every frame onto the exact grid; ``fps`` re-stamps frame durations (ffmpeg 7.1+
    # would otherwise honour a variable-rate source's long durations with duplicates) and
    # ``trim`` stops at the last frame (no end padding; sound, if any, is not cut short).
    filters = [
        f"settb={rate.denominator}/{rate.numerator}",
        "setpts=N",
        f"fps={fps_arg(rate)}",
        f"trim=end_frame={total}",
    ]
    if source != out:
        if (source[0] + source[0] % 2, source[1] + source[1] % 2) != out:
            filters.append(
                f"scale={width}:{height}:force_original_aspect_ratio=decrease:flags=bicubic"
            )
        filters.append(f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2:color=black")
    filters += [
        "setsar=1",
        "scale=out_color_matrix=bt709:out_range=tv:flags=accurate_rnd+full_chroma_int",
        "format=yuv420p",
        "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709",
    ]
    return filters


def _as_movie(frames: FramesInput) -> Optional[Path]:
    if not isinstance(frames, (str, Path)):
        return None
    path = Path(frames)
    if is_movie(path) or (path.is_file() and not is_image(path)):  # unknown file: ffmpeg decides
        if not path.is_file():
            raise MediaError(f"The movie {path} does not exist.", hint="check the path")
        return path
    return None


def _frame_files(frames: FramesInput, report: Callable[[float, str], None]) -> List[Path]:
    """One file per output frame, in order; gaps between numbered files hold the previous one."""
    if isinstance(frames, (str, Path)):
        path = Path(frames)
        if path.is_file() and frame_number(path) is None:
            return [path]
        sequence = FrameSequence.from_path(path)
        files = [Path(f) for f in sequence.files()]
    else:
        files = [Path(f) for f in frames]
    if not files:
        raise MediaError("No frames to encode.", hint="capture or render the frames first")
    missing = [f for f in files if not f.is_file()]
    if missing:
        shown = ", ".join(str(f) for f in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise MediaError(
            f"Frame files are missing: {shown}{more}.",
            hint="render the missing frames, or publish a range that exists",
        )
    suffixes = {f.suffix.lower() for f in files}
    if len(suffixes) > 1:
        raise MediaError(
            f"The frames mix file types ({', '.join(sorted(suffixes))}).",
            hint="give frames of one image format",
        )
    return _fill_gaps(files, report)


def _fill_gaps(files: List[Path], report: Callable[[float, str], None]) -> List[Path]:
    found = [frame_number(f) for f in files]
    numbers = [n for n in found if n is not None]
    if len(numbers) < len(found) or any(b <= a for a, b in zip(numbers, numbers[1:])):
        return files  # not strictly increasing frame numbers: one output frame per entry
    filled: List[Path] = []
    held: List[int] = []
    for index, path in enumerate(files):
        if index:
            previous = numbers[index - 1]
            for frame in range(previous + 1, numbers[index]):
                held.append(frame)
                filled.append(files[index - 1])
        filled.append(path)
    if held:
        message = (
            f"frames {describe_frames(held)} are missing: holding the previous frame over each gap"
        )
        log.warning(message)
        report(0.0, message)
    return filled


def _first_unreadable(files: List[Path], limit: int = 500) -> Optional[Path]:
    """The first of ``files`` that ffmpeg cannot decode (checking at most ``limit`` files)."""
    import subprocess

    from ft_dcc.media.ffmpeg import _no_window, ffmpeg_executable

    for path in list(dict.fromkeys(files))[:limit]:
        result = subprocess.run(
            [ffmpeg_executable(), "-v", "error", "-xerror", "-i", str(path), "-f", "null", "-"],
            capture_output=True,
            check=False,
            **_no_window(),
        )
        if result.returncode != 0:
            return path
    return None


def image_input_arguments(files: List[Path], scratch: Path, rate: Fraction) -> List[str]:
    """ffmpeg input arguments reading ``files`` in order, each exactly once.

    A run of consecutively numbered files is read in place with the image2 demuxer. Any other
    list (gaps held, repeats) is linked into ``scratch`` as a consecutive run; where links are
    impossible, ffmpeg's concat demuxer reads the list (slower: it probes every file).
    """
    rate_args = ["-framerate", fps_arg(rate)]
    pattern_start = _consecutive_pattern(files)
    if pattern_start is not None:
        pattern, start = pattern_start
        return ["-f", "image2", *rate_args, "-start_number", str(start), "-i", pattern]
    suffix = files[0].suffix
    links = scratch / "frames"
    links.mkdir()
    try:
        for index, path in enumerate(files):
            _link(path.resolve(), links / f"f{index:07d}{suffix}")
    except OSError as error:
        log.debug("cannot link frames (%s); reading them through a concat list", error)
        listing = scratch / "frames.ffconcat"
        _write_concat(listing, files)
        return ["-f", "concat", "-safe", "0", "-i", str(listing)]
    return ["-f", "image2", *rate_args, "-start_number", "0", "-i", str(links / f"f%07d{suffix}")]


def _consecutive_pattern(files: List[Path]) -> Optional[Tuple[str, int]]:
    """(image2 pattern, first number) when ``files`` are one folder's consecutive frames."""
    first = files[0]
    match = re.match(r"^(.*?)(\d+)(\D*)$", first.name)
    if not match:
        return None
    head, digits, tail = match.groups()
    padding = len(digits) if digits.startswith("0") else 1
    start = int(digits)
    for offset, path in enumerate(files):
        expected = f"{head}{start + offset:0{padding}d}{tail}"
        if path.name != expected or path.parent != first.parent:
            return None
    number = f"%0{padding}d" if padding > 1 else "%d"
    escaped = [part.replace("%", "%%") for part in (str(first.parent / head), tail)]
    return f"{escaped[0]}{number}{escaped[1]}", start


def _link(source: Path, link: Path) -> None:
    try:
        os.symlink(source, link)
    except (OSError, NotImplementedError):
        os.link(source, link)  # Windows without symlink rights: a hard link (same volume)


def _write_concat(listing: Path, files: List[Path]) -> None:
    lines = ["ffconcat version 1.0"]
    for path in files:
        text = path.resolve().as_posix().replace("'", "'\\''")
        lines.append(f"file '{text}'")
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _rate_text(rate: Fraction) -> str:
    return fps_arg(rate) if rate.denominator == 1 else f"{float(rate):.3f}"
