"""Progress on a terminal: one clean bar per stage, and log lines that never land inside it.

On a terminal (a TTY) each stage gets one line, redrawn in place (the line is erased first, so a
shorter text never leaves the end of a longer one behind)::

      encode    [###############.........]  62%  8/12 frames  ~1s left
      upload    [########################] 100%  1.2/1.2 MB  0.4s

and a finished stage keeps its line, with how long it took. The pipeline's own plugin-by-plugin
updates (stage "publish") show on a transient line that the next stage replaces. Anywhere else (a
pipe, a log file, or ``plain=True`` as ``--json`` asks) every stage prints two plain lines: when
it starts and when it is done. :class:`ConsoleLogHandler` writes log records on their own lines:
it erases the bar, writes the record, and draws the bar again.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
from typing import Callable, Dict, Optional, TextIO

#: stages whose line is replaced by the next one instead of kept (the pipeline's plugin steps)
TRANSIENT_STAGES = ("publish", "flush")
BAR_WIDTH = 24
ERASE_LINE = "\r\x1b[2K"

_FRAMES = re.compile(r"frame (\d+)/(\d+)")
_BYTES = re.compile(r"(\d+)/(\d+) bytes")
#: "camB (2 of 3): frame 6/12": one of several reviewables (ft_dcc.progress.for_reviewable)
_WHICH = re.compile(r"^(?P<which>.*?\(\d+ of \d+\))(?:: (?P<rest>.*))?$", re.DOTALL)

#: the ``extra`` of a log record whose text the final report prints too (a publish's warnings):
#: the terminal's log handler leaves it out, so each warning is printed once, in the report
IN_REPORT = {"ft_dcc_in_report": True}

#: the bar being drawn on each stream (by id), for :class:`ConsoleLogHandler`
_live: Dict[int, ConsoleProgress] = {}
_lock = threading.RLock()


def _size(count: float, unit_of: float) -> str:
    return f"{count / unit_of:.1f}"


def _counted(text: str) -> bool:
    return text.endswith((" frames", " MB", " kB"))


def detail(message: str) -> str:
    """A progress message as a person reads it: "frame 6/12" -> "6/12 frames",
    "1048576/2097152 bytes shot.mp4" -> "1.0/2.0 MB"; anything else as it is. A reviewable's
    label stays in front: "camB (2 of 3): frame 6/12" -> "camB (2 of 3) 6/12 frames"."""
    which = _WHICH.match(message)
    if which:
        return f"{which['which']} {detail(which['rest'] or '')}".rstrip()
    frames = _FRAMES.search(message)
    if frames:
        return f"{frames.group(1)}/{frames.group(2)} frames"
    sent = _BYTES.search(message)
    if sent:
        done, total = int(sent.group(1)), int(sent.group(2))
        unit, size = ("MB", 1024 * 1024) if total >= 1024 * 1024 else ("kB", 1024)
        return f"{_size(done, size)}/{_size(total, size)} {unit}"
    return message


def _which(text: str) -> str:
    """The reviewable a detail is about ("camB (2 of 3)"), or "" when it names none."""
    which = _WHICH.match(text)
    return which["which"] if which else ""


def _replaces(text: str, shown: str) -> bool:
    """Frames or bytes stay once known, until another reviewable's text comes."""
    return _counted(text) or not _counted(shown) or _which(text) != _which(shown)


def duration(seconds: float) -> str:
    """``0.4s``, ``12s``, ``2m05s``."""
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 60:
        return f"{seconds:.0f}s"
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


class _Stage:
    def __init__(self, name: str, clock: Callable[[], float]) -> None:
        self.name = name
        self.clock = clock
        self.started = clock()
        self.fraction = 0.0
        self.detail = ""

    def elapsed(self) -> float:
        return self.clock() - self.started

    def time_left(self) -> Optional[float]:
        elapsed = self.elapsed()
        if self.fraction <= 0.02 or self.fraction >= 1.0 or elapsed < 0.5:
            return None
        return elapsed * (1.0 - self.fraction) / self.fraction


class ConsoleProgress:
    """A progress sink for terminals (see the module docstring). ``plain`` forces plain lines
    (default: plain unless ``stream`` is a TTY). ``clock`` gives the seconds that stage times and
    the time left are measured in (``time.monotonic`` unless a test passes its own)."""

    def __init__(
        self,
        stream: Optional[TextIO] = None,
        plain: Optional[bool] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream or sys.stderr
        self.clock = clock
        isatty = getattr(self.stream, "isatty", lambda: False)
        self.plain = (not isatty()) if plain is None else plain
        self._stage: Optional[_Stage] = None
        self._seen: Dict[str, _Stage] = {}  # a stage that comes back keeps its start time
        self._drawn = False  # a partial line is on screen

    # -- the sink ---------------------------------------------------------------------------
    def __call__(self, stage: str, fraction: float, message: str = "") -> None:
        with _lock:
            current = self._stage
            if current is None or current.name != stage:
                self._leave(current)
                current = self._stage = self._seen.get(stage) or _Stage(stage, self.clock)
                if self.plain and stage not in TRANSIENT_STAGES and stage not in self._seen:
                    self._write(f"{stage}: {detail(message) or 'started'}\n")
                self._seen[stage] = current
            current.fraction = max(current.fraction, min(max(float(fraction), 0.0), 1.0))
            text = detail(message)
            if text and _replaces(text, current.detail):
                current.detail = text
            if not self.plain:
                self._draw()

    def close(self) -> None:
        """Finish the output: keep the last stage's line (also unfinished: where it stopped),
        drop a transient one."""
        with _lock:
            self._leave(self._stage, closing=True)
            self._stage = None

    # -- drawing ----------------------------------------------------------------------------
    def _leave(self, stage: Optional[_Stage], closing: bool = False) -> None:
        """``stage`` ends (or pauses: an unfinished stage left for another comes back)."""
        if stage is None:
            return
        transient = stage.name in TRANSIENT_STAGES or (stage.fraction < 1.0 and not closing)
        if self.plain:
            if not transient:
                self._write(f"{stage.name}: done in {duration(stage.elapsed())}"
                            f"{f' ({stage.detail})' if stage.detail else ''}\n")
            return
        if transient:
            self._erase()
        else:
            self._draw(final=True)
            self._write("\n")
            self._drawn = False
            _live.pop(id(self.stream), None)

    def line(self, final: bool = False) -> str:
        """The current stage's line as it is drawn."""
        stage = self._stage
        if stage is None:
            return ""
        filled = round(stage.fraction * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        text = f"  {stage.name:<9} [{bar}] {stage.fraction * 100:3.0f}%  {stage.detail}"
        if final:
            return f"{text}  {duration(stage.elapsed())}"
        left = stage.time_left()
        return f"{text}  ~{duration(left)} left" if left is not None else text

    def _draw(self, final: bool = False) -> None:
        width = self._columns()
        text = self.line(final)
        self._write(ERASE_LINE + (text[: width - 1] if width else text))
        self._drawn = True
        _live[id(self.stream)] = self

    def _erase(self) -> None:
        if self._drawn:
            self._write(ERASE_LINE)
            self._drawn = False
            _live.pop(id(self.stream), None)

    def _columns(self) -> int:
        """The terminal's width; 0 when it has none (a pty that reports 0 columns, as under
        ``script`` run from a pipe): then lines are not cut."""
        try:
            return max(os.get_terminal_size(self.stream.fileno()).columns, 0)
        except (OSError, ValueError, AttributeError):
            return 100

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


class ConsoleLogHandler(logging.StreamHandler):
    """A log handler that never writes into a progress bar: it erases the bar on its stream,
    writes the record on its own line, and draws the bar again. Records marked
    :data:`IN_REPORT` are left to the report."""

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "ft_dcc_in_report", False):
            return  # the report prints it
        with _lock:
            live = _live.get(id(self.stream))
            if live is not None and live._drawn:
                live._erase()
                super().emit(record)
                live._draw()
            else:
                super().emit(record)
