"""Blender seen through :class:`ft_dcc.publish.host_port.Host`: the open scene and its capture."""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Callable, List, Optional, Tuple

import attr
import bpy

from ft_dcc.exceptions import PublishError
from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.host_port import (
    CaptureResult,
    CaptureSpec,
    FrameSink,
    Host,
    SpecOverrides,
    to_fraction,
)

from . import capture as capture_module
from .untyped import Scene

if TYPE_CHECKING:  # pragma: no cover - Unpack is typing's from Python 3.11
    from typing_extensions import Unpack

log = logging.getLogger(__name__)


def scene_fps(scene: Scene) -> Fraction:
    """``fps / fps_base`` as an exact rational: 24 / 1.001 is 24000/1001."""
    return to_fraction(scene.render.fps / scene.render.fps_base)


class BlenderHost(Host):
    """The current Blender scene (or ``scene_name``).

    ``reporter(message, level)`` shows messages to the artist (the add-on maps it to
    ``Operator.report``); without one, messages go to logging.
    """

    name = "blender"

    def __init__(
        self,
        scene_name: Optional[str] = None,
        reporter: Optional[Callable[[str, str], None]] = None,
        use_viewport: Optional[bool] = None,
    ) -> None:
        self._scene_name = scene_name
        self._reporter = reporter
        self._use_viewport = use_viewport

    @property
    def scene(self) -> Scene:
        if self._scene_name:
            return bpy.data.scenes[self._scene_name]
        return bpy.context.scene

    def scene_path(self) -> Optional[Path]:
        return Path(bpy.data.filepath) if bpy.data.filepath else None

    def has_unsaved_changes(self) -> bool:
        if not bpy.data.filepath:
            return True
        if bpy.app.background:
            # Without a window Blender keeps is_dirty True even right after a save (measured in
            # bpy 5.0.1), so it says nothing; a background publish publishes the file it opened.
            return False
        return bool(bpy.data.is_dirty)

    def save_scene(self) -> Path:
        if not bpy.data.filepath:
            raise PublishError(
                "This Blender file has never been saved, so there is no scene file to publish.",
                hint="save it with File > Save As..., then publish again",
            )
        result = bpy.ops.wm.save_mainfile(filepath=bpy.data.filepath)
        if result != {"FINISHED"}:
            raise PublishError(
                f"Blender could not save {bpy.data.filepath} ({result}).",
                hint="check that the folder is writable, then save by hand",
            )
        return Path(bpy.data.filepath)

    def frame_range(self) -> Tuple[int, int]:
        scene = self.scene
        return int(scene.frame_start), int(scene.frame_end)

    def current_frame(self) -> int:
        return int(self.scene.frame_current)

    def fps(self) -> Fraction:
        return scene_fps(self.scene)

    def resolution(self) -> Tuple[int, int]:
        render = self.scene.render
        scale = render.resolution_percentage / 100.0
        return int(render.resolution_x * scale), int(render.resolution_y * scale)

    def cameras(self) -> List[str]:
        return sorted(obj.name for obj in self.scene.objects if obj.type == "CAMERA")

    def current_camera(self) -> Optional[str]:
        camera = self.scene.camera
        return camera.name if camera is not None else None

    def default_spec(self, **overrides: Unpack[SpecOverrides]) -> CaptureSpec:
        spec = super().default_spec(**overrides)
        display = dict(capture_module.display_options(self.scene))
        display.update(spec.display)
        return attr.evolve(spec, display=display)

    def capture(
        self, spec: CaptureSpec, out_dir: Path, progress: Progress = null_progress
    ) -> CaptureResult:
        return capture_module.capture(
            spec, out_dir, progress, scene=self.scene, use_viewport=self._use_viewport
        )

    @property
    def streams_frames(self) -> bool:  # type: ignore[override]
        """The background (Workbench) capture hands each frame over as Blender writes it."""
        use_viewport = self._use_viewport
        return not (capture_module.can_use_viewport() if use_viewport is None else use_viewport)

    def capture_streaming(
        self, spec: CaptureSpec, out_dir: Path, frame_written: FrameSink,
        progress: Progress = null_progress,
    ) -> CaptureResult:  # fmt: skip
        if not self.streams_frames:
            return super().capture_streaming(spec, out_dir, frame_written, progress)
        return capture_module.capture_streaming(
            spec, out_dir, frame_written, progress, scene=self.scene
        )

    def tell(self, message: str, level: str = "info") -> None:
        if self._reporter is not None:
            self._reporter(message, level)
        else:
            super().tell(message, level)
