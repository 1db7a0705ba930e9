"""Publish progress in Nuke: ``nuke.ProgressTask`` in the app, the terminal under ``nuke -t``."""

from __future__ import annotations

import sys
from typing import Dict, Tuple

import nuke

from ft_dcc.exceptions import PublishError
from ft_dcc.progress import ConsoleProgress, Progress

#: where each pipeline stage sits in the one overall bar (0-1)
STAGE_SPANS: Dict[str, Tuple[float, float]] = {
    "publish": (0.0, 0.05),
    "capture": (0.05, 0.5),
    "encode": (0.5, 0.7),
    "verify": (0.7, 0.72),
    "thumbnail": (0.72, 0.75),
    "upload": (0.75, 0.95),
    "integrate": (0.95, 1.0),
    "queue": (0.95, 1.0),
}
#: stages run inside a publish step, where Cancel can stop the publish cleanly (nothing is
#: uploaded yet; the pipeline's own "publish" updates and the upload are never interrupted)
CANCELLABLE = ("capture", "encode", "verify", "thumbnail")


class ProgressTaskProgress:
    """A progress sink drawing one ``nuke.ProgressTask`` bar; Cancel stops the publish before
    anything is uploaded (a :class:`PublishError` the report shows)."""

    def __init__(self, title: str = "ftrack: publish for review") -> None:
        self.task = nuke.ProgressTask(title)
        self.percent = 0

    def __call__(self, stage: str, fraction: float, message: str = "") -> None:
        start, end = STAGE_SPANS.get(stage, (self.percent / 100.0, self.percent / 100.0))
        overall = start + (end - start) * min(max(float(fraction), 0.0), 1.0)
        self.percent = max(self.percent, round(overall * 100))
        self.task.setMessage(f"{stage}: {message}" if message else stage)
        self.task.setProgress(self.percent)
        if stage in CANCELLABLE and self.task.isCancelled():
            raise PublishError(
                "The publish was cancelled before anything was uploaded.",
                hint="publish again when you are ready",
            )


def publish_progress() -> Progress:
    """The progress sink for a publish started in this Nuke session."""
    if nuke.GUI:
        return ProgressTaskProgress()
    return ConsoleProgress(sys.stderr)
