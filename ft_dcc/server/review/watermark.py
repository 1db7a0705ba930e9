"""Per-viewer watermarked review movies: the viewer's name, e-mail and the date burned into the
frames a client link receives (a session's ``watermark`` setting, :mod:`.media_policy`).

The server encodes the viewer's copy of a review movie on its first view (ffmpeg's ``drawtext``
over the whole picture, x264 ``ultrafast``, the audio copied, every frame kept with its time)
and keeps it: ``<files>/.watermarks/<component id>/<viewer key>-<date>.mp4``, the key a digest
of the viewer's text (no name or address in a file name), one copy per component, viewer and day
(a new day's copy replaces the viewer's copies from before the day before; a playback begun the
day before goes on with that day's copy: :meth:`Watermarker.copy`). The folder goes when the
component is retired (``FileStore.remove``). Concurrent first views of one viewer encode once: a
lock per copy in this process, and a lock file across the server's worker processes (``fcntl.flock``
where the OS has it); ``made.log`` in the folder lists each copy made. A session page opened
through a client link starts its movies' copies in the background (:meth:`Watermarker.prepare`),
so the player's first request finds its copy made or being made. The picture itself carries the
mark: the page never draws text over the video.

A copy is **served while it is being made** (:class:`_Streamed`): ffmpeg writes a fragmented MP4
to a pipe, a fragment every :data:`KEY_EVERY` frames; its final size is announced (in
``<copy>.size``) before its first byte is, from a bound on what it can take (the stored movie's
length, frames and sound, x264 held under a rate cap), and a ``free`` box fills it to that size at
the end (:mod:`.mp4_boxes`: the head also gets the movie's length and a ``sidx``). The media
route serves it in bounded parts of that size, each once its bytes are in ``<copy>.part``
(:meth:`Watermarker.read`), from any worker process. A copy that comes out over its bound is made
again whole; a stored movie that is not an MP4 this reads is made whole before it is served.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import math
import os
import queue
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Dict, Iterator, List, Optional, Sequence, Tuple

from ft_dcc.safe_paths import confined
from ft_dcc.server.errors import ServerError
from ft_dcc.server.files.encode import ffmpeg_exe
from ft_dcc.server.files.filestore import WATERMARK_DIR, FileStore, check_component_id
from ft_dcc.server.review import mp4_boxes
from ft_dcc.server.review.mp4_boxes import SourceFacts

try:  # POSIX: one encode across the server's worker processes
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process's lock only
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: how long one viewer's encode may take before it is given up, in seconds
ENCODE_TIMEOUT = 600
#: in each component's folder: one line per copy made (the file name), the encodes' record
MADE_LOG = "made.log"
#: how many copies may wait to be prepared in the background
QUEUED_AT_MOST = 16
#: a copy to make: component id, its stored file, the viewer's text, the date
Job = Tuple[str, Path, str, str]


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


def viewer_key(viewer: str) -> str:
    """A file-name-safe digest of the viewer's text."""
    return hashlib.sha256(viewer.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Copy:
    """A viewer's copy: where it is kept, its size (announced while it is made), and whether it
    is still being made (its bytes then come into ``<path>.part`` up to ``size``)."""

    path: Path
    size: int
    growing: bool

    @property
    def part(self) -> Path:
        return _part(self.path)


def _part(target: Path) -> Path:
    return target.with_name(target.name + ".part")


def _announced(target: Path) -> Path:
    return target.with_name(target.name + ".size")


class Watermarker:
    """Makes and keeps the viewers' copies of one file store's review movies."""

    def __init__(self, files: FileStore) -> None:
        self.root = files.root / WATERMARK_DIR
        self._guard = threading.Lock()
        self._locks: Dict[str, threading.Lock] = {}
        self._making: Dict[str, threading.Thread] = {}
        self._failed: Dict[str, WatermarkError] = {}
        self._waiting: queue.Queue[Job] = queue.Queue(maxsize=QUEUED_AT_MOST)
        self._worker: Optional[threading.Thread] = None

    def prepare(self, jobs: Sequence[Job]) -> None:
        """Make these copies (component id, source, viewer, date) in the background, one at a
        time (a page opened: its player asks for them next); when many wait, the rest are made
        on first view."""
        for job in jobs:
            try:
                self._waiting.put_nowait(job)
            except queue.Full:
                return
        with self._guard:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(
                    target=self._work, name="watermark-prepare", daemon=True
                )
                self._worker.start()

    def _work(self) -> None:
        while True:
            job = self._waiting.get()
            try:
                self.marked(*job)
            except Exception:  # a failed copy is made again (or refused) on first view
                log.exception("could not prepare a watermarked copy of %s", job[0])

    def path(self, component_id: str, viewer: str, date: str, suffix: str = ".mp4") -> Path:
        """Where ``viewer``'s copy of ``component_id`` for ``date`` is kept."""
        folder = confined(self.root, check_component_id(component_id), keep=True)
        return confined(folder, f"{viewer_key(viewer)}-{date}", suffix)

    def marked_still(self, component_id: str, source: Path, viewer: str, date: str) -> Path:
        """``viewer``'s copy of a still's review image (a PNG) for ``date``, the mark burned
        into its pixels as into a movie's; made once, whole, before it is served."""
        target = self.path(component_id, viewer, date, ".png")
        if target.is_file():
            return target
        with self._lock(target.name), self._file_lock(target):
            if not target.is_file():
                self._make_still(source, target, f"{viewer}\n{date}")
        return target

    @staticmethod
    def _make_still(source: Path, target: Path, text: str) -> None:
        stem = f".{uuid.uuid4().hex}"
        text_file, partial = target.parent / f"{stem}.txt", target.parent / f"{stem}.png"
        text_file.write_text(text, encoding="utf-8")
        log.info("watermarking the still %s for a viewer: %s", source.name, target.name)
        command = [ffmpeg_exe(), "-nostdin", "-y", "-v", "error", "-i", str(source),
                   "-frames:v", "1", "-vf", mark_filter(text_file), "-c:v", "png",
                   "-f", "image2", str(partial)]  # fmt: skip
        try:
            _encode(command, source, target, partial, "picture")
        finally:
            text_file.unlink(missing_ok=True)

    def marked(self, component_id: str, source: Path, viewer: str, date: str) -> Path:
        """``viewer``'s copy of ``source`` (the stored file of ``component_id``) for ``date``,
        made now when there is none yet (once, however many ask at the same time); returns
        when it is whole."""
        target = self.path(component_id, viewer, date)
        if target.is_file():
            return target
        with self._lock(target.name), self._file_lock(target):
            if not target.is_file():
                self._make(source, target, f"{viewer}\n{date}")
        return target

    def copy(
        self, component_id: str, source: Path, viewer: str, date: str, continuing: bool = False
    ) -> Copy:  # fmt: skip
        """``viewer``'s copy for ``date``, whole or being made (started now when nobody makes it:
        returns once its size is announced, its first bytes coming). ``continuing``: the request
        goes on with a playback (not from its first byte), which keeps the copy it began with
        when that one is of an earlier day (a playback crossing midnight)."""
        target = self.path(component_id, viewer, date)
        if continuing and not self._exists(target):
            earlier = self._earlier_copy(target)
            if earlier is not None:
                return earlier
        deadline = time.monotonic() + ENCODE_TIMEOUT
        self._start(source, target, f"{viewer}\n{date}")
        while time.monotonic() < deadline:
            found = self._found(target)
            if found is not None:
                return found
            with self._guard:
                failed = self._failed.get(target.name)
                making = self._making.get(target.name)
            if failed is not None:
                raise failed
            if making is None or not making.is_alive():  # ended: made, or made by another process
                self._start(source, target, f"{viewer}\n{date}")
            time.sleep(POLL)
        raise WatermarkTimeout(
            "Your watermarked copy of this movie took too long to make; try again later."
        )

    def _exists(self, target: Path) -> bool:
        return target.is_file() or _announced(target).is_file()

    def _found(self, target: Path) -> Optional[Copy]:
        """The copy at ``target``: whole, or announced by the process making it."""
        try:
            return Copy(target, target.stat().st_size, False)
        except FileNotFoundError:
            pass
        try:
            size = int(_announced(target).read_text(encoding="ascii"))
        except (FileNotFoundError, ValueError):
            return None
        if not self._being_made(target):  # left by a process that stopped
            return None
        return Copy(target, size, True)

    def _earlier_copy(self, target: Path) -> Optional[Copy]:
        """The viewer's newest copy of an earlier day, whole or being made."""
        key = target.stem.split("-", 1)[0]
        older = sorted(p for p in target.parent.glob(f"{key}-*.mp4") if p.stem < target.stem)
        announced = sorted(
            p.with_name(p.name[: -len(".size")])
            for p in target.parent.glob(f"{key}-*.mp4.size")
            if p.name[: -len(".size")] < target.name
        )
        for candidate in sorted({*older, *announced}, reverse=True):
            found = self._found(candidate)
            if found is not None:
                return found
        return None

    def _start(self, source: Path, target: Path, text: str) -> None:
        """Make ``target`` in a thread of its own, unless this process makes it already."""
        with self._guard:
            making = self._making.get(target.name)
            if making is not None and making.is_alive():
                return
            self._failed.pop(target.name, None)
            thread = threading.Thread(
                target=self._make_in_thread, args=(source, target, text),
                name="watermark-encode", daemon=True,
            )  # fmt: skip
            self._making[target.name] = thread
            thread.start()

    def _make_in_thread(self, source: Path, target: Path, text: str) -> None:
        try:
            with self._lock(target.name), self._file_lock(target):
                if not target.is_file():
                    self._make(source, target, text)
        except WatermarkError as error:
            with self._guard:
                self._failed[target.name] = error
        except Exception:  # the thread's end: recorded, refused to the viewer
            log.exception("watermark encode of %s failed", source.name)
            with self._guard:
                self._failed[target.name] = WatermarkError(_UNREADABLE)

    def read(self, copy: Copy, first: int, last: int) -> bytes:
        """Bytes ``first``..``last`` of ``copy``; while it is being made, those of them written
        once :data:`FIRST_BYTES` of them are (or all of them, when fewer are asked for)."""
        if not copy.growing:
            with copy.path.open("rb") as handle:
                handle.seek(first)
                return handle.read(last - first + 1)
        enough = min(last, first + FIRST_BYTES - 1)
        deadline = time.monotonic() + ENCODE_TIMEOUT
        with self._open_growing(copy) as handle:
            while os.fstat(handle.fileno()).st_size <= enough:
                if time.monotonic() > deadline or not self._being_made(copy.path):
                    if os.fstat(handle.fileno()).st_size > enough:
                        break
                    raise WatermarkTimeout(
                        "Your watermarked copy of this movie could not be finished; reload "
                        "the page to try again."
                    )
                time.sleep(POLL)
            handle.seek(first)
            return handle.read(last - first + 1)

    @staticmethod
    @contextlib.contextmanager
    def _open_growing(copy: Copy) -> Iterator[IO[bytes]]:
        """The file being written (the same file once it is renamed to the copy's path)."""
        try:
            handle = copy.part.open("rb")
        except FileNotFoundError:
            handle = copy.path.open("rb")
        with handle:
            yield handle

    def _being_made(self, target: Path) -> bool:
        """Whether a process (this one or another) holds the copy's lock: it makes it."""
        if target.is_file():
            return False
        if fcntl is None:
            with self._guard:
                making = self._making.get(target.name)
            return making is not None and making.is_alive()
        try:
            handle = open(target.with_suffix(".lock"), "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            return False
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return False

    def _lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    @contextlib.contextmanager
    def _file_lock(self, target: Path) -> Iterator[None]:
        target.parent.mkdir(parents=True, exist_ok=True)
        if fcntl is None:
            yield
            return
        with open(target.with_suffix(".lock"), "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    @staticmethod
    def _drop_older(target: Path) -> None:
        """Remove the viewer's copies of this movie from before yesterday (one copy a viewer,
        and the day before's while a playback begun on it may go on)."""
        key, day = target.stem.split("-", 1)
        try:
            kept = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
        except ValueError:
            kept = day
        for older in target.parent.glob(f"{key}-*.mp4"):
            if older.stem.split("-", 1)[1] < kept:
                older.unlink(missing_ok=True)

    def _make(self, source: Path, target: Path, text: str) -> None:
        """Encode ``target`` (its lock held): served while it encodes when the stored movie is
        an MP4 this reads, else made whole first."""
        stem = f".{uuid.uuid4().hex}"
        text_file = target.parent / f"{stem}.txt"
        text_file.write_text(text, encoding="utf-8")
        log.info("watermarking %s for a viewer: %s", source.name, target.name)
        facts = mp4_boxes.source_facts(source)
        partial = target.parent / f"{stem}.part"
        try:
            if facts is not None and size_bound(facts, 0) < MOST_STREAMED:
                try:
                    _Streamed(source, target, text_file, facts).run()
                except CopyTooLarge:
                    log.warning("watermarked copy %s over its announced size: made whole", target)
                    self._encode_whole(source, target, text_file, partial)
            else:
                self._encode_whole(source, target, text_file, partial)
            with open(target.parent / MADE_LOG, "a", encoding="utf-8") as made:
                made.write(target.name + "\n")
            self._drop_older(target)
        finally:
            text_file.unlink(missing_ok=True)

    @staticmethod
    def _encode_whole(source: Path, target: Path, text_file: Path, partial: Path) -> None:
        _encode(encode_command(source, partial, text_file), source, target, partial, "movie")


def _encode(command: List[str], source: Path, target: Path, partial: Path, what: str) -> None:
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


_UNREADABLE = (
    "This version's movie could not be read to make your watermarked copy; ask the person who "
    "runs the review to republish it."
)


def _failed(source: Path, stderr: str) -> None:
    tail = " / ".join(stderr.strip().splitlines()[-3:])
    log.error("watermark encode of %s failed: %s", source.name, tail)
    raise WatermarkError(_UNREADABLE)


class _Streamed:
    """One copy encoded into ``<target>.part`` as a fragmented MP4 whose final size is announced
    in ``<target>.size`` before its first byte (a bound from the stored movie and the rate cap);
    the durations written into its head, a ``sidx`` after it, and a ``free`` box filling it to
    the announced size at the end; then renamed to ``target``."""

    def __init__(self, source: Path, target: Path, text_file: Path, facts: SourceFacts) -> None:
        self.source, self.target, self.facts = source, target, facts
        self.command = streamed_command(source, text_file, max_rate(facts))
        self.part, self.announced = _part(target), _announced(target)
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
