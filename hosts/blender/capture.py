"""Capture a playblast in Blender: the real viewport (``render.opengl``, frame by frame, in
:mod:`.modal_capture`) when a window exists, else a Workbench render with the viewport's
shading. Every scene setting touched is restored.

Frame files are written as ``<out_dir>/frame_####.<ext>`` and listed, in order, in the
:class:`~ft_dcc.publish.host_port.CaptureResult`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator, List, Optional

import bpy

from ft_dcc.exceptions import CaptureError
from ft_dcc.progress import Progress, null_progress
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec

from . import look
from .scene_setup import PlayblastRun, SettingsOverride, can_use_viewport, find_view3d
from .untyped import Scene, Shading


def viewport_shading() -> Optional[Shading]:
    """The shading of the artist's 3D view (a window's, also in background mode when the file
    was opened with its UI), or None when there is none."""
    space = find_view3d()[3]
    return space.shading if space is not None else None


def display_options(scene: Scene) -> JsonObject:
    """What the capture will look like, recorded with the publish."""
    shading = viewport_shading() or scene.display.shading
    return {
        "method": "viewport" if can_use_viewport() else "workbench",
        "light": shading.light,
        "color_type": shading.color_type,
        "burn_in": True,
        "colour": colour_management(scene),
        "shading": look.record(scene),
    }


def colour_management(scene: Scene) -> JsonObject:
    """The scene's colour management, which the capture keeps (recorded with the publish)."""
    view = scene.view_settings
    return {
        "display_device": scene.display_settings.display_device,
        "view_transform": view.view_transform,
        "look": view.look,
        "exposure": round(float(view.exposure), 4),
        "gamma": round(float(view.gamma), 4),
    }


def _frames_written(scene: Scene, spec: CaptureSpec) -> List[Path]:
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


def _apply_workbench(override: SettingsOverride, scene: Scene, spec: CaptureSpec) -> None:
    override.set(scene.render, "engine", "BLENDER_WORKBENCH")
    override.set(scene.display, "render_aa", "FXAA")  # 2x faster than 8 samples on software GL
    look.apply(override, scene)  # the artist's 3D view shading and background
    look.apply_setting(override, scene, spec.viewport()["shading"])  # capture.shading


class _FrameCounter:
    """Reports capture progress from Blender's frame handlers."""

    def __init__(self, progress: Progress, spec: CaptureSpec) -> None:
        self.progress = progress
        self.spec = spec
        self.done: set = set()

    def __call__(self, scene: Scene, *args: object) -> None:
        if scene.frame_current in self.done:
            return
        self.done.add(scene.frame_current)
        count = min(len(self.done), self.spec.frame_count)
        self.progress(
            "capture", count / self.spec.frame_count, f"frame {count}/{self.spec.frame_count}"
        )

    def handlers(self) -> Iterator[List[Callable[..., None]]]:
        yield bpy.app.handlers.render_write
        yield bpy.app.handlers.frame_change_post


def capture(
    spec: CaptureSpec,
    out_dir: Path,
    progress: Progress = null_progress,
    scene: Optional[Scene] = None,
    use_viewport: Optional[bool] = None,
) -> CaptureResult:
    """Playblast ``spec`` into ``out_dir`` and return the frame files; restore the scene after.

    ``use_viewport`` defaults to :func:`can_use_viewport`: the real viewport playblast in an
    interactive Blender, a Workbench render in background mode.
    """
    scene = scene or bpy.context.scene
    if use_viewport is None:
        use_viewport = can_use_viewport()
    if use_viewport:  # the interactive playblast, frame by frame: modal_capture.py
        from .modal_capture import capture_viewport

        return capture_viewport(spec, Path(out_dir), progress, scene)
    run = PlayblastRun(scene, spec, Path(out_dir))
    counter = _FrameCounter(progress, spec)
    try:
        run.start(progress)
        for handlers in counter.handlers():
            handlers.append(counter)
        _apply_workbench(run.override, scene, spec)
        result = bpy.ops.render.render(animation=True, scene=scene.name)
        if result != {"FINISHED"}:
            raise CaptureError(f"Blender's Workbench render returned {result}.")
        # the sound while the scene's range is the publish range
        captures = run.result(_frames_written(scene, spec))
    except RuntimeError as exc:
        raise CaptureError(
            f"Blender could not capture the playblast: {exc}",
            hint="check the camera and the frame range, then try again",
        ) from exc
    finally:
        for handlers in counter.handlers():
            if counter in handlers:
                handlers.remove(counter)
        run.put_back()
    progress("capture", 1.0, f"{len(captures.files)} frames captured")
    return captures


def capture_streaming(
    spec: CaptureSpec,
    out_dir: Path,
    frame_written: Callable[[Path], None],
    progress: Progress = null_progress,
    scene: Optional[Scene] = None,
) -> CaptureResult:
    """The background (Workbench) capture, handing each frame file to ``frame_written`` as
    soon as Blender has written it (its ``render_write`` handler), so it can be encoded while
    the next frames render."""
    scene = scene or bpy.context.scene

    def written(rendered: Scene, *args: object) -> None:
        frame_written(Path(rendered.render.frame_path(frame=rendered.frame_current)))

    bpy.app.handlers.render_write.append(written)
    try:
        return capture(spec, out_dir, progress, scene=scene, use_viewport=False)
    finally:
        bpy.app.handlers.render_write.remove(written)
