"""Per-viewer watermarked review movies: the viewer's name, e-mail and the date burned into the
frames a client link receives (a session's ``watermark`` setting, :mod:`.media_policy`).

The server encodes the viewer's copy of a review movie on its first view (ffmpeg's ``drawtext``
over the whole picture, x264 ``ultrafast``, the audio copied, every frame kept with its time)
and keeps it: ``<files>/.watermarks/<component id>/<viewer key>-<date>.mp4``, the key a digest
of the viewer's text (no name or address in a file name), one copy per component, viewer and day
(a new day's copy replaces the viewer's older one). The folder goes when the component is
retired (``FileStore.remove``). Concurrent first views of one viewer encode once: a lock per
copy in this process, and a lock file across the server's worker processes (``fcntl.flock``
where the OS has it); ``made.log`` in the folder lists each copy made. A session page opened
through a client link starts its movies' copies in the background (:meth:`Watermarker.prepare`),
so the player's first request finds its copy made or being made. The picture itself carries the
mark: the page never draws text over the video.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import queue
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from ft_dcc.safe_paths import confined
from ft_dcc.server.errors import ServerError
from ft_dcc.server.files.encode import ffmpeg_exe
from ft_dcc.server.files.filestore import WATERMARK_DIR, FileStore, check_component_id

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
    """ffmpeg's arguments for one viewer's copy of ``source``."""
    return [
        ffmpeg_exe(), "-nostdin", "-y", "-v", "error", "-i", str(source),
        "-map", "0:v:0", "-map", "0:a?", "-vf", mark_filter(text_file),
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p",
        "-fps_mode", "passthrough", "-c:a", "copy", "-movflags", "+faststart",
        "-f", "mp4", str(target),
    ]  # fmt: skip


def viewer_key(viewer: str) -> str:
    """A file-name-safe digest of the viewer's text."""
    return hashlib.sha256(viewer.encode("utf-8")).hexdigest()[:32]


class Watermarker:
    """Makes and keeps the viewers' copies of one file store's review movies."""

    def __init__(self, files: FileStore) -> None:
        self.root = files.root / WATERMARK_DIR
        self._guard = threading.Lock()
        self._locks: Dict[str, threading.Lock] = {}
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

    def path(self, component_id: str, viewer: str, date: str) -> Path:
        """Where ``viewer``'s copy of ``component_id`` for ``date`` is kept."""
        folder = confined(self.root, check_component_id(component_id), keep=True)
        return confined(folder, f"{viewer_key(viewer)}-{date}", ".mp4")

    def marked(self, component_id: str, source: Path, viewer: str, date: str) -> Path:
        """``viewer``'s copy of ``source`` (the stored file of ``component_id``) for ``date``,
        encoded now when there is none yet (once, however many ask at the same time)."""
        target = self.path(component_id, viewer, date)
        if target.is_file():
            return target
        with self._lock(target.name), self._file_lock(target):
            if not target.is_file():
                self._encode(source, target, f"{viewer}\n{date}")
        return target

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
        """Remove the viewer's copies of this movie from earlier days (one copy a viewer)."""
        key = target.name.split("-", 1)[0]
        for older in target.parent.glob(f"{key}-*.mp4"):
            if older.name != target.name:
                older.unlink(missing_ok=True)

    def _encode(self, source: Path, target: Path, text: str) -> None:
        stem = f".{uuid.uuid4().hex}"
        text_file = target.parent / f"{stem}.txt"
        partial = target.parent / f"{stem}.part"
        text_file.write_text(text, encoding="utf-8")
        log.info("watermarking %s for a viewer: %s", source.name, target.name)
        try:
            result = subprocess.run(
                encode_command(source, partial, text_file),
                capture_output=True, text=True, timeout=ENCODE_TIMEOUT,
            )  # fmt: skip
            if result.returncode != 0:
                tail = " / ".join((result.stderr or "").strip().splitlines()[-3:])
                log.error("watermark encode of %s failed: %s", source.name, tail)
                raise WatermarkError(
                    "This version's movie could not be read to make your watermarked copy; ask "
                    "the person who runs the review to republish it."
                )
            os.replace(partial, target)
            with open(target.parent / MADE_LOG, "a", encoding="utf-8") as made:
                made.write(target.name + "\n")
            self._drop_older(target)
        except subprocess.TimeoutExpired:
            raise WatermarkTimeout(
                "Your watermarked copy of this movie took too long to make; try again later."
            ) from None
        finally:
            text_file.unlink(missing_ok=True)
            partial.unlink(missing_ok=True)
