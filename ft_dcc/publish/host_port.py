"""The one small interface each host implements, and the capture spec it is given.

Modelled on Kitsu's ``dccutils``: a host answers questions about the open scene and captures a
playblast; it knows nothing of ftrack. The pipeline (``ft_dcc.publish``) does everything else.
"""

from __future__ import annotations

import abc
from fractions import Fraction
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Mapping,
    Optional,
    Tuple,
    TypedDict,
    TypeVar,
    Union,
)

import attr

from ft_dcc.media._fps import as_fraction
from ft_dcc.media.colour import ColourSettings
from ft_dcc.progress import Progress, null_progress
from ft_dcc.protocol.json_value import JsonObject

if TYPE_CHECKING:  # pragma: no cover - Unpack is typing's from Python 3.11
    from typing_extensions import Unpack

#: what a streaming capture calls with each frame file once it is complete on disk
FrameSink = Callable[[Path], None]

#: an fps as an exact rational (23.976 becomes 24000/1001): the one implementation, for hosts
to_fraction = as_fraction


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class CaptureSpec:
    """What to capture: recorded with each publish so a review can be reproduced."""

    camera: Optional[str]
    frame_start: int
    frame_end: int
    fps: Fraction = attr.ib(converter=as_fraction)
    width: int
    height: int
    display: JsonObject = attr.Factory(dict)  # shading, overlays, burn-ins: host-specific keys

    @property
    def frame_count(self) -> int:
        return self.frame_end - self.frame_start + 1

    def viewport(self) -> Viewport:
        """How the settings want the viewport drawn (``capture.shading``: scene / wireframe /
        solid / material, ``capture.overlays``, ``capture.hud``), defaults filled in."""
        given = self.display.get("viewport")
        wanted = given if isinstance(given, dict) else {}
        shading = wanted.get("shading", "scene")
        return {
            "shading": shading if isinstance(shading, str) else "scene",
            "overlays": bool(wanted.get("overlays", False)),
            "hud": bool(wanted.get("hud", False)),
        }

    def to_dict(self) -> JsonObject:
        data: JsonObject = attr.asdict(self)
        data["fps"] = f"{self.fps.numerator}/{self.fps.denominator}"
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> CaptureSpec:
        """The spec :meth:`to_dict` wrote (the fps converter reads its text)."""
        fields: Dict[str, Any] = dict(data)  # JSON values, as to_dict wrote them
        return cls(**fields)


class Viewport(TypedDict):
    """How a capture's viewport draws (:meth:`CaptureSpec.viewport`)."""

    shading: str  # scene / wireframe / solid / material
    overlays: bool
    hud: bool


class SpecOverrides(TypedDict, total=False):
    """What :meth:`Host.default_spec` may override (None: the scene's own)."""

    camera: Optional[str]
    frame_start: Optional[int]
    frame_end: Optional[int]
    fps: Union[Fraction, float, str, None]
    width: Optional[int]
    height: Optional[int]
    display: Optional[JsonObject]


_T = TypeVar("_T")


def _given(value: Optional[_T], default: _T) -> _T:
    return default if value is None else value


@attr.s(frozen=True, auto_attribs=True)
class CaptureResult:
    """What a host captured: frame files in order (or one movie), with their first frame number."""

    files: Tuple[Path, ...]
    first_frame: int
    is_movie: bool = False
    #: a sound file for the review, and the scene frame at which its first sample plays
    audio: Optional[Path] = None
    audio_start_frame: Optional[int] = None


class Host(abc.ABC):
    """A DCC (or a folder of files) seen through what a publish needs."""

    #: short lower-case name: "blender", "maya", "nuke", "files"
    name: str = ""
    #: False for hosts that never look through a camera (files, a Nuke comp): an empty
    #: ``cameras()`` is then normal; otherwise a publish is refused before capture
    uses_cameras: bool = True
    #: True when :meth:`capture_streaming` hands each frame over as soon as it is written (the
    #: publish then encodes while capturing); the default hands them over after the capture
    streams_frames: bool = False
    #: True when the host draws whatever frame range it is asked for (a scene, a Nuke script):
    #: the settings' ``capture.handles`` and ``capture.frame_range`` then widen or move it.
    #: False for inputs whose frames are what they are (the files host)
    renders_range: bool = True

    @abc.abstractmethod
    def scene_path(self) -> Optional[Path]:
        """The saved scene file, or None when the scene was never saved."""

    @abc.abstractmethod
    def has_unsaved_changes(self) -> bool:
        """True when the scene differs from what is on disk."""

    @abc.abstractmethod
    def save_scene(self) -> Path:
        """Save the scene in place and return its path."""

    @abc.abstractmethod
    def frame_range(self) -> Tuple[int, int]:
        """The scene's playback range, inclusive."""

    @abc.abstractmethod
    def fps(self) -> Fraction:
        """The scene's frame rate as an exact rational."""

    @abc.abstractmethod
    def resolution(self) -> Tuple[int, int]:
        """The output resolution (width, height) in pixels."""

    @abc.abstractmethod
    def cameras(self) -> List[str]:
        """Names of the cameras a playblast can look through."""

    @abc.abstractmethod
    def current_camera(self) -> Optional[str]:
        """The camera the artist is looking through, if any."""

    @abc.abstractmethod
    def capture(
        self, spec: CaptureSpec, out_dir: Path, progress: Progress = null_progress
    ) -> CaptureResult:
        """Capture ``spec`` into ``out_dir``; restore every scene setting touched."""

    def capture_streaming(
        self, spec: CaptureSpec, out_dir: Path, frame_written: FrameSink,
        progress: Progress = null_progress,
    ) -> CaptureResult:  # fmt: skip
        """:meth:`capture`, calling ``frame_written(file)`` for each frame file, in order, once
        it is complete on disk. Hosts that can do it while capturing override this and set
        :attr:`streams_frames`."""
        result = self.capture(spec, out_dir, progress)
        for path in result.files:
            frame_written(Path(path))
        return result

    def for_source(self, source: str) -> Host:
        """This host publishing a reviewable's ``source`` (see
        :class:`ft_dcc.publish.request.request.Reviewable`): a host that does not use cameras
        returns one bound to that Write node or input file. (On a host that uses cameras the source
        is the capture spec's camera and this is not called.)"""
        return self

    def rate_source(self) -> Optional[str]:
        """Where :meth:`fps` comes from, in words for messages ("the scene"), or None when the
        host has no rate of its own (an image sequence given none): a publish then takes the
        shot's ``fps`` from ftrack."""
        return "the scene"

    def is_still(self) -> bool:
        """True when the host's input is one picture (the files host given a still image): it
        is published as a still (an ``ftrackreview-image``), whatever the request says."""
        return False

    def current_frame(self) -> int:
        """The frame the artist is on (a still's frame when none is asked for); the start of
        the range by default."""
        return self.frame_range()[0]

    def number_frames_from(self, first: int) -> bool:
        """Number the input's frames from ``first`` when it has no numbers of its own (a
        movie: 1..N); True when renumbered. Scenes and image sequences keep theirs (False)."""
        return False

    def review_colour(self) -> Optional[ColourSettings]:
        """The OCIO transform the captured frames still need to become display-referred
        (scene-linear renders), or None when they already are (a viewport playblast, which
        the host records in ``CaptureSpec.display`` instead)."""
        return None

    def focal_length(self, camera: str) -> Optional[float]:
        """``camera``'s focal length in millimetres (for burn-ins), None when unknown."""
        return None

    def tell(self, message: str, level: str = "info") -> None:
        """Show the artist a message (hosts map this to their UI; default: logging)."""
        import logging

        getattr(logging.getLogger(f"ft_dcc.hosts.{self.name}"), level, logging.info)(message)

    def ask(self, question: str, default: bool = False) -> bool:
        """Ask the artist a yes/no question; hosts without a UI return ``default``."""
        return default

    def run_in_host(self, work: Callable[[], _T]) -> _T:
        """Run ``work`` where the host's own API may be called (a studio plugin's process, a
        repair action): its main thread. Here, directly; a publish in a worker thread reaches
        the main thread through the one hand-off (``ft_dcc.host.job.MainThreadHost``)."""
        return work()

    def default_spec(self, **overrides: Unpack[SpecOverrides]) -> CaptureSpec:
        """A capture spec from the scene's own settings, with ``overrides`` applied."""
        start, end = self.frame_range()
        width, height = self.resolution()
        camera = self.current_camera()
        fps: Union[Fraction, float, str] = self.fps()
        return CaptureSpec(
            camera=_given(overrides.get("camera"), camera),
            frame_start=_given(overrides.get("frame_start"), start),
            frame_end=_given(overrides.get("frame_end"), end),
            fps=_given(overrides.get("fps"), fps),
            width=_given(overrides.get("width"), width),
            height=_given(overrides.get("height"), height),
            display=_given(overrides.get("display"), {}),
        )
