"""Progress reporting: one tiny interface that each host maps to its own UI.

A progress sink is any callable ``progress(stage, fraction, message)``: ``stage`` names the step
("capture", "encode", "upload", ...), ``fraction`` is 0.0-1.0 within that stage, ``message`` is
short text for the artist. Hosts adapt it to Maya's progress bar, ``nuke.ProgressTask`` or
Blender's ``window_manager.progress_update``; ``ft_dcc.console.ConsoleProgress`` draws it on a
terminal.
"""

from __future__ import annotations

import logging
import re
from typing import Callable, Dict, Optional, Protocol, Tuple

log = logging.getLogger(__name__)


class Progress(Protocol):
    """Anything called as ``progress(stage, fraction, message)``."""

    def __call__(self, stage: str, fraction: float, message: str = "") -> None: ...


def null_progress(stage: str, fraction: float, message: str = "") -> None:
    """A sink that ignores everything."""


def logging_progress(stage: str, fraction: float, message: str = "") -> None:
    """A sink that writes each update to the ``ft_dcc.progress`` logger at DEBUG level."""
    log.debug("%s %3.0f%% %s", stage, fraction * 100, message)


def scaled(
    progress: Progress, stage: str, start: float, end: float
) -> Callable[[float, str], None]:
    """Map a sub-task's 0-1 fraction onto ``start..end`` of ``stage``."""

    def report(fraction: float, message: str = "") -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        progress(stage, start + (end - start) * fraction, message)

    return report


#: the stages each reviewable of a publish runs on its own (upload and integrate run once, for
#: every reviewable, and already count across all of them)
REVIEWABLE_STAGES = ("capture", "extract", "encode", "verify", "thumbnail")


def reviewable_label(name: str, index: int, count: int) -> str:
    """``camB (2 of 3)``: which reviewable of a publish a message is about."""
    return f"{name} ({index + 1} of {count})" if name else f"({index + 1} of {count})"


#: the counts a stage reports of one reviewable: "frame 6/12", "captured 12 file(s)"
_FRAME_COUNT = re.compile(r"\bframe (\d+)/(\d+)")
_FILE_COUNT = re.compile(r"\bcaptured (\d+) file\(s\)")


class ReviewableTotals:
    """The counts of one publish's reviewables, per stage, so that each reviewable's messages
    count every reviewable: "frame 6/12" of the second of three 12-frame cameras reads
    "frame 18/36". A reviewable that has not reported yet is taken to be as long as the one
    reporting (cameras of one scene share its range); its own count replaces that once known,
    in any stage (a reviewable captures and encodes as many frames)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._lengths: Dict[str, Dict[int, int]] = {}

    def frames(self, kind: str, index: int, done: int, total: int) -> Tuple[int, int]:
        """``(done, total)`` across every reviewable for ``done`` of ``total`` ``kind`` (frames,
        files) of reviewable ``index``."""
        known = self._lengths.setdefault(kind, {})
        known[index] = total
        before = sum(known.get(i, total) for i in range(index))
        after = sum(known.get(i, total) for i in range(index + 1, self.count))
        return before + done, before + total + after

    def counted(self, index: int, message: str) -> str:
        """``message`` with its count ("frame n/m", "captured n file(s)") across all."""
        frame = _FRAME_COUNT.search(message)
        if frame:
            done, total = self.frames("frames", index, int(frame.group(1)), int(frame.group(2)))
            return f"{message[: frame.start()]}frame {done}/{total}{message[frame.end() :]}"
        files = _FILE_COUNT.search(message)
        if files:
            count = int(files.group(1))
            done, _ = self.frames("files", index, count, count)
            return f"{message[: files.start()]}captured {done} file(s){message[files.end() :]}"
        return message


def for_reviewable(
    progress: Progress,
    index: int,
    count: int,
    name: str = "",
    totals: Optional[ReviewableTotals] = None,
) -> Progress:
    """``progress`` for reviewable ``index`` (0-based) of ``count`` in one publish: its own
    stages fill the ``index``-th of ``count`` equal parts of each stage's bar (so a bar advances
    across every reviewable instead of restarting), each message starts with
    :func:`reviewable_label`, and its counts are ``totals``'s, across every reviewable
    (``camB (2 of 3): frame 18/36``; pass the same ``totals`` for every reviewable of the
    publish). One reviewable: ``progress``."""
    if count <= 1:
        return progress
    label = reviewable_label(name, index, count)
    totals = totals or ReviewableTotals(count)

    def report(stage: str, fraction: float, message: str = "") -> None:
        if stage in REVIEWABLE_STAGES:
            fraction = (index + min(max(float(fraction), 0.0), 1.0)) / count
            message = totals.counted(index, message)
            message = f"{label}: {message}" if message else label
        elif stage == "publish":  # the pipeline's plugin steps: which reviewable they check
            message = f"{label}: {message}" if message else label
        progress(stage, fraction, message)

    return report
