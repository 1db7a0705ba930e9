"""The editor's cut conformed by the server into **one movie** ("Play cut" plays it in one
``<video>``: its pictures are right by construction, whatever the page's timers do).

The movie is the cut as the page plays it (:func:`pieces`, as ``cut.js``'s ``piecesOf``): each
item's version from its cut source in to its cut source out, at the cut's rate frame for frame,
**black** for a gap, a **card** for a version's missing frames (the version shorter than its
cut) and for an item the server refuses (another rate, no movie), each card's words burnt in as
the page says them; the **sound** follows its picture (silence where a piece has none).

It is kept in the file store, ``<files>/.cuts/<session id>/<conform id>.mp4``, its id a digest
of what it is made of (the cut's revision and rate, each item's timing and review movie): a new
revision of the cut, or an item's changed version, names another movie, built again; the one it
replaces is removed once the new one is there, and never served meanwhile (the media route
serves only the movie the session's cut names now). A build runs in a background thread (never a
request's), one at a time; across the server's worker processes a lock file per movie makes one
of them build it while the others answer "building" until its file is there. A failed build
leaves ``<conform id>.failed`` with what ffmpeg said: the page plays the cut with its two videos
instead, and the cut route says why.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import queue
import shutil
import subprocess
import tempfile
import textwrap
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Set, Tuple

from ft_dcc.protocol.cut_timing import timecode
from ft_dcc.server.files.encode import ffmpeg_exe
from ft_dcc.server.files.filestore import WATERMARK_DIR, FileStore
from ft_dcc.server.review.cut.movie_facts import known_facts

try:  # POSIX: one build across the server's worker processes
    import fcntl
except ImportError:  # pragma: no cover - Windows: one process's lock only
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: the conformed movies' folder in the file store
CUTS_DIR = ".cuts"
#: a conformed movie's id starts so (the media route tells it from a component's)
PREFIX = "cut-"
#: what the movie is made by: changed, every cut is built again
RECIPE = 1
#: the longest one build may take, in seconds
BUILD_TIMEOUT = 1800
#: in each session's folder: one line per movie built (its id)
BUILT_LOG = "built.log"
#: the picture of a cut with no movie in it
DEFAULT_SIZE = (640, 360)
NTSC = (Fraction(24000, 1001), Fraction(30000, 1001), Fraction(48000, 1001), Fraction(60000, 1001))
READY, BUILDING, FAILED = "ready", "building", "failed"
SHORTER = "(the version is shorter than its cut)"
#: what of each segment of the cut its movie is made of (its id's digest)
MADE_OF = ("object_id", "movie_id", "source_in", "source_out", "record_in", "record_out",
           "frame_in", "frame_end", "movie_rate", "refused", "label")  # fmt: skip


def exact_rate(rate: float) -> Fraction:
    """The cut's rate as a fraction (23.976 is 24000/1001), as the page counts it."""
    for ntsc in NTSC:
        if abs(rate - float(ntsc)) < 0.002:
            return ntsc
    return Fraction(rate).limit_denominator(1001)


@dataclass(frozen=True)
class Piece:
    """A run of record frames of the cut: ``movie`` (frames ``first``.. of the segment's
    version) or a card (``gap``, ``missing``, ``refused``) saying ``text``."""

    kind: str
    rec_in: int
    rec_out: int
    text: str = ""
    segment: Optional[Mapping[str, Any]] = None
    first: int = 0

    @property
    def count(self) -> int:
        return self.rec_out - self.rec_in


def pieces(plan: Mapping[str, Any]) -> List[Piece]:
    """The cut's pieces on the record timeline, in order: what ``cut.js``'s ``piecesOf`` makes
    of the same plan (the page maps the movie's time to them)."""
    segments: Sequence[Mapping[str, Any]] = plan.get("segments") or []
    out: List[Piece] = []
    if not segments:
        return out
    rate = float(plan["rate"])

    def hold(kind: str, rec_in: int, rec_out: int, text: str, segment: Any = None) -> None:
        if rec_out > rec_in:
            out.append(Piece(kind, rec_in, rec_out, text, segment))

    at = int(segments[0]["record_in"])
    for s in segments:
        src_in, rec_in = int(s["source_in"]), int(s["record_in"])
        length = int(s["source_out"]) - src_in
        if rec_in > at:
            hold("gap", at, rec_in, f"gap {timecode(at, rate)}\u2013{timecode(rec_in, rate)}")
        if rec_in < at:  # an overlap: the later clip plays from the end of the earlier one
            skip = min(length, at - rec_in)
            src_in, rec_in, length = src_in + skip, rec_in + skip, length - skip
        if length <= 0:
            continue
        label = str(s.get("label") or "")
        if s.get("refused") or not s.get("movie"):
            hold("refused", rec_in, rec_in + length, s.get("refused") or f"{label}: no movie", s)
        else:
            first = int(s["frame_in"])
            end = src_in + length if s.get("frame_end") is None else int(s["frame_end"])
            start, to = max(src_in, first), min(src_in + length, end)

            def missing(a: int, b: int, label: str = label) -> str:
                return f"{label}: frames {a}\u2013{b - 1} missing {SHORTER}"

            if start >= to:
                hold("missing", rec_in, rec_in + length, missing(src_in, src_in + length), s)
            else:
                hold("missing", rec_in, rec_in + start - src_in, missing(src_in, start), s)
                out.append(Piece("movie", rec_in + start - src_in, rec_in + to - src_in,
                                 segment=s, first=start))  # fmt: skip
                hold("missing", rec_in + to - src_in, rec_in + length,
                     missing(to, src_in + length), s)  # fmt: skip
        at = rec_in + length
    return out


def conform_id(session_id: str, plan: Mapping[str, Any]) -> str:
    """The id of the movie ``plan`` conforms to: a digest of the cut (revision, rate) and each
    item's timing and review movie, so a new revision or version names another movie."""
    made_of = [RECIPE, session_id, plan.get("revision"), plan.get("rate")] + [
        [s.get(k) for k in MADE_OF] for s in plan.get("segments") or []
    ]
    digest = hashlib.sha256(json.dumps(made_of, sort_keys=True).encode("utf-8")).hexdigest()
    return PREFIX + digest[:32]


def _run_below(command: List[str]) -> Tuple[int, str]:
    """Run ffmpeg at a lower priority (a build is background work: the server's requests go
    first); its exit code and what it said."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)  # fmt: skip
    with contextlib.suppress(OSError, AttributeError):  # where the OS has priorities
        os.setpriority(os.PRIO_PROCESS, process.pid, 10)
    try:
        _, stderr = process.communicate(timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return -1, f"took longer than {BUILD_TIMEOUT} s"
    return process.returncode, stderr or ""


class ConformError(RuntimeError):
    """ffmpeg could not conform the cut: what it said."""


@dataclass(frozen=True)
class _Input:
    path: Path
    width: int
    height: int
    audio: bool


def _quoted(path: Path) -> str:
    text = path.resolve().as_posix().replace("'", "'\\''").replace(":", "\\:")
    return f"'{text}'"


def _card_text(folder: Path, index: int, text: str, size: Tuple[int, int]) -> str:
    """A drawtext filter burning ``text`` into a card's upper part (the picture's middle
    stays the card's colour)."""
    from ft_dcc.media.burnin import FONT

    size_px = max(10, size[1] // 18)
    text_file = folder / f"card{index}.txt"
    wrapped = textwrap.wrap(text, max(12, int(size[0] / (0.62 * size_px))))
    text_file.write_text("\n".join(wrapped), encoding="utf-8")
    return "drawtext=" + ":".join([
        f"fontfile={_quoted(FONT)}", f"textfile={_quoted(text_file)}", "expansion=none",
        f"fontsize={size_px}", "fontcolor=white", "x=(w-tw)/2", "y=h/8",
    ])  # fmt: skip


def build_command(
    plan: Mapping[str, Any], inputs: Mapping[str, _Input], folder: Path, out: Path
) -> List[str]:
    """ffmpeg's arguments conforming ``plan`` (its pieces, ``inputs`` each movie component's
    stored file) into ``out``."""
    rate = exact_rate(float(plan["rate"]))
    each = list(pieces(plan))
    movies = [inputs[str(p.segment["movie_id"])] for p in each if p.kind == "movie" and p.segment]
    width, height = (movies[0].width, movies[0].height) if movies else DEFAULT_SIZE
    width, height = width // 2 * 2, height // 2 * 2
    retime = f"setpts=N*{rate.denominator}/{rate.numerator}/TB"
    shape = (f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
             f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p")  # fmt: skip
    silence = "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"
    args: List[str] = []
    chains: List[str] = []
    for i, piece in enumerate(each):
        seconds = Fraction(piece.count) / rate
        if piece.kind == "movie" and piece.segment is not None:
            source = inputs[str(piece.segment["movie_id"])]
            index = len(args) // 2
            args += ["-i", str(source.path)]
            start = piece.first - int(piece.segment["frame_in"])
            chains.append(
                f"[{index}:v]trim=start_frame={start}:end_frame={start + piece.count},{retime},"
                f"tpad=stop={piece.count}:color=black,trim=end_frame={piece.count},{shape}[v{i}]"
            )
            if source.audio:
                movie_rate = Fraction(float(piece.segment["movie_rate"])).limit_denominator(1001)
                at = float(Fraction(start) / exact_rate(float(movie_rate)))
                chains.append(
                    f"[{index}:a]atrim=start={at:.6f},asetpts=PTS-STARTPTS,{silence},"
                    f"apad,atrim=duration={float(seconds):.6f}[a{i}]"
                )
                continue
        else:
            colour = "black" if piece.kind == "gap" else "0x303030"
            chains.append(
                f"color=c={colour}:s={width}x{height}:r={rate},trim=end_frame={piece.count},"
                f"{retime},{_card_text(folder, i, piece.text, (width, height))},{shape}[v{i}]"
            )
        chains.append(f"anullsrc=r=48000:cl=stereo,atrim=duration={float(seconds):.6f},"
                      f"{silence}[a{i}]")  # fmt: skip
    joined = "".join(f"[v{i}][a{i}]" for i in range(len(each)))
    graph = ";".join(chains) + f";{joined}concat=n={len(each)}:v=1:a=1[v][a]"
    script = folder / "graph.txt"
    script.write_text(graph, encoding="utf-8")
    return [ffmpeg_exe(), "-nostdin", "-y", "-v", "error", *args,
            "-/filter_complex", str(script), "-map", "[v]", "-map", "[a]",
            "-r", str(rate), "-c:v", "libx264", "-preset", "veryfast", "-crf", "18",
            "-g", str(round(rate)), "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
            "-movflags", "+faststart", "-f", "mp4", str(out)]  # fmt: skip


@dataclass(frozen=True)
class Conform:
    """Where a session's conformed cut stands: ``ready`` (``id`` names the movie), ``building``
    or ``failed`` (``error`` says why)."""

    state: str
    id: str
    error: str = ""

    def as_json(self) -> Dict[str, str]:
        shown = {"state": self.state}
        if self.state == FAILED:
            shown["error"] = self.error
        return shown


def _probed(path: Path, label: str) -> Tuple[int, int, bool]:
    """(width, height, sound) of the movie at ``path`` read by ffmpeg; ConformError naming the
    item ``label`` when it cannot be read."""
    from ft_dcc.media import probe_movie  # the media package loads on the first probe

    try:
        info = probe_movie(path)
    except Exception as exc:
        raise ConformError(f"{label}: its review movie cannot be read ({exc})") from exc
    return info.width, info.height, info.has_audio


class Conformer:
    """Builds and keeps the conformed cuts of one file store."""

    def __init__(self, files: FileStore) -> None:
        self.files = files
        self.root = files.root / CUTS_DIR
        self._guard = threading.Lock()
        self._queued: Set[str] = set()
        self._waiting: queue.Queue[Tuple[str, str, Dict[str, Any]]] = queue.Queue()
        self._worker: Optional[threading.Thread] = None

    def _folder(self, session_id: str) -> Path:
        return self.root / hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:32]

    def movie(self, session_id: str, ident: str) -> Path:
        return self._folder(session_id) / f"{ident}.mp4"

    def state(self, session_id: str, plan: Mapping[str, Any]) -> Conform:
        """Where the movie of ``plan`` stands; a build is queued (never run here) when there is
        neither the movie nor its failure."""
        ident = conform_id(session_id, plan)
        target = self.movie(session_id, ident)
        if target.is_file():
            return Conform(READY, ident)
        failed = target.with_suffix(".failed")
        if failed.is_file():
            return Conform(FAILED, ident, failed.read_text(encoding="utf-8", errors="replace"))
        with self._guard:
            if ident not in self._queued:
                self._queued.add(ident)
                self._waiting.put((session_id, ident, dict(plan)))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="cut-conform",
                                                daemon=True)  # fmt: skip
                self._worker.start()
        return Conform(BUILDING, ident)

    def _work(self) -> None:
        while True:
            session_id, ident, plan = self._waiting.get()
            try:
                self.build(session_id, ident, plan)
            except Exception:  # recorded in its .failed file; the server goes on
                log.exception("could not conform the cut %s", ident)
            finally:
                with self._guard:
                    self._queued.discard(ident)

    def build(self, session_id: str, ident: str, plan: Mapping[str, Any]) -> None:
        """Build the movie ``ident`` of ``plan`` unless another process does (its lock held) or
        it is there; on failure write its ``.failed`` file."""
        target = self.movie(session_id, ident)
        target.parent.mkdir(parents=True, exist_ok=True)
        with self._build_lock(target) as mine:
            if not mine or target.is_file() or target.with_suffix(".failed").is_file():
                return
            try:
                self._make(plan, target)
            except Exception as exc:
                message = f"The cut could not be conformed into one movie: {exc}"[:800]
                target.with_suffix(".failed").write_text(message, encoding="utf-8")
                raise
        self._retire_others(target)

    def _inputs(self, plan: Mapping[str, Any]) -> Dict[str, _Input]:
        """Each movie of the cut: its stored file, size and sound, as the server recorded them
        when the movie's header confirms it (no process run), else probed."""
        inputs: Dict[str, _Input] = {}
        probed = 0
        for piece in pieces(plan):
            if piece.kind != "movie" or piece.segment is None:
                continue
            movie_id = str(piece.segment["movie_id"])
            if movie_id in inputs:
                continue
            path = self.files.path_for(movie_id)
            known = known_facts(path, piece.segment)
            if known is None:
                known, probed = _probed(path, str(piece.segment.get("label"))), probed + 1
            inputs[movie_id] = _Input(path, *known)
        log.info("the cut's %d movie(s): %d probed, the others as recorded", len(inputs), probed)
        return inputs

    def _make(self, plan: Mapping[str, Any], target: Path) -> None:
        inputs = self._inputs(plan)
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            partial = Path(tmp) / "cut.mp4"
            command = build_command(plan, inputs, Path(tmp), partial)
            log.info("conforming a cut of %d piece(s) into %s", len(pieces(plan)), target.name)
            code, stderr = _run_below(command)
            if code != 0 or not partial.is_file():
                tail = stderr.strip().splitlines()[-3:]
                raise ConformError("ffmpeg: " + (" / ".join(tail) or f"exit {code}"))
            os.replace(partial, target)
        with open(target.parent / BUILT_LOG, "a", encoding="utf-8") as built:
            built.write(target.stem + "\n")  # the builds' record: one line each

    def _retire_others(self, keep: Path) -> None:
        """Remove the session's other conformed movies (of earlier revisions or versions) and
        their viewers' watermarked copies."""
        for other in keep.parent.iterdir():
            if other.stem == keep.stem or other.suffix not in (".mp4", ".failed", ".lock"):
                continue
            other.unlink(missing_ok=True)
            if other.suffix == ".mp4":
                shutil.rmtree(self.files.root / WATERMARK_DIR / other.stem, True)

    @contextlib.contextmanager
    def _build_lock(self, target: Path) -> Iterator[bool]:
        """Whether this process holds the build lock of ``target`` (another holds it: False)."""
        with open(target.with_suffix(".lock"), "a", encoding="utf-8") as handle:
            if fcntl is not None:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    yield False
                    return
            yield True
