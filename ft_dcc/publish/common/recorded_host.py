"""A host as a queued publish recorded it: what the frame checks ask of a host, at flush.

A publish queued offline keeps the facts of its host the frame checks and the capture size read
(:func:`facts_of`); at flush :class:`RecordedHost` answers from them, so the checks a live
publish runs (``ft_dcc.publish.rules.checks``) run again on the queued work, without the DCC.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path
from typing import List, Optional, Tuple

from ft_dcc.exceptions import HostError
from ft_dcc.progress import Progress, null_progress
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec, Host, to_fraction


def facts_of(host: Host, spec: CaptureSpec) -> JsonObject:
    """What :class:`RecordedHost` needs of ``host`` (asked of a copy: numbering changes it)."""
    width, height = host.resolution()
    start, end = host.frame_range()
    return {
        "name": host.name,
        "rate_source": host.rate_source(),
        "renders_range": bool(host.renders_range),
        "resolution": [int(width), int(height)],
        "frame_range": [int(start), int(end)],
        "fps": fraction_text(to_fraction(spec.fps)),
        "renumbers": _renumbers(host, spec.frame_start),
    }


def _renumbers(host: Host, first: int) -> bool:
    """Whether ``host`` numbers its input from a shot's start (asked of a copy: it changes)."""
    if type(host).number_frames_from is Host.number_frames_from:
        return False
    return bool(copy.copy(host).number_frames_from(first))


def fraction_text(rate: Fraction) -> str:
    """A rate as JSON keeps it exactly: ``"25/1"``, ``"24000/1001"``."""
    return f"{rate.numerator}/{rate.denominator}"


class RecordedHost(Host):
    """The host of a queued publish, answering from :func:`facts_of`'s record (and the scene
    or input and camera it published, which name its asset); it captures nothing (the queued
    work is encoded already)."""

    uses_cameras = False

    def __init__(
        self, facts: JsonObject, scene: Optional[str] = None, camera: Optional[str] = None
    ) -> None:
        self.facts = facts
        self.name = str(facts.get("name") or "")
        self.renders_range = bool(facts.get("renders_range"))
        self.scene = Path(scene) if scene else None
        self.camera = camera

    def scene_path(self) -> Optional[Path]:
        return self.scene

    def has_unsaved_changes(self) -> bool:
        return False

    def save_scene(self) -> Path:
        raise HostError("a queued publish has no scene to save")

    def frame_range(self) -> Tuple[int, int]:
        start, end = self._pair("frame_range")
        return start, end

    def fps(self) -> Fraction:
        return to_fraction(str(self.facts.get("fps") or "24"))

    def resolution(self) -> Tuple[int, int]:
        width, height = self._pair("resolution")
        return width, height

    def cameras(self) -> List[str]:
        return []

    def current_camera(self) -> Optional[str]:
        return self.camera

    def capture(
        self, spec: CaptureSpec, out_dir: Path, progress: Progress = null_progress
    ) -> CaptureResult:
        raise HostError("a queued publish is encoded already; it captures nothing")

    def rate_source(self) -> Optional[str]:
        source = self.facts.get("rate_source")
        return str(source) if source else None

    def number_frames_from(self, first: int) -> bool:
        return bool(self.facts.get("renumbers"))

    def _pair(self, key: str) -> Tuple[int, int]:
        value = self.facts.get(key)
        if not isinstance(value, list) or len(value) != 2:
            return 0, 0
        return int(str(value[0])), int(str(value[1]))
