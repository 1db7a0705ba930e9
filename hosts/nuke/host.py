"""Nuke seen through :class:`ft_dcc.publish.host_port.Host`: the open script's settings and capture.

Everything goes through the ``nuke`` module: the script path is the root's ``name`` knob, the
range the root's ``first_frame``/``last_frame`` (or a Write node's limit), fps the root's ``fps``
as an exact rational, the resolution the root's ``format``. A comp has no playblast camera, so
:meth:`NukeHost.cameras` is empty and the camera validator has nothing to check.
"""

from __future__ import annotations

import logging
import threading
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, List, Optional, Tuple, Union

import attr
import nuke

from ft_dcc.exceptions import CaptureError, PublishError
from ft_dcc.media.colour import ColourSettings
from ft_dcc.media.sequence import is_movie
from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec, Host, to_fraction

from . import capture as capture_module
from . import sound
from .colour import write_colour

log = logging.getLogger(__name__)


def root_fps(root: nuke.Node) -> Fraction:
    """The root's fps as an exact rational: 23.976 is 24000/1001, 29.97 is 30000/1001."""
    return to_fraction(root["fps"].value())


def on_main(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Nuke's main-thread runner for the one hand-off (:class:`ft_dcc.host.job.MainThreadHost`):
    from a worker thread through ``nuke.executeInMainThreadWithResult`` (Nuke's event loop runs
    it, the worker waits for the result or the exception); on the main thread directly."""
    if threading.current_thread() is threading.main_thread():
        return function(*args, **kwargs)
    return nuke.executeInMainThreadWithResult(function, args, kwargs)


class NukeHost(Host):
    """The open Nuke script, optionally seen through one Write node. Nuke is not thread-safe:
    a publish in a worker thread reaches it through :func:`on_main` (``PublishJob(...,
    on_main=on_main)``), which hands every port method to Nuke's main thread.

    ``write_node`` (a node or its name): publish what that Write renders. When its frames for
    the range are already on disk (e.g. right after the render that called the afterRender
    callback), those files are published as they are; otherwise its input is rendered through a
    temporary Write node. Without a Write node the first Viewer's input is rendered.
    ``just_rendered``: the Write node has just rendered the range (its afterRender callback):
    publish its files, a movie included, and never start a second render from inside that one.
    ``reporter(message, level)`` shows messages to the artist; default: logging.
    """

    name = "nuke"
    uses_cameras = False

    def __init__(
        self,
        write_node: Union[str, nuke.Node, None] = None,
        reporter: Optional[Callable[[str, str], None]] = None,
        just_rendered: bool = False,
    ) -> None:
        self._write_node = write_node
        self._just_rendered = just_rendered
        self._reporter = reporter

    def for_source(self, source: str) -> NukeHost:
        """The script seen through the Write node called ``source`` (one of several)."""
        return NukeHost(write_node=source, reporter=self._reporter)

    @property
    def write_node(self) -> Optional[nuke.Node]:
        """The Write node this host publishes, or None."""
        node = self._write_node
        if node is None or not isinstance(node, str):
            return node
        found = nuke.toNode(node)
        if found is None:
            raise CaptureError(
                f"There is no node called {node!r} in this script.",
                hint="pick an existing Write node",
            )
        return found

    # -- the script ----------------------------------------------------------------------------
    def scene_path(self) -> Optional[Path]:
        path = nuke.root()["name"].value()
        return Path(path) if path else None

    def has_unsaved_changes(self) -> bool:
        return bool(nuke.root().modified())

    def save_scene(self) -> Path:
        path = self.scene_path()
        if path is None:
            raise PublishError(
                "This Nuke script has never been saved, so there is no script file to publish.",
                hint="save it with File > Save Comp As..., then publish again",
            )
        nuke.scriptSave()
        return path

    def frame_range(self) -> Tuple[int, int]:
        write = self.write_node
        if write is not None and write["use_limit"].value():
            return int(write["first"].value()), int(write["last"].value())
        root = nuke.root()
        return int(root["first_frame"].value()), int(root["last_frame"].value())

    def fps(self) -> Fraction:
        return root_fps(nuke.root())

    def resolution(self) -> Tuple[int, int]:
        """The Write node's image size when it has an input (what it renders), else the
        root format's. Pixel aspect is not applied: frames are published as rendered."""
        write = self.write_node
        if write is not None and write.input(0) is not None:
            return int(write.width()), int(write.height())
        fmt = nuke.root()["format"].value()
        return int(fmt.width()), int(fmt.height())

    def cameras(self) -> List[str]:
        """Always empty: a comp is reviewed as rendered, there is no camera to look through."""
        return []

    def current_camera(self) -> Optional[str]:
        return None

    def is_still(self) -> bool:
        """A Write (or, without one, the script) whose range is one frame publishes its image
        as a still; a Write of a movie file stays a movie."""
        write = self.write_node
        if write is not None and is_movie(str(write["file"].value())):
            return False
        first, last = self.frame_range()
        return first == last

    def review_colour(self) -> Optional[ColourSettings]:
        """A reused EXR Write: the script's OCIO config, the Write's colourspace and the
        Viewer's display/view (never encoded raw). A render through a temporary Write is
        display-referred already (an 8-bit image written with Nuke's own output transform)."""
        write = self.write_node
        if write is None or capture_module.rendered_frames(write, *self.frame_range()) is None:
            return None
        return write_colour(write)

    # -- capture -------------------------------------------------------------------------------
    def capture(
        self, spec: CaptureSpec, out_dir: Path, progress: Progress = null_progress
    ) -> CaptureResult:
        """The picture (:meth:`_capture_picture`) with the script's AudioRead sound, if any."""
        result = self._capture_picture(spec, out_dir, progress)
        audio = sound.review_sound(spec, Path(out_dir), self.fps())
        if audio is None:
            return result
        return attr.evolve(result, audio=audio, audio_start_frame=spec.frame_start)

    def _capture_picture(
        self, spec: CaptureSpec, out_dir: Path, progress: Progress
    ) -> CaptureResult:
        write = self.write_node
        if write is not None:
            rendered = capture_module.rendered_frames(write, spec.frame_start, spec.frame_end)
            if rendered is not None:
                progress("capture", 1.0, f"using the {len(rendered)} frames {write.name()} wrote")
                return CaptureResult(files=tuple(rendered), first_frame=spec.frame_start)
            if self._just_rendered:
                movie = capture_module.rendered_movie(write)
                if movie is not None:
                    progress("capture", 1.0, f"using the movie {write.name()} wrote")
                    return CaptureResult(
                        files=(movie,), first_frame=spec.frame_start, is_movie=True
                    )
                raise CaptureError(
                    f"{write.name()} did not leave frames {spec.frame_start}-{spec.frame_end} "
                    f"on disk as images or a movie ({write['file'].value() or 'no file'}).",
                    hint="render to numbered frames (e.g. shot.####.exr) or a .mov, then render "
                    "again; or use Nodes > ftrack > Publish for review",
                )
        source = capture_module.source_node(write)
        return capture_module.render(source, spec, Path(out_dir), progress)

    # -- the artist ----------------------------------------------------------------------------
    def tell(self, message: str, level: str = "info") -> None:
        if self._reporter is not None:
            self._reporter(message, level)
        else:
            super().tell(message, level)

    def ask(self, question: str, default: bool = False) -> bool:
        if not nuke.GUI:
            return default
        return bool(nuke.ask(question))
