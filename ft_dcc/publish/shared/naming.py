"""Names derived from what is being published (the asset name)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Optional, Tuple

if TYPE_CHECKING:  # types only: a farm capture step names its frames without the publish state
    from ft_dcc.publish.host_port import Host
    from ft_dcc.publish.shared.state import ReviewScope

_VERSION = re.compile(r"[._-]v\d+$", re.IGNORECASE)


def asset_name_from_path(path: Optional[Path]) -> Optional[str]:
    """``shot010_anim_v003.blend`` -> ``shot010_anim``; ``comp.%04d.exr`` -> ``comp``."""
    if path is None:
        return None
    stem = Path(str(path)).name.split(".", 1)[0]
    stem = _VERSION.sub("", stem).strip("._- ")
    return stem or None


def default_asset_name(state: ReviewScope) -> str:
    """The scene (or input media) name without version and frame tokens, else the task name;
    one of several reviewables adds its camera or Write node (``shot_camA``)."""
    name = asset_name_from_path(state.item.scene)
    task_path = state.given_task_path
    if not name:
        name = task_path.rsplit("/", 1)[-1] if task_path else "review"
    source = source_name(state)
    if state.request.several and source and source != name:
        return f"{name}_{source}"
    return name


def templated_asset_name(state: ReviewScope, template: Optional[str]) -> Optional[str]:
    """The asset name from the settings' ``naming.asset`` ``template``, or None without one;
    SettingsError when the template names a field this publish has no value for."""
    if not template:
        return None
    from ft_dcc.settings.templates import fill

    return fill("naming.asset", template, asset_fields(state))


def asset_fields(state: ReviewScope) -> Dict[str, Optional[str]]:
    """The values a ``naming.asset`` template is filled with (None: this publish has none)."""
    parts = (state.given_task_path or "").split("/")
    fields: Dict[str, Optional[str]] = {"project": parts[0] if len(parts) > 1 else None}
    fields["task"] = parts[-1] if len(parts) > 1 else None
    fields.update({"sequence": None, "shot": None}, **state.request.task_names)
    fields.update(
        scene=asset_name_from_path(state.item.scene),
        camera=source_name(state) or state.camera_choice() or state.host.current_camera(),
        host=state.host.name,
    )
    return fields


def source_name(state: ReviewScope) -> Optional[str]:
    """The reviewable's name for templates (``{camera}``): a camera or Write node as it is,
    an input file's name without its folder, frame and version tokens."""
    source = state.item.reviewable.source
    if source and not state.host.uses_cameras and Path(source).suffix:
        return asset_name_from_path(Path(source))
    return source


def capture_size(
    host: Host, resolution: Optional[Tuple[int, int]], scale: Optional[float]
) -> Optional[Tuple[int, int]]:
    """The capture size the settings ask for (even numbers, for H.264), or None: the scene's."""
    if resolution:
        return _even(resolution[0]), _even(resolution[1])
    if scale and scale != 1.0:
        width, height = host.resolution()
        return _even(width * scale), _even(height * scale)
    return None


def _even(value: float) -> int:
    return max(2, round(value / 2.0) * 2)
