"""Maya seen through :class:`ft_dcc.publish.host_port.Host`: the open scene and its playblast."""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Tuple

import attr
from maya import cmds

from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec, Host, SpecOverrides

from . import capture as capture_module
from . import scene

if TYPE_CHECKING:  # pragma: no cover - Unpack is typing's from Python 3.11
    from typing_extensions import Unpack

log = logging.getLogger(__name__)


class MayaHost(Host):
    """The open Maya scene. ``interactive`` lets the publish ask the artist (confirmDialog);
    it is ignored in batch mode, where no UI command may run."""

    name = "maya"

    def __init__(self, interactive: bool = False) -> None:
        self._interactive = interactive

    @property
    def interactive(self) -> bool:
        return self._interactive and not scene.is_batch()

    def scene_path(self) -> Optional[Path]:
        return scene.scene_path()

    def has_unsaved_changes(self) -> bool:
        return scene.has_unsaved_changes()

    def save_scene(self) -> Path:
        return scene.save_scene()

    def frame_range(self) -> Tuple[int, int]:
        return scene.frame_range()

    def fps(self) -> Fraction:
        return scene.fps()

    def resolution(self) -> Tuple[int, int]:
        return scene.resolution()

    def cameras(self) -> List[str]:
        return scene.cameras()

    def current_camera(self) -> Optional[str]:
        return scene.current_camera()

    def focal_length(self, camera: str) -> Optional[float]:
        return float(cmds.camera(scene.camera_transform(camera), q=True, focalLength=True))

    def default_spec(self, **overrides: Unpack[SpecOverrides]) -> CaptureSpec:
        spec = super().default_spec(**overrides)
        display = dict(capture_module.display_options())
        display.update(spec.display)
        return attr.evolve(spec, display=display)

    def current_frame(self) -> int:
        """The time slider's current frame (``cmds.currentTime(query=True)``)."""
        return round(float(cmds.currentTime(query=True)))

    def capture(
        self, spec: CaptureSpec, out_dir: Path, progress: Progress = null_progress
    ) -> CaptureResult:
        return capture_module.capture(spec, out_dir, progress)

    def ask(self, question: str, default: bool = False) -> bool:
        if not self.interactive:
            return default
        answer = cmds.confirmDialog(
            title="ftrack publish",
            message=question,
            button=["Yes", "No"],
            defaultButton="Yes" if default else "No",
            cancelButton="No",
            dismissString="No",
        )
        return answer == "Yes"
