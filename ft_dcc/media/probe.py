"""Probe and verify review movies with ffmpeg alone (imageio-ffmpeg ships no ffprobe).

Frames and timing come from a stream copy into ffmpeg's ``framecrc`` muxer, which lists every
packet with its exact timestamps: no decoding, exact counts, exact rational fps. Codec profile
and pixel format come from ffmpeg's stream description. Faststart is read from the MP4's
top-level box order. A publish starts no ffprobe: the tests judge the movies with a real one.
"""

from __future__ import annotations

import collections
import functools
import logging
import re
import struct
from fractions import Fraction
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import attr

from ft_dcc.exceptions import MediaError
from ft_dcc.media._fps import Fps, as_fraction
from ft_dcc.media.ffmpeg import run_captured
from ft_dcc.media.image_header import png_size
from ft_dcc.protocol.json_value import JsonObject

log = logging.getLogger(__name__)

PathLike = Union[str, Path]

#: AV_PKT_FLAG_DISCARD: a packet the container's edit list hides (never shown)
_DISCARD = 0x4


@attr.s(frozen=True, auto_attribs=True)
class MovieInfo:
    """What a movie's first video stream is, measured exactly."""

    codec: str
    profile: Optional[str]
    pix_fmt: str
    width: int
    height: int
    fps: Fraction
    frame_count: int
    duration: float
    faststart: bool
    constant_frame_rate: bool = True
    color_space: Optional[str] = None
    has_audio: bool = False

    def to_dict(self) -> JsonObject:
        data: JsonObject = attr.asdict(self)
        data["fps"] = f"{self.fps.numerator}/{self.fps.denominator}"
        return data


#: the movies measured, by file (device, inode, size, modification time): a movie moved into
#: place after its measure (the encode's partial file) is the same file, not measured again
_MEASURED: collections.OrderedDict[Tuple[int, int, int, int], MovieInfo] = collections.OrderedDict()
_MEASURED_KEPT = 32


def probe_movie(path: PathLike) -> MovieInfo:
    """Measure ``path``'s first video stream; :class:`MediaError` if it is missing or unreadable.

    Remembered per file while its size and modification time stay the same."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"The movie {path} does not exist.", hint="check the path")
    stat = path.stat()
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    known = _MEASURED.get(key)
    if known is not None:
        return known
    info = _measure(path)
    _MEASURED[key] = info
    while len(_MEASURED) > _MEASURED_KEPT:
        _MEASURED.popitem(last=False)
    return info


def _measure(path: Path) -> MovieInfo:
    # A stream copy into framecrc lists every packet's timestamps without decoding anything.
    result = run_captured(["-hide_banner", "-nostdin", "-i", str(path),
                           "-map", "0:v:0", "-c", "copy", "-f", "framecrc", "-"])  # fmt: skip
    stderr = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        raise _unreadable(path, stderr)
    stream = _video_stream_description(stderr)
    if stream is None:
        raise MediaError(f"{path} has no video stream.", hint="give a movie with video in it")
    codec, profile, pix_fmt, color_space = stream
    crc = _parse_framecrc(result.stdout.decode("utf-8", "replace"))
    if crc["frame_count"] == 0:
        raise MediaError(
            f"{path} has a video stream with no frames.",
            hint="the file is probably truncated: export it again",
        )
    return MovieInfo(
        codec=codec,
        profile=profile,
        pix_fmt=pix_fmt,
        width=crc["width"],
        height=crc["height"],
        fps=crc["fps"],
        frame_count=crc["frame_count"],
        duration=crc["duration"],
        faststart=is_faststart(path),
        constant_frame_rate=crc["constant"],
        color_space=color_space,
        has_audio=_has_audio(stderr),
    )


def image_size(path: PathLike) -> Tuple[int, int]:
    """(width, height) of an image (or a movie's video): a PNG's from its header, anything
    else read with ffmpeg.

    Remembered per file while its size and modification time stay the same (a publish asks
    for its first frame's size when collecting and again when encoding)."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"The image {path} does not exist.", hint="check the path")
    stat = path.stat()
    return _image_size(str(path.resolve()), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _image_size(path: str, _bytes: int, _mtime_ns: int) -> Tuple[int, int]:
    from_header = png_size(path)
    if from_header is not None:
        return from_header
    result = run_captured(["-hide_banner", "-nostdin", "-i", str(path)])
    stderr = result.stderr.decode("utf-8", "replace")
    for line in stderr.splitlines():
        if "Video:" in line:
            match = re.search(r"\b(\d{1,6})x(\d{1,6})\b", line.split("Video:", 1)[1])
            if match:
                return int(match.group(1)), int(match.group(2))
    raise _unreadable(Path(path), stderr)


def is_faststart(path: PathLike) -> bool:
    """True when the MP4/MOV index (``moov``) comes before the media data (``mdat``)."""
    order = top_level_boxes(path)
    if "moov" not in order:
        return False
    return "mdat" not in order or order.index("moov") < order.index("mdat")


def top_level_boxes(path: PathLike) -> List[str]:
    """The types of an ISO-BMFF file's top-level boxes, in file order (``ftyp, moov, ...``)."""
    boxes: List[str] = []
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        end = handle.tell()
        offset = 0
        while offset + 8 <= end:
            handle.seek(offset)
            header = handle.read(16)
            size, kind = struct.unpack(">I4s", header[:8])
            if size == 1 and len(header) >= 16:
                size = struct.unpack(">Q", header[8:16])[0]
            elif size == 0:
                size = end - offset
            if size < 8 or not kind.isascii():
                break  # not an ISO-BMFF box: stop rather than guess
            boxes.append(kind.decode("ascii", "replace"))
            offset += size
    return boxes


def verify_review_movie(
    path: PathLike,
    *,
    frame_count: int,
    fps: Fps,
    width: Optional[int] = None,
    height: Optional[int] = None,
) -> MovieInfo:
    """Check that ``path`` is a browser-playable review: ``frame_count`` frames at ``fps``.

    Raises :class:`MediaError` naming every mismatch; returns the :class:`MovieInfo` when all
    is well (read from :func:`probe_movie`'s measure, made once per file).
    """
    expected_fps = as_fraction(fps)
    info = probe_movie(path)
    problems: List[str] = []
    if info.codec != "h264":
        problems.append(f"codec is {info.codec}, not h264")
    if info.pix_fmt != "yuv420p":
        problems.append(f"pixel format is {info.pix_fmt}, not yuv420p")
    if info.frame_count != frame_count:
        problems.append(f"it has {info.frame_count} frames, expected {frame_count}")
    if info.fps != expected_fps:
        problems.append(f"frame rate is {_fps_text(info.fps)}, expected {_fps_text(expected_fps)}")
    if not info.constant_frame_rate:
        problems.append("frame rate is variable, not constant")
    if not info.faststart:
        problems.append("it is not faststart (the moov index is after the media data)")
    if info.width % 2 or info.height % 2:
        problems.append(f"dimensions {info.width}x{info.height} are not even")
    if width is not None and info.width != width:
        problems.append(f"width is {info.width}, expected {width}")
    if height is not None and info.height != height:
        problems.append(f"height is {info.height}, expected {height}")
    if problems:
        raise MediaError(
            f"The review movie {path} is not what review needs: " + "; ".join(problems) + ".",
            hint="encode it again with ft_dcc.media.encode_review (H.264 High, yuv420p, "
            "exact fps, +faststart) from the complete frame range",
        )
    return info


def review_metadata(info: MovieInfo, frame_in: int) -> Dict[str, Union[int, float]]:
    """The ``ftr_meta`` dict the ftrack web player reads for an ``ftrackreview-mp4`` component.

    ``frameOut`` is ``frameIn + frame_count``: the end is exclusive, as in ftrack's documented
    example (0..150 for six seconds at 25 fps) and ayon-ftrack's ``frameOut = duration`` rule.
    ``frameRate`` is an int for whole rates and a float (23.976...) otherwise.
    """
    rate: Union[int, float] = int(info.fps) if info.fps.denominator == 1 else float(info.fps)
    return {
        "frameIn": int(frame_in),
        "frameOut": int(frame_in) + info.frame_count,
        "frameRate": rate,
        "width": info.width,
        "height": info.height,
    }


def _fps_text(fps: Fraction) -> str:
    if fps.denominator == 1:
        return str(fps.numerator)
    return f"{fps.numerator}/{fps.denominator} ({float(fps):.3f})"


def _unreadable(path: Path, stderr: str) -> MediaError:
    lines = [line for line in stderr.splitlines() if line.strip()]
    if any("matches no streams" in line for line in lines):
        return MediaError(f"{path} has no video stream.", hint="give a movie with video in it")
    last = "\n".join(lines[-4:])
    return MediaError(
        f"ffmpeg cannot read {path}: it is not a readable image or movie (corrupt or "
        f"truncated?):\n{last}",
        hint="export or render the file again",
    )


def _split_top_level(text: str) -> List[str]:
    """Split ``text`` on commas that are not inside parentheses or brackets."""
    parts: List[str] = []
    current: List[str] = []
    depth = 0
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return parts


def _video_stream_description(
    stderr: str,
) -> Optional[Tuple[str, Optional[str], str, Optional[str]]]:
    """(codec, profile, pix_fmt, colour space) from the input's first ``Video:`` line."""
    in_input = False
    for line in stderr.splitlines():
        if line.startswith("Input #"):
            in_input = True
        elif line.startswith("Output #"):
            in_input = False
        if not in_input or "Video:" not in line:
            continue
        parts = _split_top_level(line.split("Video:", 1)[1])
        codec_part = parts[0]
        codec = codec_part.split()[0] if codec_part else ""
        profile = None
        for group in re.findall(r"\(([^()]*)\)", codec_part):
            if "/" not in group:
                profile = group
                break
        pix_fmt, color_space = "", None
        if len(parts) > 1:
            match = re.match(r"([\w]+)(?:\((.*)\))?", parts[1])
            if match:
                pix_fmt = match.group(1)
                details = [d.strip() for d in (match.group(2) or "").split(",")]
                known = {"bt709", "bt470bg", "smpte170m", "bt2020nc", "bt2020c", "gbr"}
                color_space = next(
                    (d.split("/")[0] for d in details if d.split("/")[0] in known), None
                )
        return codec, profile, pix_fmt, color_space
    return None


def _has_audio(stderr: str) -> bool:
    """True when the input (not the output) description lists an audio stream."""
    input_part = stderr.split("\nOutput #", 1)[0]
    return any("Audio:" in line and "Stream #" in line for line in input_part.splitlines())


def _parse_framecrc(text: str) -> Dict[str, Any]:
    """Frames, size and exact timing from ffmpeg's ``framecrc`` listing of one stream.

    The rate comes from the presentation timestamps: equal steps give it exactly (1001 ticks
    of 1/24000 s is 24000/1001); steps jittering by one tick (a coarse 1/1000 time base, as in
    Matroska) are snapped to the nearest common rate; anything else is a variable rate.
    """
    time_base = Fraction(1, 1)
    width = height = 0
    pts: List[int] = []
    durations: List[int] = []
    for line in text.splitlines():
        if line.startswith("#tb 0:"):
            num, den = line.split(":", 1)[1].strip().split("/")
            time_base = Fraction(int(num), int(den))
        elif line.startswith("#dimensions 0:"):
            w, h = line.split(":", 1)[1].strip().split("x")
            width, height = int(w), int(h)
        elif line and not line.startswith("#"):
            fields = [field.strip() for field in line.split(",")]
            flags = next((int(f[2:], 16) for f in fields[6:] if f.startswith("F=")), 1)
            if len(fields) >= 4 and fields[0] == "0" and not flags & _DISCARD:
                pts.append(int(fields[2]))
                durations.append(int(fields[3]))
    count = len(pts)
    steps = [b - a for a, b in zip(sorted(pts), sorted(pts)[1:])]
    constant = True
    if steps and min(steps) > 0 and min(steps) == max(steps):
        fps = 1 / (steps[0] * time_base)
    elif steps and min(steps) > 0 and max(steps) - min(steps) <= 1:
        fps = as_fraction(float((count - 1) / ((sorted(pts)[-1] - sorted(pts)[0]) * time_base)))
    elif steps:
        constant = False
        span = (sorted(pts)[-1] - sorted(pts)[0]) * time_base
        fps = Fraction(count - 1) / span if span else Fraction(0)
    else:  # a single frame: its duration is all there is
        fps = 1 / (durations[0] * time_base) if durations and durations[0] > 0 else Fraction(0)
    if steps:
        duration = float((sorted(pts)[-1] - sorted(pts)[0]) * time_base + 1 / fps) if fps else 0.0
    else:
        duration = float(sum(durations) * time_base)
    return {
        "frame_count": count,
        "width": width,
        "height": height,
        "fps": fps,
        "duration": duration,
        "constant": constant,
    }
