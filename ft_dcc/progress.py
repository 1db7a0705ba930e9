"""Progress reporting: one tiny interface that each host maps to its own UI.

A progress sink is any callable ``progress(stage, fraction, message)``: ``stage`` names the step
("capture", "encode", "upload", ...), ``fraction`` is 0.0-1.0 within that stage, ``message`` is
short text for the artist. Hosts adapt it to Maya's progress bar, ``nuke.ProgressTask`` or
Blender's ``window_manager.progress_update``; ``ft_dcc.console.ConsoleProgress`` draws it on a
terminal.
"""

from __future__ import annotations

import logging
from typing import Callable, Protocol

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
