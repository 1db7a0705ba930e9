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


#: the stages each reviewable of a publish runs on its own (upload and integrate run once, for
#: every reviewable, and already count across all of them)
REVIEWABLE_STAGES = ("capture", "extract", "encode", "verify", "thumbnail")


def reviewable_label(name: str, index: int, count: int) -> str:
    """``camB (2 of 3)``: which reviewable of a publish a message is about."""
    return f"{name} ({index + 1} of {count})" if name else f"({index + 1} of {count})"


def for_reviewable(progress: Progress, index: int, count: int, name: str = "") -> Progress:
    """``progress`` for reviewable ``index`` (0-based) of ``count`` in one publish: its own
    stages fill the ``index``-th of ``count`` equal parts of each stage's bar (so a bar advances
    across every reviewable instead of restarting), and each message starts with
    :func:`reviewable_label` (``camB (2 of 3): frame 6/12``). One reviewable: ``progress``."""
    if count <= 1:
        return progress
    label = reviewable_label(name, index, count)

    def report(stage: str, fraction: float, message: str = "") -> None:
        if stage in REVIEWABLE_STAGES:
            fraction = (index + min(max(float(fraction), 0.0), 1.0)) / count
            message = f"{label}: {message}" if message else label
        elif stage == "publish":  # the pipeline's plugin steps: which reviewable they check
            message = f"{label}: {message}" if message else label
        progress(stage, fraction, message)

    return report
