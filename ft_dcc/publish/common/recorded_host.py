"""A host as a queued publish recorded it: what the frame checks ask of a host, at flush.

A publish queued offline keeps the facts of its host the frame checks and the capture size read
(:class:`HostFacts`, :func:`facts_of`); at flush :class:`RecordedHost` answers from them, so the
checks a live publish runs (``ft_dcc.publish.rules.checks``) run again on the queued work,
without the DCC.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path
from typing import List, Mapping, Optional, Tuple

import attr

from ft_dcc.exceptions import HostError
from ft_dcc.progress import Progress, null_progress
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec, Host, to_fraction

Pair = Tuple[int, int]


def _pair(value: object) -> Pair:
    """``[a, b]`` as JSON keeps it (anything else: ``(0, 0)``, as nothing was recorded)."""
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return 0, 0
    return int(str(value[0])), int(str(value[1]))


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class HostFacts:
    """What the frame checks and the capture size ask of a host, as recorded."""

    name: str = ""
    rate_source: Optional[str] = None  # where the input's rate came from; None: it has none
    renders_range: bool = False  # the host renders whatever range it is asked for
    resolution: Pair = attr.ib(default=(0, 0), converter=_pair)
    frame_range: Pair = attr.ib(default=(0, 0), converter=_pair)
    fps: str = "24/1"  # exactly, as :func:`fraction_text` writes it
    renumbers: bool = False  # the host numbers its input from the shot's start

    def to_json(self) -> JsonObject:
        data: JsonObject = attr.asdict(self)
        data.update(resolution=list(self.resolution), frame_range=list(self.frame_range))
        return data

    @classmethod
    def of(cls, data: Mapping[str, object]) -> HostFacts:
        """The facts :meth:`to_json` wrote (a key it does not know is ignored)."""
        source = data.get("rate_source")
        return cls(
            name=str(data.get("name") or ""),
            rate_source=str(source) if source else None,
            renders_range=bool(data.get("renders_range")),
            resolution=_pair(data.get("resolution")),
            frame_range=_pair(data.get("frame_range")),
            fps=str(data.get("fps") or "24/1"),
            renumbers=bool(data.get("renumbers")),
        )


def facts_of(host: Host, spec: CaptureSpec) -> HostFacts:
    """What :class:`RecordedHost` needs of ``host`` (asked of a copy: numbering changes it)."""
    return HostFacts(
        name=host.name,
        rate_source=host.rate_source(),
        renders_range=bool(host.renders_range),
        resolution=host.resolution(),
        frame_range=host.frame_range(),
        fps=fraction_text(to_fraction(spec.fps)),
        renumbers=_renumbers(host, spec.frame_start),
    )


def _renumbers(host: Host, first: int) -> bool:
    """Whether ``host`` numbers its input from a shot's start (asked of a copy: it changes)."""
    if type(host).number_frames_from is Host.number_frames_from:
        return False
    return bool(copy.copy(host).number_frames_from(first))


def fraction_text(rate: Fraction) -> str:
    """A rate as JSON keeps it exactly: ``"25/1"``, ``"24000/1001"``."""
    return f"{rate.numerator}/{rate.denominator}"


class RecordedHost(Host):
    """The host of a queued publish, answering from its :class:`HostFacts` (and the scene
    or input and camera it published, which name its asset); it captures nothing (the queued
    work is encoded already)."""

    uses_cameras = False

    def __init__(
        self, facts: HostFacts, scene: Optional[str] = None, camera: Optional[str] = None
    ) -> None:
        self.facts = facts
        self.name = facts.name
        self.renders_range = facts.renders_range
        self.scene = Path(scene) if scene else None
        self.camera = camera

    def scene_path(self) -> Optional[Path]:
        return self.scene

    def has_unsaved_changes(self) -> bool:
        return False

    def save_scene(self) -> Path:
        raise HostError("a queued publish has no scene to save")

    def frame_range(self) -> Tuple[int, int]:
        return self.facts.frame_range

    def fps(self) -> Fraction:
        return to_fraction(self.facts.fps)

    def resolution(self) -> Tuple[int, int]:
        return self.facts.resolution

    def cameras(self) -> List[str]:
        return []

    def current_camera(self) -> Optional[str]:
        return self.camera

    def capture(
        self, spec: CaptureSpec, out_dir: Path, progress: Progress = null_progress
    ) -> CaptureResult:
        raise HostError("a queued publish is encoded already; it captures nothing")

    def rate_source(self) -> Optional[str]:
        return self.facts.rate_source

    def number_frames_from(self, first: int) -> bool:
        return self.facts.renumbers
