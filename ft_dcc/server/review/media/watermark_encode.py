"""The ffmpeg side of a viewer's watermarked copy (:mod:`.watermark` keeps the copies): the
``drawtext`` filter burning the viewer's text, the commands that make a copy whole or streamed
as a fragmented MP4 whose final size is announced before its first byte (:class:`Streamed`),
and the errors a failed encode answers."""

from __future__ import annotations

import logging
import math
import os
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import IO, List

from ft_dcc.server.common.errors import ServerError
from ft_dcc.server.files.encode import ffmpeg_exe
from ft_dcc.server.review.media import mp4_boxes
from ft_dcc.server.review.media.mp4_boxes import SourceFacts

log = logging.getLogger(__name__)

#: how long one viewer's encode may take before it is given up, in seconds
ENCODE_TIMEOUT = 600


class WatermarkError(ServerError):
    """The viewer's copy could not be made: ffmpeg could not read the stored movie (415; nothing
    unmarked is served)."""

    status = 415
    exception = "ValidationError"


class CopyTooLarge(WatermarkError):
    """A copy made while served came out larger than the size announced (x264 missed its rate
    cap by more than the slack): it is made again whole before it is served (409 meanwhile)."""

    status = 409


class WatermarkTimeout(WatermarkError):
    """The viewer's copy took longer than :data:`ENCODE_TIMEOUT` (409: try again later)."""

    status = 409


def _filter_path(path: Path) -> str:
    """``path`` as a quoted filtergraph option value."""
    text = path.resolve().as_posix().replace("'", "'\\''").replace(":", "\\:")
    return f"'{text}'"


def mark_filter(text_file: Path) -> str:
    """The drawtext filter burning ``text_file``'s lines into the picture's lower left, on a
    dark box, large enough to read (a 24th of the picture's height, at least 12 pixels)."""
    from ft_dcc.media.burnin import FONT  # the burn-in's font; ft_dcc.media loads on first use

    return "drawtext=" + ":".join(
        [
            f"fontfile={_filter_path(FONT)}",
            f"textfile={_filter_path(text_file)}",
            "expansion=none",
            "fontsize='max(12,h/24)'",
            "fontcolor=white@0.9",
            "box=1",
            "boxcolor=black@0.55",
            "boxborderw=4",
            "x='max(6,h/40)'",
            "y='h-th-max(8,h/30)'",
        ]
    )


def encode_command(source: Path, target: Path, text_file: Path) -> List[str]:
    """ffmpeg's arguments for one viewer's copy of ``source``, made whole before it is served
    (a movie :func:`mp4_boxes.source_facts` cannot read)."""
    return [
        ffmpeg_exe(), "-nostdin", "-y", "-v", "error", "-i", str(source),
        "-map", "0:v:0", "-map", "0:a?", "-vf", mark_filter(text_file),
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p",
        "-fps_mode", "passthrough", "-c:a", "copy", "-movflags", "+faststart",
        "-f", "mp4", str(target),
    ]  # fmt: skip


def streamed_command(source: Path, text_file: Path, max_rate: int) -> List[str]:
    """ffmpeg's arguments for one viewer's copy of ``source`` written to its output as it is
    made: a fragmented MP4 (an empty ``moov``, then a fragment every :data:`KEY_EVERY` frames),
    its rate held under ``max_rate`` bits a second (so its final size is known beforehand)."""
    return [
        ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(source),
        "-map", "0:v:0", "-map", "0:a?", "-vf", mark_filter(text_file),
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-crf", "20",
        "-maxrate", str(max_rate), "-bufsize", str(max_rate), "-g", str(KEY_EVERY),
        "-pix_fmt", "yuv420p", "-fps_mode", "passthrough", "-c:a", "copy",
        "-movflags", "frag_keyframe+empty_moov+default_base_moof+skip_trailer",
        "-f", "mp4", "pipe:1",
    ]  # fmt: skip


#: a key frame (and a fragment) every this many frames: the first arrives after as many
KEY_EVERY = 6
#: the copy's rate cap: this many times the stored movie's video rate, at least MIN_RATE
RATE_FACTOR = 2
MIN_RATE = 2_000_000
#: room for x264's rate control missing its cap a little, and for the fragments' boxes
RATE_SLACK, BYTES_PER_SAMPLE, FIXED_SLACK = 1.25, 64, 64 * 1024
#: the largest copy served while it encodes (a ``sidx`` reference counts 31 bits)
MOST_STREAMED = 2**31 - 1
#: how often a reader looks whether the bytes it waits for were written, in seconds
POLL = 0.02
#: a part of a copy being made is answered once this many of its bytes are there (all it asks
#: for when it asks for fewer); it carries what is there then
FIRST_BYTES = 64 * 1024
#: tests hold each copy made while served before its end until the file this names exists
HOLD_ENV = "FT_DCC_TEST_WATERMARK_HOLD"


def max_rate(facts: SourceFacts) -> int:
    """The bit rate a viewer's copy of a movie with ``facts`` is held under."""
    video_rate = facts.video_bytes * 8 / float(facts.seconds)
    return max(MIN_RATE, int(RATE_FACTOR * video_rate))


def size_bound(facts: SourceFacts, head: int) -> int:
    """The most bytes a copy (its head ``head`` bytes and the ``sidx`` included) can take."""
    video = max_rate(facts) * (float(facts.seconds) + 1) / 8 * RATE_SLACK
    samples = facts.frames + facts.audio_samples
    return head + mp4_boxes.SIDX_SIZE + math.ceil(video) + facts.audio_bytes \
        + BYTES_PER_SAMPLE * samples + FIXED_SLACK  # fmt: skip


def part_path(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def announced_path(target: Path) -> Path:
    return target.with_name(target.name + ".size")


def encode(command: List[str], source: Path, target: Path, partial: Path, what: str) -> None:
    """Run ffmpeg's ``command`` writing ``partial``, then put it in ``target``'s place."""
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=ENCODE_TIMEOUT)
        if result.returncode != 0:
            _failed(source, result.stderr or "")
        os.replace(partial, target)
    except subprocess.TimeoutExpired:
        raise WatermarkTimeout(
            f"Your watermarked copy of this {what} took too long to make; try again later."
        ) from None
    finally:
        partial.unlink(missing_ok=True)


UNREADABLE = (
    "This version's movie could not be read to make your watermarked copy; ask the person who "
    "runs the review to republish it."
)


def _failed(source: Path, stderr: str) -> None:
    tail = " / ".join(stderr.strip().splitlines()[-3:])
    log.error("watermark encode of %s failed: %s", source.name, tail)
    raise WatermarkError(UNREADABLE)


class Streamed:
    """One copy encoded into ``<target>.part`` as a fragmented MP4 whose final size is announced
    in ``<target>.size`` before its first byte (a bound from the stored movie and the rate cap);
    the durations written into its head, a ``sidx`` after it, and a ``free`` box filling it to
    the announced size at the end; then renamed to ``target``."""

    def __init__(self, source: Path, target: Path, text_file: Path, facts: SourceFacts) -> None:
        self.source, self.target, self.facts = source, target, facts
        self.command = streamed_command(source, text_file, max_rate(facts))
        self.part, self.announced = part_path(target), announced_path(target)
        self.size = 0
        self.written = 0

    def run(self) -> None:
        started = time.monotonic()
        process = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
        )
        errors: List[bytes] = []
        reader = threading.Thread(
            target=lambda: errors.append(process.stderr.read() if process.stderr else b""),
            daemon=True,
        )
        reader.start()
        watchdog = threading.Timer(ENCODE_TIMEOUT, process.kill)  # a hung ffmpeg writes nothing
        watchdog.start()
        try:
            with open(self.part, "wb") as out:
                self._pump(process, out, started)
            process.wait(timeout=max(1.0, ENCODE_TIMEOUT - (time.monotonic() - started)))
            reader.join()
            if time.monotonic() - started >= ENCODE_TIMEOUT:
                raise subprocess.TimeoutExpired(self.command, ENCODE_TIMEOUT)
            if process.returncode != 0 or self.written != self.size or not self.size:
                _failed(self.source, b"".join(errors).decode("utf-8", "replace"))
            os.replace(self.part, self.target)
        except subprocess.TimeoutExpired:
            raise WatermarkTimeout(
                "Your watermarked copy of this movie took too long to make; try again later."
            ) from None
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
            self.announced.unlink(missing_ok=True)
            self.part.unlink(missing_ok=True)

    def _pump(self, process: subprocess.Popen[bytes], out: IO[bytes], started: float) -> None:
        assert process.stdout is not None
        head = bytearray()
        while True:
            chunk = process.stdout.read1(256 * 1024)  # type: ignore[attr-defined]
            if not chunk:
                break
            if time.monotonic() - started > ENCODE_TIMEOUT:
                raise subprocess.TimeoutExpired(self.command, ENCODE_TIMEOUT)
            if self.size == 0:
                head += chunk
                chunk = self._head(head)
                if not chunk:
                    continue
            self._write(out, chunk)
        if self.size == 0:  # ffmpeg wrote no movie: its error says why
            return
        _held_by_test(started)
        process.wait()
        if process.returncode == 0:
            self._write(out, mp4_boxes.free_box(self.size - self.written), last=True)

    def _head(self, head: bytearray) -> bytes:
        """The head, once all of it came: its durations set, the ``sidx`` after it, the size
        announced (``b""``: not all of it yet)."""
        found = mp4_boxes.find_moov(bytes(head))
        if found is None:
            return b""
        moov_at, end = found
        scales = mp4_boxes.set_durations(head, moov_at, self.facts.seconds)
        track_id, scale = next(iter(scales.items()), (1, 1000))
        self.size = size_bound(self.facts, end)
        duration = round(self.facts.seconds * scale)
        sidx = mp4_boxes.sidx_box(track_id, scale, duration, self.size - end - mp4_boxes.SIDX_SIZE)
        tmp = self.announced.with_name(f".{uuid.uuid4().hex}.size")
        tmp.write_text(str(self.size), encoding="ascii")
        os.replace(tmp, self.announced)
        return bytes(head[:end]) + sidx + bytes(head[end:])

    def _write(self, out: IO[bytes], chunk: bytes, last: bool = False) -> None:
        """Append ``chunk`` (room for the ``free`` box kept until the ``last`` one)."""
        room = 0 if last else mp4_boxes.BOX_HEADER
        if self.written + len(chunk) + room > self.size:
            raise CopyTooLarge(
                "Your watermarked copy of this movie came out larger than planned; reload the "
                "page to have it made again."
            )
        out.write(chunk)
        out.flush()
        self.written += len(chunk)


def _held_by_test(started: float) -> None:
    """Wait (a test's hold, ``FT_DCC_TEST_WATERMARK_HOLD``) until the file it names exists: the
    copy stays unfinished meanwhile, its bytes so far served."""
    hold = os.environ.get(HOLD_ENV)
    while hold and not os.path.exists(hold) and time.monotonic() - started < ENCODE_TIMEOUT:
        time.sleep(POLL)
