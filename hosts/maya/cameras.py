"""Several cameras in one publish from the ftrack menu: the camera dialog.

When the scene has more than one camera of its own (Maya's startup cameras aside), the menu's
publish asks which to publish, listing them; each chosen camera becomes its own version (named
by the settings' ``naming.asset`` template, e.g. ``{shot}_{camera}``), all in one
all-or-nothing publish. An empty answer publishes the camera the artist looks through.
"""

from __future__ import annotations

from typing import Callable, List, Optional

from . import scene


def own_cameras() -> List[str]:
    """The scene's cameras, Maya's startup cameras (persp, top, front, side) left out."""
    return [name for name in scene.cameras() if name not in scene.STARTUP_CAMERAS]


def ask_cameras(prompt: Callable[[str, str], Optional[str]]) -> Optional[List[str]]:
    """The cameras to publish ([] for the current one); None when the artist cancels.
    ``prompt(message, text)``: the menu's one-line dialog (None when cancelled)."""
    found = own_cameras()
    if len(found) < 2:
        return []
    text = prompt(
        "Cameras to publish, one version each (separated by commas; empty: the camera you "
        f"look through).\nIn this scene: {', '.join(found)}",
        ", ".join(found),
    )
    if text is None:
        return None
    return [name.strip() for name in text.split(",") if name.strip()]
