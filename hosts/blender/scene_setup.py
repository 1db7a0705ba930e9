"""The scene settings a playblast changes and puts back, its camera and the artist's 3D view:
shared by the Workbench capture (:mod:`.capture`) and the viewport one (:mod:`.modal_capture`),
so neither reaches into the other."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

import bpy

from ft_dcc.exceptions import CaptureError
from ft_dcc.progress import Progress
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec

from .sound import mixdown
from .untyped import Area, Object, Region, Scene, SpaceView3D, Struct, Window

log = logging.getLogger(__name__)

#: frame files are ``<out_dir>/frame_####.png``
FRAME_PREFIX = "frame_"


class SettingsOverride:
    """Set RNA properties and remember the first value each had, to put them all back later."""

    def __init__(self) -> None:
        self._saved: List[Tuple[Struct, str, object]] = []
        self._keys: set = set()
        self._after: List[Callable[[], None]] = []

    def after_restore(self, action: Callable[[], None]) -> None:
        """Run ``action`` once everything is put back (e.g. remove a data block made for it)."""
        self._after.append(action)

    def set(self, owner: Struct, attribute: str, value: object) -> None:
        key = (owner.as_pointer(), attribute)
        if key not in self._keys:
            old = getattr(owner, attribute)
            if hasattr(old, "__len__") and not isinstance(old, str):
                old = tuple(old)  # colours and vectors: copy, not a live view
            self._saved.append((owner, attribute, old))
            self._keys.add(key)
        setattr(owner, attribute, value)

    def restore(self) -> List[str]:
        """Put back every value, in the order set; return what could not be restored."""
        failures = []
        for owner, attribute, old in self._saved:
            try:
                if getattr(owner, attribute) != old:
                    setattr(owner, attribute, old)
            except Exception as exc:  # one failure must not stop the others
                failures.append(f"{attribute}: {exc}")
        self._saved.clear()
        self._keys.clear()
        for action in self._after:
            try:
                action()
            except Exception as exc:
                failures.append(f"clean-up: {exc}")
        self._after.clear()
        return failures


def find_view3d(
    window: Optional[Window] = None,
) -> Tuple[Optional[Window], Optional[Area], Optional[Region], Optional[SpaceView3D]]:
    """The artist's 3D view: (window, area, region, space); Nones when there is no window.

    The 3D view Blender's context is in (the one whose sidebar's Publish was clicked), else a
    window's largest. Capturing the view the context is in needs no context override, which
    Blender 3.4 reads unsafely while another Python thread runs (``modal_capture``).
    """
    wm = bpy.context.window_manager
    windows = [window] if window is not None else []
    if bpy.context.window is not None:
        windows.append(bpy.context.window)
    windows.extend(wm.windows if wm else [])
    for win in windows:
        areas = [a for a in win.screen.areas if a.type == "VIEW_3D"]
        if not areas:
            continue
        here = bpy.context.area
        area = here if here in areas else max(areas, key=lambda a: a.width * a.height)
        region = next(r for r in area.regions if r.type == "WINDOW")
        return win, area, region, area.spaces.active
    return None, None, None, None


def can_use_viewport() -> bool:
    """True in an interactive Blender with a 3D view (``render.opengl`` needs one)."""
    return not bpy.app.background and find_view3d()[3] is not None


def camera_object(scene: Scene, name: Optional[str]) -> Object:
    """The camera object called ``name`` in ``scene`` (the scene camera when no name); a
    CaptureError that names the cameras there are otherwise."""
    if name:
        camera = scene.objects.get(name)
        if camera is None or camera.type != "CAMERA":
            cameras = ", ".join(o.name for o in scene.objects if o.type == "CAMERA") or "none"
            raise CaptureError(
                f"There is no camera called {name!r} in scene {scene.name!r} (cameras: {cameras}).",
                hint="pick one of the scene's cameras",
            )
        return camera
    if scene.camera is None:
        raise CaptureError(
            f"Scene {scene.name!r} has no camera to playblast from.",
            hint="add a camera (Add > Camera) and make it the scene camera, or pick one",
        )
    return scene.camera


def apply_output_settings(
    override: SettingsOverride, scene: Scene, spec: CaptureSpec, out_dir: Path, camera: Object
) -> None:
    """Render ``spec``'s frames of ``camera`` as 8-bit PNGs into ``out_dir``, burn-in as asked;
    every setting through ``override``, so it is put back."""
    render = scene.render
    override.set(scene, "camera", camera)
    override.set(scene, "frame_start", spec.frame_start)
    override.set(scene, "frame_end", spec.frame_end)
    override.set(scene, "frame_step", 1)
    override.set(render, "resolution_x", spec.width)
    override.set(render, "resolution_y", spec.height)
    override.set(render, "resolution_percentage", 100)
    override.set(render, "use_border", False)
    override.set(render, "use_multiview", False)
    override.set(render, "use_sequencer", False)
    override.set(render, "use_compositing", False)
    override.set(render, "film_transparent", False)
    override.set(render, "use_file_extension", True)
    override.set(render, "use_overwrite", True)
    override.set(render, "use_placeholder", False)
    override.set(render, "filepath", str(out_dir / FRAME_PREFIX))
    image = render.image_settings
    if hasattr(image, "media_type"):  # Blender 5.0+: choose "image" before the format
        override.set(image, "media_type", "IMAGE")
    override.set(image, "file_format", "PNG")
    override.set(image, "color_mode", "RGB")
    override.set(image, "color_depth", "8")
    override.set(image, "compression", 15)
    burn_in = bool(spec.display.get("burn_in", True))
    override.set(render, "use_stamp", burn_in)
    stamps = {
        "use_stamp_frame": True,
        "use_stamp_camera": True,
        "use_stamp_scene": False,
        "use_stamp_date": False,
        "use_stamp_time": False,
        "use_stamp_render_time": False,
        "use_stamp_filename": False,
        "use_stamp_memory": False,
        "use_stamp_hostname": False,
        "use_stamp_lens": False,
        "use_stamp_marker": False,
        "use_stamp_sequencer_strip": False,
        "use_stamp_note": False,
    }
    for name, value in stamps.items():
        if hasattr(render, name):
            override.set(render, name, value and burn_in)


class PlayblastRun:
    """One playblast's hold on ``scene``, the same for both captures: :meth:`start` (``spec``'s
    camera and output settings through :attr:`override`, into ``out_dir``), :meth:`result` (the
    frames and the scene's sound) and :meth:`put_back` (every setting and the frame the scene
    was on when it started)."""

    def __init__(self, scene: Scene, spec: CaptureSpec, out_dir: Path) -> None:
        self.scene = scene
        self.spec = spec
        self.out_dir = Path(out_dir)
        self.override = SettingsOverride()
        self.frame = scene.frame_current

    def start(self, progress: Progress) -> None:
        """Remember the current frame, set the camera and output, report the capture's start."""
        self.frame = self.scene.frame_current
        camera = camera_object(self.scene, self.spec.camera)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        apply_output_settings(self.override, self.scene, self.spec, self.out_dir, camera)
        progress("capture", 0.0, f"{self.spec.frame_count} frames from {camera.name}")

    def result(self, files: Sequence[Path]) -> CaptureResult:
        """``files`` and the scene's sound, mixed while the scene's range is still the publish
        range (before :meth:`put_back`)."""
        sound = mixdown(self.scene, self.out_dir)
        return CaptureResult(
            files=tuple(files),
            first_frame=self.spec.frame_start,
            audio=sound,
            audio_start_frame=self.spec.frame_start if sound is not None else None,
        )

    def put_back(self, *more: Callable[[], List[str]]) -> List[str]:
        """Every setting :attr:`override` changed, the frame of :meth:`start`, then each of
        ``more`` (e.g. the artist's 3D view); the failures, also logged."""
        failures = self.override.restore()
        self.scene.frame_set(self.frame)
        for restore in more:
            failures += restore()
        if failures:
            log.warning("could not restore scene settings: %s", "; ".join(failures))
        return failures
