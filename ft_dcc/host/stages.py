"""One progress bar over a whole publish: where each pipeline stage sits in it.

The pipeline reports ``progress(stage, fraction, message)`` per stage; a host's UI shows one bar.
:data:`STAGE_SPANS` is the one table every host uses, in the order the pipeline runs the stages
(``ft_dcc/publish/extract/steps.py``: capture, encode, verify, thumbnail; then upload and
integrate).
"""

from __future__ import annotations

import threading
from typing import Dict, Tuple

#: (start, end) of each stage in the overall bar, in pipeline order; "publish" is the pipeline's
#: own plugin-by-plugin progress, which only moves the bar before the heavy stages begin
STAGE_SPANS: Dict[str, Tuple[float, float]] = {
    "publish": (0.0, 0.05),
    "collect": (0.0, 0.03),
    "validate": (0.03, 0.05),
    "capture": (0.05, 0.5),
    "extract": (0.05, 0.5),
    "encode": (0.5, 0.7),
    "verify": (0.7, 0.72),
    "thumbnail": (0.72, 0.75),
    "upload": (0.75, 0.95),
    "integrate": (0.95, 1.0),
    "review": (0.95, 1.0),
    "queue": (0.95, 1.0),
}


def overall_fraction(stage: str, fraction: float, current: float = 0.0) -> float:
    """Where ``fraction`` of ``stage`` lies in the whole publish (0-1), never below ``current``
    (an unknown stage keeps the bar where it is)."""
    start, end = STAGE_SPANS.get(stage, (current, current))
    overall = start + (end - start) * min(max(float(fraction), 0.0), 1.0)
    return max(current, overall)


class OverallProgress:
    """A thread-safe progress sink: a worker writes stage updates, a UI reads one overall
    fraction (never going back) with the latest stage and message."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.fraction = 0.0
        self.stage = ""
        self.message = ""

    def __call__(self, stage: str, fraction: float, message: str = "") -> None:
        with self._lock:
            self.fraction = overall_fraction(stage, fraction, self.fraction)
            self.stage, self.message = stage, message

    def snapshot(self) -> Tuple[float, str, str]:
        with self._lock:
            return self.fraction, self.stage, self.message
