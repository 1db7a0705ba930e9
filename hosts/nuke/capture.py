"""Capture in Nuke: reuse the frames a Write node already rendered, or render a node's image
through a temporary Write node (PNG, ``####`` padding) with ``nuke.execute``.

The temporary node is deleted, the progress callback removed and the script's "modified" flag
put back even when the render fails, so the artist's script is exactly as it was.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import List, Optional

import nuke

from ft_dcc.exceptions import CaptureError, FtDccError
from ft_dcc.progress import Progress
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec

log = logging.getLogger(__name__)

#: file types ffmpeg reads as still frames (the review encoder takes them as they are)
REUSABLE_TYPES = ("png", "jpeg", "exr", "tiff", "dpx", "targa", "cin")
_EXTENSION_TYPES = {"jpg": "jpeg", "tif": "tiff", "tga": "targa"}
_HASHES = re.compile(r"#+")
_PRINTF = re.compile(r"%(0?\d*)d")
TEMP_NODE_NAME = "ftDccReviewCapture"
FRAME_PATTERN = "review.####.png"


def frame_path(pattern: str, frame: int) -> str:
    """A Write ``file`` (``####`` or ``%04d``) at ``frame``."""
    path = _HASHES.sub(lambda m: f"{frame:0{len(m.group(0))}d}", pattern)
    return _PRINTF.sub(lambda m: ("%" + m.group(1) + "d") % frame, path)


def write_path(write: nuke.Node) -> str:
    """The Write's file path with its TCL (e.g. ``[value root.name]``) evaluated and the frame
    padding kept, as ``nuke.filename`` gives it; '' when it has none."""
    return nuke.filename(write) or ""


def write_file_type(write: nuke.Node) -> str:
    """The Write's file type: its ``file_type`` knob, or the extension when that is empty."""
    chosen = str(write["file_type"].value()).strip()
    if chosen:
        return chosen
    extension = write_path(write).rsplit(".", 1)[-1].lower()
    return _EXTENSION_TYPES.get(extension, extension)


def rendered_frames(write: nuke.Node, start: int, end: int) -> Optional[List[Path]]:
    """The Write's files for ``start``-``end`` when every one is on disk, else None."""
    pattern = write_path(write)
    if not pattern or write_file_type(write) not in REUSABLE_TYPES:
        return None
    if not (_HASHES.search(pattern) or _PRINTF.search(pattern)):
        return None  # one file overwritten by every frame: nothing to reuse
    files = [Path(frame_path(pattern, frame)) for frame in range(start, end + 1)]
    if all(path.is_file() for path in files):
        return files
    return None


def rendered_movie(write: nuke.Node) -> Optional[Path]:
    """The movie a ``mov`` Write wrote (one file, no frame number), when it is on disk."""
    pattern = write_path(write)
    if not pattern or write_file_type(write) != "mov":
        return None
    if _HASHES.search(pattern) or _PRINTF.search(pattern):
        return None
    path = Path(pattern)
    return path if path.is_file() else None


def source_node(write: Optional[nuke.Node]) -> nuke.Node:
    """What to render: the Write node's input, else the first Viewer's input."""
    if write is not None:
        source = write.input(0)
        if source is None:
            raise CaptureError(
                f"{write.name()} has nothing connected to its input: there is nothing to render.",
                hint=f"connect the image to review to {write.name()}, then publish again",
            )
        return source
    for viewer in nuke.allNodes("Viewer"):
        source = viewer.input(0)
        if source is not None:
            return source
    raise CaptureError(
        "No Write node was chosen and no Viewer shows an image: there is nothing to render.",
        hint="select the Write node to publish (or view the image to review), then publish again",
    )


def render(
    source: nuke.Node, spec: CaptureSpec, out_dir: Path, progress: Progress
) -> CaptureResult:
    """Render ``source`` for ``spec``'s range into ``out_dir/review.####.png``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pattern = (out_dir / FRAME_PATTERN).as_posix()
    root = nuke.root()
    was_modified = bool(root.modified())
    total = spec.frame_count
    done: List[int] = []
    stopped: List[FtDccError] = []  # a Cancel raised by the progress sink inside the render
    temp: Optional[nuke.Node] = None
    temp_name = ""

    def frame_written() -> None:
        # compared by name: Nuke may hand callbacks a new Python object for the same node
        if not temp_name or nuke.thisNode().name() != temp_name:
            return
        done.append(int(nuke.frame()))
        try:
            progress("capture", len(done) / total, f"rendered frame {done[-1]}")
        except FtDccError as error:
            stopped.append(error)
            raise

    try:
        temp = nuke.nodes.Write(
            file=pattern, file_type="png", channels="rgb", create_directories=True
        )
        temp.setName(TEMP_NODE_NAME)  # uncollided if the name is taken
        temp_name = temp.name()
        temp.setInput(0, source)
        nuke.addAfterFrameRender(frame_written, nodeClass="Write")
        progress("capture", 0.0, f"rendering {source.name()} {spec.frame_start}-{spec.frame_end}")
        nuke.execute(temp, int(spec.frame_start), int(spec.frame_end), 1)
    except RuntimeError as error:
        if stopped:
            raise stopped[0] from None
        if "cancel" in str(error).lower():
            raise CaptureError(
                "The render was cancelled, so nothing was published.",
                hint="publish again when you are ready",
            ) from error
        raise CaptureError(
            f"Nuke could not render {source.name()} for frames "
            f"{spec.frame_start}-{spec.frame_end}: {error}",
            hint="render that node by hand to see Nuke's error, fix it, then publish again",
        ) from error
    finally:
        nuke.removeAfterFrameRender(frame_written, nodeClass="Write")
        if temp is not None:
            try:
                nuke.delete(temp)
            except ValueError:
                log.debug("the temporary Write node was already deleted")
        root.setModified(was_modified)
    files = [
        Path(frame_path(pattern, frame)) for frame in range(spec.frame_start, spec.frame_end + 1)
    ]
    return CaptureResult(files=tuple(files), first_frame=spec.frame_start)
