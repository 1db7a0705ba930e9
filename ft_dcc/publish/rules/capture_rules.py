"""What the studio settings make of the capture: the range (``capture.frame_range`` and
``capture.handles``), the size (``capture.resolution``/``capture.scale`` capped by
``encode.max_size``) and how the viewport draws (``capture.shading``/``overlays``/``hud``).

The artist's own ``--frames`` wins over the range rules. A host whose frames are fixed (the
files host: ``Host.renders_range`` False) keeps its range.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Mapping, Optional, Tuple

import attr

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.publish.host_port import Host, SpecOverrides
from ft_dcc.publish.request.request import PublishRequest
from ft_dcc.publish.request.studio_settings import size_of

if TYPE_CHECKING:  # pragma: no cover - types only
    from ft_dcc.publish.host_port import CaptureSpec
    from ft_dcc.publish.shared.state import ReviewRules, ReviewScope

log = logging.getLogger(__name__)

Size = Tuple[int, int]


def range_overrides(host: Host, request: PublishRequest, handles: int) -> SpecOverrides:
    """``frame_start``/``frame_end`` for the spec: the artist's ``frames``, else the scene's
    range with the settings' ``handles`` around it (empty: the host's own range)."""
    if request.frames:
        return {"frame_start": request.frames[0], "frame_end": request.frames[1]}
    if not host.renders_range or not handles:
        return {}
    start, end = host.frame_range()
    return {"frame_start": start - handles, "frame_end": end + handles}


def shot_range(
    host: Host, request: PublishRequest, rules: ReviewRules, shot: Optional[Tuple[int, int]]
) -> Optional[Tuple[int, int]]:
    """The range ``capture.frame_range = "shot"`` asks for (``rules``, as
    ``CollectCaptureSpec`` received them): the shot's ``fstart``/``fend`` in ftrack with the
    handles around it; None when the rule is "scene", the artist gave ``--frames``, the host
    cannot render another range or the shot has none."""
    if rules.frame_rule != "shot" or request.frames or not host.renders_range:
        return None
    if shot is None:
        return None
    return shot[0] - rules.handles, shot[1] + rules.handles


def review_rules(plugin: Any) -> ReviewRules:
    """The rules ``CollectCaptureSpec`` (``plugin``: its class with the settings given, or its
    instance) received from the settings: the range's and the review movie's."""
    from ft_dcc.publish.shared.state import ReviewRules

    return ReviewRules(frame_rule=str(plugin.frame_range), handles=int(plugin.handles),
                       quality=int(plugin.quality), sound=bool(plugin.sound))  # fmt: skip


def fit_inside(size: Size, box: Optional[Size]) -> Size:
    """``size`` scaled down (keeping its aspect, even numbers for H.264) to fit inside
    ``box``; unchanged when it fits or there is no box."""
    width, height = size
    if box is None or (width <= box[0] and height <= box[1]):
        return size
    factor = min(box[0] / width, box[1] / height)
    return _even_floor(width * factor), _even_floor(height * factor)


def _even_floor(value: float) -> int:
    return max(2, int(value) // 2 * 2)


@attr.s(frozen=True, auto_attribs=True)
class SizeRules:
    """The settings' rules of the capture's size, as ``CollectCaptureSpec`` receives them:
    ``capture.resolution``, else the scene's times ``capture.scale``, inside
    ``encode.max_size``."""

    resolution: Optional[Size] = None
    scale: Optional[float] = None
    max_size: Optional[Size] = None

    @classmethod
    def of(cls, resolution: object, scale: object, max_size: object) -> SizeRules:
        factor = float(str(scale)) if scale not in (None, "") else None
        return cls(size_of(resolution), factor, size_of(max_size))


def collect_spec(
    scope: ReviewScope, sizes: SizeRules, viewport: Mapping[str, object]
) -> CaptureSpec:
    """A reviewable's capture spec: the scene's, with the artist's choices and the settings'
    rules applied (its camera or the one ``capture.camera`` names: ValidateCamera checks it;
    ``sizes``: its size); ``viewport``: how the host's viewport draws it
    (``CaptureSpec.display["viewport"]``, which the hosts' capture code reads)."""
    from ft_dcc.publish.shared.naming import capture_size

    host, request = scope.host, scope.request
    overrides: SpecOverrides = {"camera": scope.camera_choice(), "fps": request.fps}
    if scope.item.still:  # one frame: the one asked for, else the scene's current one
        frame = host.current_frame() if request.still_frame is None else request.still_frame
        overrides["frame_start"] = overrides["frame_end"] = frame
    else:
        overrides.update(range_overrides(host, request, scope.item.rules.handles))
    drawn: JsonObject = {k: v for k, v in viewport.items() if isinstance(v, (str, bool))}
    overrides["display"] = {"viewport": drawn}
    size = capture_size(host, sizes.resolution, sizes.scale)
    fitted = fit_inside(size or host.resolution(), sizes.max_size)
    if size is not None or sizes.max_size is not None:
        overrides["width"], overrides["height"] = fitted
    return host.default_spec(**overrides)
