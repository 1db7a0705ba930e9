"""Publish progress in Nuke: ``nuke.ProgressTask`` in the app, the terminal under ``nuke -t``."""

from __future__ import annotations

import sys

import nuke

from ft_dcc.console import ConsoleProgress
from ft_dcc.exceptions import PublishError
from ft_dcc.host.stages import overall_fraction
from ft_dcc.progress import Progress

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
        self.percent = round(overall_fraction(stage, fraction, self.percent / 100.0) * 100)
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
