"""Questions about the open Maya scene, answered through ``maya.cmds`` only."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import List, Optional, Tuple

from maya import cmds

from ft_dcc.exceptions import PublishError
from ft_dcc.publish.host_port import to_fraction

#: ``currentUnit(q=True, time=True)`` names and their exact rates (Maya 2025 command reference)
TIME_UNIT_FPS = {
    "game": Fraction(15),
    "film": Fraction(24),
    "pal": Fraction(25),
    "ntsc": Fraction(30),
    "show": Fraction(48),
    "palf": Fraction(50),
    "ntscf": Fraction(60),
    "23.976fps": Fraction(24000, 1001),
    "29.97fps": Fraction(30000, 1001),
    "29.97df": Fraction(30000, 1001),
    "47.952fps": Fraction(48000, 1001),
    "59.94fps": Fraction(60000, 1001),
    "119.88fps": Fraction(120000, 1001),
}
#: time units that are not frame rates
CLOCK_UNITS = ("hour", "min", "sec", "millisec")
_NUMBERED_UNIT = re.compile(r"^(\d+(?:\.\d+)?)(?:fps|df)$")
STARTUP_CAMERAS = ("persp", "top", "front", "side")


def is_batch() -> bool:
    """True in mayapy/standalone and ``maya -batch``: no UI commands may be called."""
    return bool(cmds.about(batch=True))


def fps_of_unit(unit: str) -> Fraction:
    """The exact frame rate of a Maya time unit: ``film`` 24, ``23.976fps`` 24000/1001."""
    if unit in TIME_UNIT_FPS:
        return TIME_UNIT_FPS[unit]
    match = _NUMBERED_UNIT.match(unit)
    if match:
        return to_fraction(match.group(1))
    if unit in CLOCK_UNITS:
        raise PublishError(
            f"Maya's time unit is '{unit}', which is not a frame rate.",
            hint="set Preferences > Settings > Time to a frame rate (e.g. 24 fps), then publish",
        )
    raise PublishError(
        f"Maya's time unit '{unit}' is not one ft_dcc knows.",
        hint="pass the frame rate explicitly (fps=...) or set a standard rate",
    )


def scene_path() -> Optional[Path]:
    name = cmds.file(q=True, sceneName=True)
    return Path(name) if name else None


def has_unsaved_changes() -> bool:
    if not cmds.file(q=True, sceneName=True):
        return True
    return bool(cmds.file(q=True, modified=True))


def save_scene() -> Path:
    path = scene_path()
    if path is None:
        raise PublishError(
            "This Maya scene has never been saved, so there is no scene file to publish.",
            hint="save it with File > Save Scene As..., then publish again",
        )
    try:
        cmds.file(save=True)
    except RuntimeError as exc:
        raise PublishError(
            f"Maya could not save {path}: {exc}",
            hint="check that the folder is writable, then save by hand",
        ) from exc
    return path


def frame_range() -> Tuple[int, int]:
    start = cmds.playbackOptions(q=True, minTime=True)
    end = cmds.playbackOptions(q=True, maxTime=True)
    return round(start), round(end)


def fps() -> Fraction:
    return fps_of_unit(cmds.currentUnit(q=True, time=True))


def resolution() -> Tuple[int, int]:
    width = cmds.getAttr("defaultResolution.width")
    height = cmds.getAttr("defaultResolution.height")
    return int(width), int(height)


def camera_shapes() -> List[Tuple[str, str]]:
    """(transform, shape) of every camera in the scene."""
    pairs = []
    for shape in cmds.ls(type="camera") or []:
        parents = cmds.listRelatives(shape, parent=True) or []
        if parents:
            pairs.append((parents[0], shape))
    return pairs


def cameras() -> List[str]:
    """Camera transforms: the scene's own cameras first, then Maya's startup cameras."""
    names = sorted(transform for transform, _ in camera_shapes())
    own = [n for n in names if n not in STARTUP_CAMERAS]
    return own + [n for n in names if n in STARTUP_CAMERAS]


def camera_transform(name: str) -> str:
    """The transform of camera ``name`` (a transform or a shape name)."""
    short = name.split("|")[-1]
    for transform, shape in camera_shapes():
        if short in (transform, shape):
            return transform
    return short


def active_model_panel() -> Optional[str]:
    """The model panel the artist works in: the focused one, else the first visible one."""
    focused = cmds.getPanel(withFocus=True)
    if focused and cmds.getPanel(typeOf=focused) == "modelPanel":
        return focused
    model_panels = set(cmds.getPanel(type="modelPanel") or [])
    for panel in cmds.getPanel(visiblePanels=True) or []:
        if panel in model_panels:
            return panel
    return None


def renderable_camera() -> Optional[str]:
    """The render camera (for batch mode, where no panel exists): the scene's own first."""
    renderable = [
        transform for transform, shape in camera_shapes() if cmds.getAttr(f"{shape}.renderable")
    ]
    for name in cameras():
        if name in renderable:
            return name
    return None


def current_camera() -> Optional[str]:
    if is_batch():
        return renderable_camera()
    panel = active_model_panel()
    if panel is None:
        return renderable_camera()
    return camera_transform(cmds.modelEditor(panel, q=True, camera=True))
