"""A reviewer's drawing over the artist's 3D viewport, on the drawing's frames only.

A ``SpaceView3D`` draw handler (``bpy.types.SpaceView3D.draw_handler_add(callback, (), "WINDOW",
"POST_PIXEL")``) draws each shown drawing's PNG as a GPU texture (``gpu.texture.from_image``)
with the built-in image shader, fitted into the viewport like the camera frame (between the
toolbar and the sidebar where they overlap it), whenever
``scene.frame_current`` is in the drawing's ``first``..``last`` and, for a drawing whose version
names its camera (``NoteOverlay.camera``), the view looks through that camera (a publish of
several cameras makes one version per camera). Hiding removes the image and,
with the last drawing, the handler. Blender 3.4 through 5.x (the ``IMAGE`` shader is
``2D_IMAGE`` before 4.0).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import bpy
import gpu  # type: ignore[import-not-found]  # Blender's own module, no stubs
from gpu_extras.batch import batch_for_shader  # type: ignore[import-not-found]

if TYPE_CHECKING:
    from ft_dcc.host.overlay import NoteOverlay

    from ..untyped import Area, Region

log = logging.getLogger(__name__)

#: note id -> {"overlay": NoteOverlay, "image": bpy.types.Image, "texture": gpu texture}
SHOWN: Dict[str, Dict[str, Any]] = {}
_handler: List[Any] = []


def _shader() -> Any:
    try:
        return gpu.shader.from_builtin("IMAGE")
    except (ValueError, TypeError):  # Blender before 4.0
        return gpu.shader.from_builtin("2D_IMAGE")


def _free_span(area: Area, region: Region) -> Tuple[int, int]:
    """The columns of the viewport's WINDOW ``region`` that no side region covers, as
    (left, right) in the region's pixels. With region overlap (Blender's default,
    ``preferences.system.use_region_overlap``) the toolbar (``TOOLS``, left) and the sidebar
    (``UI``, right) are drawn over the viewport; without it they sit beside it and cover none
    of it. A hidden region is 1 pixel wide (or less) and covers nothing."""
    left, right = 0, region.width
    for side in area.regions if area is not None else ():
        if side.type not in ("TOOLS", "UI") or side.width <= 1:
            continue
        if side.alignment == "LEFT":
            left = max(left, side.x + side.width - region.x)
        elif side.alignment == "RIGHT":
            right = min(right, side.x - region.x)
    if right - left < 16:  # side regions leave next to nothing: the whole viewport
        return 0, region.width
    return left, right


def _fit(span: Tuple[int, int], height: int, image_size: Any) -> Tuple[float, ...]:
    """The drawing's rectangle in the region: the image's aspect, as large as fits between the
    columns ``span`` (left, right), centred there."""
    left, right = span
    width = right - left
    iw, ih = max(1, image_size[0]), max(1, image_size[1])
    scale = min(width / iw, height / ih)
    w, h = iw * scale, ih * scale
    x, y = left + (width - w) / 2, (height - h) / 2
    return x, y, w, h


def viewed_camera(context: Any) -> Optional[str]:
    """The name of the camera the drawn 3D view looks through (None: a free view)."""
    space, view = context.space_data, context.region_data
    if view is None or view.view_perspective != "CAMERA":
        return None
    local = space is not None and getattr(space, "use_local_camera", False) and space.camera
    camera = space.camera if local else context.scene.camera
    return camera.name if camera is not None else None


def _drawn_here(overlay: NoteOverlay, context: Any) -> bool:
    """On the drawing's frames, and through its version's camera when that is known."""
    if not overlay.covers(context.scene.frame_current):
        return False
    return overlay.camera is None or viewed_camera(context) == overlay.camera


def look_through(area: Area, camera: Any) -> None:
    """Put the 3D view of ``area`` through ``camera`` (its own local camera when ``camera`` is
    not the scene's: the scene, and so the publish's default camera, stays as it is)."""
    space = area.spaces.active
    local = camera != bpy.context.scene.camera
    space.use_local_camera = local
    if local:
        space.camera = camera
    space.region_3d.view_perspective = "CAMERA"


def _draw() -> None:
    context = bpy.context
    scene, region = context.scene, context.region
    if scene is None or region is None:
        return
    shader = None
    for shown in SHOWN.values():
        if not _drawn_here(shown["overlay"], context):
            continue
        shader = shader or _shader()
        x, y, w, h = _fit(_free_span(context.area, region), region.height, shown["image"].size)
        batch = batch_for_shader(
            shader,
            "TRI_FAN",
            {
                "pos": ((x, y), (x + w, y), (x + w, y + h), (x, y + h)),
                "texCoord": ((0, 0), (1, 0), (1, 1), (0, 1)),
            },
        )
        gpu.state.blend_set("ALPHA")
        shader.bind()
        shader.uniform_sampler("image", shown["texture"])
        batch.draw(shader)
        gpu.state.blend_set("NONE")


def _redraw() -> None:
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type == "VIEW_3D":
                area.tag_redraw()


def show(overlay: NoteOverlay) -> None:
    """Draw ``overlay`` over every 3D viewport on its frames; showing it again replaces it."""
    hide(overlay.note_id)
    image = bpy.data.images.load(str(overlay.path), check_existing=False)
    image.name = f"ftdcc_note_{overlay.note_id}"
    SHOWN[overlay.note_id] = {
        "overlay": overlay,
        "image": image,
        "texture": gpu.texture.from_image(image),
    }
    if not _handler:
        _handler.append(bpy.types.SpaceView3D.draw_handler_add(_draw, (), "WINDOW", "POST_PIXEL"))
    log.info(
        "drawing of note %s over frames %s-%s, camera %s",
        overlay.note_id, overlay.first, overlay.last, overlay.camera or "any",
    )  # fmt: skip
    _redraw()


def hide(note_id: Optional[str] = None) -> List[str]:
    """Stop drawing note ``note_id``'s drawing (None: every one); the note ids hidden."""
    hidden = [key for key in list(SHOWN) if note_id is None or key == note_id]
    for key in hidden:
        shown = SHOWN.pop(key)
        bpy.data.images.remove(shown["image"])
    if not SHOWN and _handler:
        bpy.types.SpaceView3D.draw_handler_remove(_handler.pop(), "WINDOW")
    _redraw()
    return hidden
