"""Run a publish off Blender's main thread while every ``bpy`` call stays on it.

The worker thread runs the pipeline; whenever it asks the host something (scene path, frame
range, capture), :class:`MainThreadCalls` hands the call to the main thread, which runs it from
the operator's modal timer (:meth:`MainThreadCalls.drain`). On the main thread itself (background
mode, ``execute``) calls run directly, so the same code serves both.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from ft_dcc.host.interface import CaptureResult, CaptureSpec, Host
from ft_dcc.progress import Progress, null_progress

#: where each pipeline stage sits in the one progress bar the artist sees (start, end)
STAGE_SPANS: Dict[str, Tuple[float, float]] = {
    "publish": (0.0, 0.08),  # the pipeline's plugin-by-plugin progress, before the heavy stages
    "collect": (0.0, 0.03),
    "validate": (0.03, 0.08),
    "capture": (0.08, 0.55),
    "extract": (0.08, 0.55),
    "encode": (0.55, 0.7),
    "thumbnail": (0.7, 0.72),
    "verify": (0.72, 0.75),
    "upload": (0.75, 0.95),
    "integrate": (0.95, 1.0),
    "review": (0.95, 1.0),
    "queue": (0.95, 1.0),
}


class MainThreadCalls:
    """A mailbox of calls for the main thread."""

    def __init__(self) -> None:
        self._main = threading.get_ident()
        self._queue: queue.Queue = queue.Queue()

    def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() == self._main:
            return function(*args, **kwargs)
        done = threading.Event()
        box: Dict[str, Any] = {}
        self._queue.put((function, args, kwargs, done, box))
        done.wait()
        if "error" in box:
            raise box["error"]
        return box.get("value")

    def drain(self) -> int:
        """Run the waiting calls (main thread only); return how many ran."""
        count = 0
        while True:
            try:
                function, args, kwargs, done, box = self._queue.get_nowait()
            except queue.Empty:
                return count
            try:
                box["value"] = function(*args, **kwargs)
            except BaseException as exc:
                box["error"] = exc
            finally:
                done.set()
                count += 1


class MainThreadHost(Host):
    """A host whose every method runs on the main thread, whichever thread calls it."""

    def __init__(self, host: Host, calls: MainThreadCalls) -> None:
        self._host = host
        self._calls = calls
        self.name = host.name

    def scene_path(self) -> Optional[Path]:
        return self._calls.call(self._host.scene_path)

    def has_unsaved_changes(self) -> bool:
        return self._calls.call(self._host.has_unsaved_changes)

    def save_scene(self) -> Path:
        return self._calls.call(self._host.save_scene)

    def frame_range(self) -> Tuple[int, int]:
        return self._calls.call(self._host.frame_range)

    def fps(self) -> Any:
        return self._calls.call(self._host.fps)

    def resolution(self) -> Tuple[int, int]:
        return self._calls.call(self._host.resolution)

    def cameras(self) -> List[str]:
        return self._calls.call(self._host.cameras)

    def current_camera(self) -> Optional[str]:
        return self._calls.call(self._host.current_camera)

    def default_spec(self, **overrides: Any) -> CaptureSpec:
        return self._calls.call(self._host.default_spec, **overrides)

    def capture(
        self, spec: CaptureSpec, out_dir: Path, progress: Progress = null_progress
    ) -> CaptureResult:
        return self._calls.call(self._host.capture, spec, out_dir, progress)

    def tell(self, message: str, level: str = "info") -> None:
        self._calls.call(self._host.tell, message, level)

    def ask(self, question: str, default: bool = False) -> bool:
        return self._calls.call(self._host.ask, question, default)


class ProgressState:
    """A thread-safe progress sink: the worker writes, the UI reads one overall fraction."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.fraction = 0.0
        self.stage = ""
        self.message = ""

    def __call__(self, stage: str, fraction: float, message: str = "") -> None:
        start, end = STAGE_SPANS.get(stage, (self.fraction, self.fraction))
        overall = start + (end - start) * min(max(fraction, 0.0), 1.0)
        with self._lock:
            self.fraction = max(self.fraction, overall)
            self.stage, self.message = stage, message

    def snapshot(self) -> Tuple[float, str, str]:
        with self._lock:
            return self.fraction, self.stage, self.message


class PublishJob:
    """One publish: ``run()`` inline, or ``start()`` a worker thread and poll ``done``."""

    def __init__(self, publish: Callable[..., Any], host: Host, **options: Any) -> None:
        self.calls = MainThreadCalls()
        self.progress = ProgressState()
        self._publish = publish
        self._host = MainThreadHost(host, self.calls)
        self._options = options
        self.report: Any = None
        self.error: Optional[BaseException] = None
        self._thread: Optional[threading.Thread] = None

    def run(self) -> None:
        try:
            self.report = self._publish(self._host, progress=self.progress, **self._options)
        except BaseException as exc:  # shown to the artist by the operator
            self.error = exc

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="ft_dcc-publish", daemon=True)
        self._thread.start()

    @property
    def done(self) -> bool:
        return self._thread is None or not self._thread.is_alive()
