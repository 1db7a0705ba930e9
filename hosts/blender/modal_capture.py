"""The interactive playblast: Blender's real viewport (``render.opengl``), one frame at a time.

:class:`ViewportCapture` sets the playblast up (:meth:`~ViewportCapture.begin`), renders one
frame per :meth:`~ViewportCapture.step` and ends with :meth:`~ViewportCapture.finish` (the frames
and the sound) or :meth:`~ViewportCapture.cancel` (no frame left behind); both put every scene
setting and the artist's 3D view (:mod:`.viewport`) back. Between two steps Blender runs its
loop, so the window redraws and Esc reaches the publish operator.

:class:`SteppedCaptureHost` drives it from the publish's worker thread with one main-thread
hand-off per frame, and stops between two frames once :meth:`~SteppedCaptureHost.cancel` was
called; :func:`capture_viewport` runs the whole capture at once (scripts, :mod:`.capture`).
"""

from __future__ import annotations

import threading
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set

import bpy

from ft_dcc.exceptions import CaptureError, PublishError
from ft_dcc.host.job import MainThread, MainThreadHost
from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec, FrameSink, Host

from . import look
from .scene_setup import FRAME_PREFIX, PlayblastRun, can_use_viewport, find_view3d
from .untyped import Scene
from .viewport import ViewState

AGAIN = "press Publish again when ready"
#: how long the capture may hold Blender's main thread before the window redraws (at least one
#: frame is captured each time, however long it takes)
FRAME_BUDGET_S = 0.2


def _hand_over(frame_written: Optional[FrameSink], path: Path) -> None:
    if frame_written is not None:
        frame_written(path)


class ViewportCapture:
    """One viewport playblast of ``spec`` into ``out_dir``, a frame per :meth:`step`.

    Main thread only. After :meth:`begin`, end with :meth:`finish` or :meth:`cancel` (also after
    an error): each restores the scene and the view once.
    """

    def __init__(
        self,
        spec: CaptureSpec,
        out_dir: Path,
        scene: Optional[Scene] = None,
        progress: Progress = null_progress,
    ) -> None:
        self.spec = spec
        self.out_dir = Path(out_dir)
        self.scene = scene or bpy.context.scene
        self.progress = progress
        self.frames = list(range(spec.frame_start, spec.frame_end + 1))
        self.written: List[Path] = []
        self._run = PlayblastRun(self.scene, spec, self.out_dir)
        self._view: Optional[ViewState] = None
        self._context: Dict[str, Any] = {}
        self._restored = True

    @property
    def done(self) -> int:
        """How many frames were rendered."""
        return len(self.written)

    def begin(self) -> None:
        """Find the 3D view, look through the camera, set the output; nothing rendered yet."""
        window, area, region, space = find_view3d()
        if space is None or bpy.app.background:  # render.opengl needs a window
            raise CaptureError(
                "There is no 3D Viewport to playblast from.",
                hint="open a 3D Viewport in the current workspace",
            )
        self._context = {"window": window, "area": area, "region": region}
        self._view = ViewState(space)
        self._restored = False
        try:
            self._run.start(self.progress)
            space.region_3d.view_perspective = "CAMERA"
            space.use_local_camera = False
            look.set_viewport(space, self.spec.viewport())  # capture.shading/overlays/hud
        except BaseException:
            self.restore()
            raise

    def step(self) -> bool:
        """Render the next frame; True while frames remain."""
        frame = self.frames[self.done]
        self.scene.frame_set(frame)
        # a still is written to the output path as it is (no frame number added): name each one
        path = self.out_dir / f"{FRAME_PREFIX}{frame:04d}"
        self._run.override.set(self.scene.render, "filepath", str(path))
        try:
            result = self._render_still()
        except RuntimeError as exc:
            raise CaptureError(
                f"Blender could not capture frame {frame}: {exc}",
                hint="check the camera and the frame range, then try again",
            ) from exc
        written = path.with_name(path.name + self.scene.render.file_extension)
        if result != {"FINISHED"} or not written.is_file():
            raise CaptureError(
                f"Blender's viewport playblast did not write frame {frame} ({result}).",
                hint="check the disk space and the Blender console for render errors",
            )
        self.written.append(written)
        total = len(self.frames)
        self.progress("capture", self.done / total, f"frame {self.done}/{total}")
        return self.done < total

    def _render_still(self) -> Set[str]:
        """``render.opengl`` of the 3D view, with no context override when Blender's own
        context is already in that view (the publish was started from its sidebar).

        Under an override Blender 3.4 reads the override's members through Python, and takes
        the GIL for that only when no thread holds it: with another Python thread at work
        (the streaming encoder, the event hub, a preview read) it read them unguarded and
        crashed (a segmentation fault on the first frames)."""
        in_view = bpy.context.area == self._context["area"] and bpy.context.region is not None
        with nullcontext() if in_view else bpy.context.temp_override(**self._context):
            return bpy.ops.render.opengl(animation=False, write_still=True, view_context=True)

    def finish(self) -> CaptureResult:
        """The frames and the scene's sound; the scene and the view put back."""
        try:
            missing = [p.name for p in self.written if not p.is_file()]
            if missing or self.done < len(self.frames):
                raise CaptureError(
                    f"The playblast is missing {len(self.frames) - self.done + len(missing)} of "
                    f"{len(self.frames)} frames.",
                    hint="check the disk space and the Blender console for render errors",
                )
            result = self._run.result(self.written)
        finally:
            self.restore()
        self.progress("capture", 1.0, f"{self.done} frames captured")
        return result

    def cancel(self) -> None:
        """Stop: the scene and the view put back, the frames written so far deleted."""
        self.restore()
        for path in self.written:
            path.unlink(missing_ok=True)
        self.written.clear()

    def restore(self) -> List[str]:
        """Put back every scene setting, the frame and the artist's view (once)."""
        if self._restored:
            return []
        self._restored = True
        more = [self._view.restore] if self._view is not None else []
        return self._run.put_back(*more)


def capture_viewport(
    spec: CaptureSpec,
    out_dir: Path,
    progress: Progress = null_progress,
    scene: Optional[Scene] = None,
) -> CaptureResult:
    """The whole viewport playblast at once (main thread); restored also after an error."""
    capture = ViewportCapture(spec, out_dir, scene, progress)
    capture.begin()
    try:
        while capture.step():
            pass
    except BaseException:
        capture.cancel()
        raise
    return capture.finish()


class SteppedCaptureHost(MainThreadHost):
    """A Blender host for a publish in a worker thread: every call on the main thread, and the
    viewport capture in hand-offs of one frame (or more within :attr:`budget` seconds), so
    Blender redraws (and reads Esc) between them.

    :meth:`cancel` (from the main thread) stops the capture before its next frame.
    """

    #: each frame is handed over as soon as it is written (the publish encodes meanwhile)
    streams_frames = True

    def __init__(
        self,
        host: Host,
        on_main: MainThread,
        scene: Optional[str] = None,
        budget: Optional[float] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(host, on_main)
        self.streams_frames = True
        #: seconds of frames per hand-off before Blender gets to redraw (0: one frame each)
        self.budget = FRAME_BUDGET_S if budget is None else budget
        self._clock = clock
        self._scene_name = scene
        self._cancel = threading.Event()
        #: True while the viewport capture runs (the operator then keeps input away from it)
        self.capturing = False

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def capture(
        self, spec: CaptureSpec, out_dir: Path, progress: Progress = null_progress
    ) -> CaptureResult:
        return self._stepped(spec, out_dir, progress, None)

    def capture_streaming(
        self, spec: CaptureSpec, out_dir: Path, frame_written: FrameSink,
        progress: Progress = null_progress,
    ) -> CaptureResult:  # fmt: skip
        """:meth:`capture`, handing each frame file to ``frame_written`` (on this worker thread)
        as soon as Blender wrote it, so the publish encodes while Blender captures."""
        return self._stepped(spec, out_dir, progress, frame_written)

    def _stepped(
        self,
        spec: CaptureSpec,
        out_dir: Path,
        progress: Progress,
        frame_written: Optional[FrameSink],
    ) -> CaptureResult:
        if not self._on_main(can_use_viewport):  # no 3D view: one Workbench render at once
            self._check(None)
            result = super().capture(spec, out_dir, progress)
            for path in result.files:
                _hand_over(frame_written, Path(path))
            return result
        capture = self._on_main(self._new_capture, spec, out_dir, progress)
        self._check(capture)
        self.capturing = True
        try:
            self._on_main(capture.begin)
            self._capture_frames(capture, frame_written)
            return self._on_main(capture.finish)
        except BaseException:
            self._on_main(capture.cancel)
            raise
        finally:
            self.capturing = False

    def _capture_frames(self, capture: ViewportCapture, frame_written: Optional[FrameSink]) -> None:
        """One hand-off per turn of Blender's loop; each new frame handed over from here, on
        the worker thread."""
        handed = 0
        more = True
        while more:
            more = self._on_main(self._step, capture)
            for path in capture.written[handed:]:
                _hand_over(frame_written, path)
            handed = len(capture.written)

    def _new_capture(self, spec: CaptureSpec, out_dir: Path, progress: Progress) -> ViewportCapture:
        scene = bpy.data.scenes[self._scene_name] if self._scene_name else bpy.context.scene
        return ViewportCapture(spec, out_dir, scene, progress)

    def _step(self, capture: ViewportCapture) -> bool:
        """At least one frame, then more while within :attr:`budget` seconds: a fast viewport
        does not pay one window redraw per frame, a slow one still redraws after each."""
        started = self._clock()
        more = True
        while more:
            self._check(capture)
            more = capture.step()
            if self._clock() - started >= self.budget:
                break
        return more

    def _check(self, capture: Optional[ViewportCapture]) -> None:
        if self._cancel.is_set():
            done = f"{capture.done} of {len(capture.frames)}" if capture is not None else "0"
            raise CaptureError(
                f"The playblast was cancelled (Esc) after {done} frames: nothing was published.",
                hint=AGAIN,
            )


class CancellableProgress:
    """The publish's progress sink that stops it once :attr:`host` was cancelled, up to the
    upload: the encode (ffmpeg stops when its progress sink raises), the check and the thumbnail.
    From the upload on, a publish runs to its end (it never leaves half a version)."""

    BEFORE_UPLOAD = ("capture", "extract", "encode", "verify", "thumbnail")
    COMMITTING = ("upload", "integrate", "review", "queue")

    def __init__(self, progress: Progress, host: SteppedCaptureHost) -> None:
        self._progress = progress
        self.host = host
        #: True once the upload started: too late to cancel
        self.committed = False

    def __call__(self, stage: str, fraction: float, message: str = "") -> None:
        if stage in self.COMMITTING:
            self.committed = True
        elif self.host.cancelled and not self.committed and stage in self.BEFORE_UPLOAD:
            raise PublishError(
                "The publish was cancelled (Esc) before its upload: nothing was published.",
                hint=AGAIN,
            )
        self._progress(stage, fraction, message)
