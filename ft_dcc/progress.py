"""Progress reporting: one tiny interface that each host maps to its own UI.

A progress sink is any callable ``progress(stage, fraction, message)``: ``stage`` names the step
("capture", "encode", "upload", ...), ``fraction`` is 0.0-1.0 within that stage, ``message`` is
short text for the artist. Hosts adapt it to Maya's progress bar, ``nuke.ProgressTask`` or
Blender's ``window_manager.progress_update``.
"""

from __future__ import annotations

import logging
import sys
from typing import Callable, Optional, Protocol, TextIO

log = logging.getLogger(__name__)


class Progress(Protocol):
    """Anything called as ``progress(stage, fraction, message)``."""

    def __call__(self, stage: str, fraction: float, message: str = "") -> None: ...


def null_progress(stage: str, fraction: float, message: str = "") -> None:
    """A sink that ignores everything."""


def logging_progress(stage: str, fraction: float, message: str = "") -> None:
    """A sink that writes each update to the ``ft_dcc.progress`` logger at DEBUG level."""
    log.debug("%s %3.0f%% %s", stage, fraction * 100, message)


class ConsoleProgress:
    """A sink for terminals: one line per stage, rewritten in place on a TTY."""

    def __init__(self, stream: Optional[TextIO] = None) -> None:
        self.stream = stream or sys.stderr
        self._stage: Optional[str] = None

    def __call__(self, stage: str, fraction: float, message: str = "") -> None:
        tty = self.stream.isatty()
        if stage != self._stage:
            if self._stage is not None and tty:
                self.stream.write("\n")
            self._stage = stage
        elif not tty and fraction < 1.0:
            return  # on a log file, only the start and the end of each stage
        end = "\r" if tty and fraction < 1.0 else "\n"
        self.stream.write(f"{stage:>10} {fraction * 100:5.1f}% {message}{end}")
        self.stream.flush()


def scaled(
    progress: Progress, stage: str, start: float, end: float
) -> Callable[[float, str], None]:
    """Map a sub-task's 0-1 fraction onto ``start..end`` of ``stage``."""

    def report(fraction: float, message: str = "") -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        progress(stage, start + (end - start) * fraction, message)

    return report
