"""Names derived from what is being published (the asset name)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from ft_dcc.publish.state import PublishState

_VERSION = re.compile(r"[._-]v\d+$", re.IGNORECASE)


def asset_name_from_path(path: Optional[Path]) -> Optional[str]:
    """``shot010_anim_v003.blend`` -> ``shot010_anim``; ``comp.%04d.exr`` -> ``comp``."""
    if path is None:
        return None
    stem = Path(str(path)).name.split(".", 1)[0]
    stem = _VERSION.sub("", stem).strip("._- ")
    return stem or None


def default_asset_name(state: PublishState) -> str:
    """The scene (or input media) name without version and frame tokens, else the task name."""
    name = asset_name_from_path(state.scene)
    if name:
        return name
    if state.task_path:
        return state.task_path.rsplit("/", 1)[-1]
    return "review"
