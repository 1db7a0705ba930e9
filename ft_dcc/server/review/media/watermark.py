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

A copy is **served while it is being made** (:class:`.watermark_encode.Streamed`): ffmpeg writes
a fragmented MP4 to a pipe, a fragment every ``KEY_EVERY`` frames; its final size is announced
(in ``<copy>.size``) before its first byte is, from a bound on what it can take (the stored movie's
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
import os
import queue
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Dict, Iterator, Optional, Sequence, Tuple

from ft_dcc.safe_paths import confined
from ft_dcc.server.files.encode import ffmpeg_exe
from ft_dcc.server.files.filestore import WATERMARK_DIR, FileStore, check_component_id
from ft_dcc.server.review.media import mp4_boxes
from ft_dcc.server.review.media.watermark_encode import (
    ENCODE_TIMEOUT,
    FIRST_BYTES,
    MOST_STREAMED,
    POLL,
    UNREADABLE,
    CopyTooLarge,
    Streamed,
    WatermarkError,
    WatermarkTimeout,
    announced_path,
    encode,
    encode_command,
    mark_filter,
    part_path,
    size_bound,
)

try:  # POSIX: one encode across the server's worker processes
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process's lock only
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: in each component's folder: one line per copy made (the file name), the encodes' record
MADE_LOG = "made.log"
#: how many copies may wait to be prepared in the background
QUEUED_AT_MOST = 16
#: a copy to make: component id, its stored file, the viewer's text, the date
Job = Tuple[str, Path, str, str]


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
        return part_path(self.path)


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
            encode(command, source, target, partial, "picture")
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
        return target.is_file() or announced_path(target).is_file()

    def _found(self, target: Path) -> Optional[Copy]:
        """The copy at ``target``: whole, or announced by the process making it."""
        try:
            return Copy(target, target.stat().st_size, False)
        except FileNotFoundError:
            pass
        try:
            size = int(announced_path(target).read_text(encoding="ascii"))
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
                self._failed[target.name] = WatermarkError(UNREADABLE)

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
                    Streamed(source, target, text_file, facts).run()
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
        encode(encode_command(source, partial, text_file), source, target, partial, "movie")


