"""Checks behind the validators, kept out of the plugin files so they are easy to test."""

from __future__ import annotations

from typing import Any, List, Optional

from ft_dcc.exceptions import ValidationError
from ft_dcc.publish.host import to_fraction

#: a review longer than this is almost certainly a wrong range (e.g. 1-1000000)
MAX_REVIEW_FRAMES = 100_000


def _shot_attribute(shot: Any, key: str) -> Optional[Any]:
    if shot is None:
        return None
    try:
        values = shot["custom_attributes"]
        value = values.get(key)
    except (KeyError, TypeError, AttributeError):
        return None
    return None if value in (None, "") else value


def check_frame_range(state: Any) -> List[str]:
    """Raise ValidationError for a wrong range/fps; return warnings for explicit overrides."""
    spec = state.spec
    warnings: List[str] = []
    if spec.frame_end < spec.frame_start:
        raise ValidationError(
            f"the frame range {spec.frame_start}-{spec.frame_end} ends before it starts",
            hint="fix the scene's start/end frames (or pass frames=(start, end))",
        )
    if spec.frame_count > MAX_REVIEW_FRAMES:
        raise ValidationError(
            f"the frame range {spec.frame_start}-{spec.frame_end} has {spec.frame_count} frames",
            hint="check the scene's start/end frames; reviews are usually a shot long",
        )
    if spec.width <= 0 or spec.height <= 0:
        raise ValidationError(
            f"the output resolution {spec.width}x{spec.height} is empty",
            hint="set the scene's render resolution",
        )
    start = _shot_attribute(state.shot, "fstart")
    end = _shot_attribute(state.shot, "fend")
    if start is not None and end is not None:
        start, end = int(float(start)), int(float(end))
        if (spec.frame_start, spec.frame_end) != (start, end):
            shot_name = state.shot["name"]
            message = (
                f"the frame range {spec.frame_start}-{spec.frame_end} differs from shot "
                f"{shot_name}'s range {start}-{end} in ftrack"
            )
            if state.request.frames is None:
                raise ValidationError(
                    message,
                    hint=f"set the scene range to {start}-{end}, or publish an explicit "
                    "range (frames=START-END) if this review is meant to differ",
                )
            warnings.append(message + " (published as asked)")
    shot_fps = _shot_attribute(state.shot, "fps")
    if shot_fps is not None:
        expected = to_fraction(shot_fps)
        if expected != spec.fps:
            message = (
                f"the frame rate {float(spec.fps):.3f} differs from shot "
                f"{state.shot['name']}'s {float(expected):.3f} fps in ftrack"
            )
            if state.request.fps is None:
                raise ValidationError(
                    message,
                    hint=f"set the scene to {float(expected):.3f} fps, or publish with an "
                    "explicit fps if this review is meant to differ",
                )
            warnings.append(message + " (published as asked)")
    return warnings
