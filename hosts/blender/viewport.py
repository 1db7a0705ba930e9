"""The artist's 3D view, saved before a viewport playblast and put back exactly after it.

A playblast looks through the camera (``view_perspective = "CAMERA"``) with the overlays off.
Setting ``view_perspective`` back is not enough: Blender leaves ``view_rotation`` at the camera's
angle (measured in Blender 3.4), so every writable value of the view is saved (the region's view
matrix, rotation, location, distance, perspective, camera zoom and offset; the space's lens,
clipping and local camera; its shading and overlays) and put back in an order that reproduces the
same view matrix.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Tuple

from .untyped import SpaceView3D

log = logging.getLogger(__name__)

#: the region's view, in the order it is put back: the matrix first (Blender derives location,
#: rotation and distance from it), then the exact values it was computed from
VIEW_ORDER = (
    "view_matrix",
    "view_perspective",
    "is_perspective",
    "view_location",
    "view_rotation",
    "view_distance",
    "view_camera_zoom",
    "view_camera_offset",
)

#: where a view's settings live, relative to the SpaceView3D
PARTS = ("space", "shading", "overlay", "region_3d")


def _part(space: Any, name: str) -> Any:
    return space if name == "space" else getattr(space, name)


def _copy(value: Any) -> Any:
    """A value detached from Blender: mathutils types copied, RNA arrays as tuples."""
    if hasattr(value, "copy") and hasattr(value, "freeze"):  # Matrix, Vector, Quaternion, Color
        return value.copy()
    if hasattr(value, "__len__") and not isinstance(value, str):
        return tuple(value)
    return value


def _writable(struct: Any) -> List[str]:
    return [
        prop.identifier
        for prop in struct.bl_rna.properties
        if prop.identifier != "rna_type"
        and not prop.is_readonly
        and prop.type not in ("POINTER", "COLLECTION")
    ]


class ViewState:
    """Every writable value of one 3D view (``SpaceView3D``), to put back with :meth:`restore`."""

    def __init__(self, space: SpaceView3D) -> None:
        self.space = space
        self.values: Dict[str, Dict[str, Any]] = {}
        for name in PARTS:
            struct = _part(space, name)
            saved = self.values[name] = {}
            for identifier in _writable(struct):
                try:
                    saved[identifier] = _copy(getattr(struct, identifier))
                except (AttributeError, TypeError, ValueError) as exc:
                    log.debug("view value %s.%s not saved: %s", name, identifier, exc)

    def restore(self) -> List[str]:
        """Put every value back (the view last, in :data:`VIEW_ORDER`); return the failures."""
        failures: List[str] = []
        for name in PARTS:
            struct = _part(self.space, name)
            for identifier, value in self._ordered(name):
                try:
                    always = name == "region_3d" and identifier in VIEW_ORDER
                    if always or _copy(getattr(struct, identifier)) != value:
                        setattr(struct, identifier, value)
                except (AttributeError, TypeError, ValueError, RuntimeError) as exc:
                    failures.append(f"{name}.{identifier}: {exc}")
        return failures

    def _ordered(self, name: str) -> List[Tuple[str, Any]]:
        saved = self.values[name]
        if name != "region_3d":
            return list(saved.items())
        rest = [(k, v) for k, v in saved.items() if k not in VIEW_ORDER]
        return rest + [(k, saved[k]) for k in VIEW_ORDER if k in saved]
