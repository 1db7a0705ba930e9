"""Capture a playblast in Blender: the real viewport (``render.opengl``, frame by frame, in
:mod:`.modal_capture`) when a window exists, else a Workbench render with the viewport's
shading. Every scene setting touched is restored.

Frame files are written as ``<out_dir>/frame_####.<ext>`` and listed, in order, in the
:class:`~ft_dcc.host.interface.CaptureResult`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import bpy

from ft_dcc.exceptions import CaptureError
from ft_dcc.host.interface import CaptureResult, CaptureSpec
from ft_dcc.progress import Progress, null_progress

from . import look
from .sound import mixdown

log = logging.getLogger(__name__)

FRAME_PREFIX = "frame_"


class SettingsOverride:
    """Set RNA properties and remember the first value each had, to put them all back later."""

    def __init__(self) -> None:
        self._saved: List[Tuple[Any, str, Any]] = []
        self._keys: set = set()
        self._after: List[Callable[[], None]] = []

    def after_restore(self, action: Callable[[], None]) -> None:
        """Run ``action`` once everything is put back (e.g. remove a data block made for it)."""
        self._after.append(action)

    def set(self, owner: Any, attribute: str, value: Any) -> None:
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
    window: Optional[Any] = None,
) -> Tuple[Optional[Any], Optional[Any], Optional[Any], Optional[Any]]:
    """The artist's 3D view: (window, area, region, space); Nones when there is no window."""
    wm = bpy.context.window_manager
    windows = [window] if window is not None else []
    if bpy.context.window is not None:
        windows.append(bpy.context.window)
    windows.extend(wm.windows if wm else [])
    for win in windows:
        areas = [a for a in win.screen.areas if a.type == "VIEW_3D"]
        if not areas:
            continue
        area = max(areas, key=lambda a: a.width * a.height)
        region = next(r for r in area.regions if r.type == "WINDOW")
        return win, area, region, area.spaces.active
    return None, None, None, None


def viewport_shading() -> Optional[Any]:
    """The shading of the artist's 3D view (a window's, also in background mode when the file
    was opened with its UI), or None when there is none."""
    space = find_view3d()[3]
    return space.shading if space is not None else None


def display_options(scene: Any) -> Dict[str, Any]:
    """What the capture will look like, recorded with the publish."""
    shading = viewport_shading() or scene.display.shading
    return {
        "method": "viewport" if can_use_viewport() else "workbench",
        "light": shading.light,
        "color_type": shading.color_type,
        "burn_in": True,
        "overlays": False,
        "colour": colour_management(scene),
        "shading": look.record(scene),
    }


def colour_management(scene: Any) -> Dict[str, Any]:
    """The scene's colour management, which the capture keeps (recorded with the publish)."""
    view = scene.view_settings
    return {
        "display_device": scene.display_settings.display_device,
        "view_transform": view.view_transform,
        "look": view.look,
        "exposure": round(float(view.exposure), 4),
        "gamma": round(float(view.gamma), 4),
    }


def can_use_viewport() -> bool:
    """True in an interactive Blender with a 3D view (``render.opengl`` needs one)."""
    return not bpy.app.background and find_view3d()[3] is not None


def _camera_object(scene: Any, name: Optional[str]) -> Any:
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


def _frames_written(scene: Any, spec: CaptureSpec) -> List[Path]:
    frames = range(spec.frame_start, spec.frame_end + 1)
    files = [Path(scene.render.frame_path(frame=f)) for f in frames]
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise CaptureError(
            f"Blender did not write {len(missing)} of {len(files)} playblast frames "
            f"(first missing: {missing[0]}).",
            hint="check the disk space and the Blender console for render errors",
        )
    return files


def _apply_output_settings(
    override: SettingsOverride, scene: Any, spec: CaptureSpec, out_dir: Path, camera: Any
) -> None:
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


def _apply_workbench(override: SettingsOverride, scene: Any) -> None:
    override.set(scene.render, "engine", "BLENDER_WORKBENCH")
    override.set(scene.display, "render_aa", "FXAA")  # 2x faster than 8 samples on software GL
    look.apply(override, scene)  # the artist's 3D view shading and background


class _FrameCounter:
    """Reports capture progress from Blender's frame handlers."""

    def __init__(self, progress: Progress, spec: CaptureSpec) -> None:
        self.progress = progress
        self.spec = spec
        self.done: set = set()

    def __call__(self, scene: Any, *args: Any) -> None:
        if scene.frame_current in self.done:
            return
        self.done.add(scene.frame_current)
        count = min(len(self.done), self.spec.frame_count)
        self.progress(
            "capture", count / self.spec.frame_count, f"frame {count}/{self.spec.frame_count}"
        )

    def handlers(self) -> Iterator[Any]:
        yield bpy.app.handlers.render_write
        yield bpy.app.handlers.frame_change_post


def capture(
    spec: CaptureSpec,
    out_dir: Path,
    progress: Progress = null_progress,
    scene: Optional[Any] = None,
    use_viewport: Optional[bool] = None,
) -> CaptureResult:
    """Playblast ``spec`` into ``out_dir`` and return the frame files; restore the scene after.

    ``use_viewport`` defaults to :func:`can_use_viewport`: the real viewport playblast in an
    interactive Blender, a Workbench render in background mode.
    """
    scene = scene or bpy.context.scene
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    camera = _camera_object(scene, spec.camera)
    if use_viewport is None:
        use_viewport = can_use_viewport()
    if use_viewport:  # the interactive playblast, frame by frame: modal_capture.py
        from .modal_capture import capture_viewport

        return capture_viewport(spec, out_dir, progress, scene)
    override = SettingsOverride()
    frame_current = scene.frame_current
    counter = _FrameCounter(progress, spec)
    progress("capture", 0.0, f"{spec.frame_count} frames from {camera.name}")
    try:
        _apply_output_settings(override, scene, spec, out_dir, camera)
        for handlers in counter.handlers():
            handlers.append(counter)
        _apply_workbench(override, scene)
        result = bpy.ops.render.render(animation=True, scene=scene.name)
        if result != {"FINISHED"}:
            raise CaptureError(f"Blender's Workbench render returned {result}.")
        files = _frames_written(scene, spec)
        sound = mixdown(scene, out_dir)  # while the scene's range is the publish range
    except RuntimeError as exc:
        raise CaptureError(
            f"Blender could not capture the playblast: {exc}",
            hint="check the camera and the frame range, then try again",
        ) from exc
    finally:
        for handlers in counter.handlers():
            if counter in handlers:
                handlers.remove(counter)
        failures = override.restore()
        scene.frame_set(frame_current)
        if failures:
            log.warning("could not restore scene settings: %s", "; ".join(failures))
    progress("capture", 1.0, f"{len(files)} frames captured")
    return CaptureResult(
        files=tuple(files),
        first_frame=spec.frame_start,
        audio=sound,
        audio_start_frame=spec.frame_start if sound is not None else None,
    )


def capture_streaming(
    spec: CaptureSpec,
    out_dir: Path,
    frame_written: Callable[[Path], None],
    progress: Progress = null_progress,
    scene: Optional[Any] = None,
) -> CaptureResult:
    """The background (Workbench) capture, handing each frame file to ``frame_written`` as
    soon as Blender has written it (its ``render_write`` handler), so it can be encoded while
    the next frames render."""
    scene = scene or bpy.context.scene

    def written(rendered: Any, *args: Any) -> None:
        frame_written(Path(rendered.render.frame_path(frame=rendered.frame_current)))

    bpy.app.handlers.render_write.append(written)
    try:
        return capture(spec, out_dir, progress, scene=scene, use_viewport=False)
    finally:
        bpy.app.handlers.render_write.remove(written)
