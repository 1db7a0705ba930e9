"""The OCIO transform a Nuke Write's scene-linear frames need for review.

A reused EXR Write is converted with the script's OCIO config (Project Settings > Color: a
"custom" config file, or one of Nuke's built-in configs, which OCIO ships as ``ocio://``
built-ins too) and the Write's ``colorspace``; the display and view are the Viewer's
(``viewerProcess`` is "View (Display)" in OCIO mode). Names that cannot be known are left None,
so the config's defaults apply; the validator checks every name against the config.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

import nuke

from ft_dcc.media.colour import ColourSettings

from .capture import write_file_type

SCENE_LINEAR_TYPES = ("exr",)
_BUILTIN_PREFIX = "fn-nuke_"  # Nuke's menu name for OCIO's built-in configs
_VIEW_DISPLAY = re.compile(r"^(?P<view>.+?) \((?P<display>[^()]+)\)$")


def write_colour(write: nuke.Node) -> Optional[ColourSettings]:
    """The transform ``write``'s frames need, or None when they are display-referred."""
    if write_file_type(write) not in SCENE_LINEAR_TYPES:
        return None
    display, view = viewer_display_view()
    return ColourSettings(
        config=script_config(),
        input_colorspace=_colorspace(str(write["colorspace"].value())),
        display=display,
        view=view,
    )


def script_config() -> Optional[str]:
    """The script's OCIO config: a custom file, a built-in's ``ocio://`` URI, or None
    (``$OCIO`` or OCIO's default) when Nuke's own colour management is used."""
    root = nuke.root()
    if root["colorManagement"].value() != "OCIO":
        return None
    chosen = str(root["OCIO_config"].value())
    if chosen == "custom":
        return str(root["customOCIOConfigPath"].value()) or None
    if chosen.startswith(_BUILTIN_PREFIX):
        return "ocio://" + chosen[len(_BUILTIN_PREFIX) :]
    return None


def viewer_display_view() -> Tuple[Optional[str], Optional[str]]:
    """(display, view) of the first Viewer's ``viewerProcess``, (None, None) when unknown."""
    for viewer in nuke.allNodes("Viewer"):
        match = _VIEW_DISPLAY.match(str(viewer["viewerProcess"].value() or "").strip())
        if match:
            return match.group("display"), match.group("view")
    return None, None


def _colorspace(value: str) -> Optional[str]:
    """The Write's colourspace; "default" (or "default (X)") is the scene_linear role."""
    value = value.strip()
    return None if not value or value.startswith("default") else value
