"""``nuke.execute`` in the fake: the checks Nuke makes, the callbacks in Nuke's order, and REAL
image files on disk (PNG written here, JPEG through ffmpeg), so a wrong path or padding shows.

Order [PY + callbacks dev guide]: the Write's ``beforeRender`` knob and the ``addBeforeRender``
callbacks; for each frame the ``beforeFrameRender`` knob/callbacks, the frame is written, the
``afterFrameRender`` knob/callbacks; then ``afterRender``. ``nuke.thisNode()`` is the Write node
and ``nuke.frame()`` the frame being rendered. An exception in any of them aborts the render with
``RuntimeError`` (afterFrameRender is then not called for the failed frame). In the app, Cancel
on Nuke's render progress bar raises ``RuntimeError("Cancelled")`` (afterRender does not run).
"""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any, List, Tuple

from . import _graph, _state, _tcl

_HASHES = re.compile(r"#+")
_PRINTF = re.compile(r"%(0?\d*)d")
#: types the fake can really write; the others exist as knobs but rendering them is not modelled
WRITABLE = ("png", "jpeg")


def frame_path(pattern: str, frame: int) -> str:
    """``shot.####.png`` / ``shot.%04d.png`` at ``frame``; a name without either is unchanged
    (every frame then overwrites the same file, as in Nuke)."""
    path = _HASHES.sub(lambda m: f"{frame:0{len(m.group(0))}d}", pattern)
    return _PRINTF.sub(lambda m: ("%" + m.group(1) + "d") % frame, path)


def execute(node: Any, start: Any, end: Any, incr: Any, views: Any) -> None:
    state = _state.state
    for label, value in (("start", start), ("end", end), ("incr", incr)):
        if isinstance(value, bool) or not isinstance(value, int):
            # Nuke parses these as C ints: a float (root first_frame is one) is refused
            raise TypeError(f"execute(): {label} must be an integer, not {type(value).__name__}")
    if views is not None and (
        not isinstance(views, (list, tuple)) or not all(isinstance(v, str) for v in views)
    ):
        raise TypeError("execute(): views must be a list of view names")
    if incr == 0:
        raise ValueError("execute(): incr must not be 0")
    if state.executing is not None:
        # [assumed] a render started from inside a render's callback is refused
        raise RuntimeError("cannot execute while another render is in progress")
    if node.Class() != "Write":
        raise RuntimeError(f"{node.name()} cannot be executed")  # [unverified wording]
    if node["disable"].value():
        raise RuntimeError(f"{node.name()} is disabled")  # [unverified wording]
    source = node.input(0)
    if source is None:
        raise RuntimeError(f"{node.name()}: no input connected")  # [unverified wording]
    pattern = _tcl.evaluate(node["file"].value(), node)
    if not pattern:
        raise RuntimeError(f"{node.name()}: no filename specified")  # [unverified wording]
    file_type = node._file_type()
    if not file_type:
        raise RuntimeError(f"{node.name()}: unknown file type for {pattern}")
    if file_type not in WRITABLE:
        raise NotImplementedError(
            f"the fake nuke does not render file_type {file_type!r} (only {WRITABLE})"
        )
    frames = list(range(start, end + (1 if incr > 0 else -1), incr))
    if start > end and incr > 0:
        raise RuntimeError(f"{node.name()}: invalid frame range {start}-{end}")
    state.executing = node
    previous_frame = state.current_frame
    try:
        _stage(node, "beforeRender")
        for frame in frames:
            state.current_frame = frame
            _stage(node, "beforeFrameRender")
            _write_frame(node, source, frame_path(pattern, frame), file_type)
            _stage(node, "afterFrameRender")
            rendered = frames.index(frame) + 1
            if state.gui and state.cancel_render_after == rendered and frame != frames[-1]:
                # the app's render progress bar: Cancel raises "Cancelled" [doc: nuke.execute]
                raise RuntimeError("Cancelled")
        _stage(node, "afterRender")
    finally:
        state.executing = None
        state.current_frame = previous_frame


def _stage(node: Any, kind: str) -> None:
    try:
        _graph.run_python(node[kind].value(), node)
        _graph.run_callbacks(kind, node)
    except Exception as exc:
        raise RuntimeError(f"{node.name()}: {kind} failed: {type(exc).__name__}: {exc}") from exc


def _write_frame(node: Any, source: Any, path: str, file_type: str) -> None:
    target = Path(path)
    if not target.parent.is_dir():
        if not node["create_directories"].value():
            raise RuntimeError(  # [unverified wording]
                f"{node.name()}: Can't open {path} for writing: No such file or directory"
            )
        target.parent.mkdir(parents=True, exist_ok=True)
    width, height, pixels = image_of(source, _state.state.current_frame)
    if file_type == "png":
        target.write_bytes(png_bytes(width, height, pixels))
    else:
        quality = node["_jpeg_quality"].value()
        write_jpeg(target, width, height, pixels, quality)
    _state.state.frames_written.append(str(target))


def image_of(node: Any, frame: int) -> Tuple[int, int, bytes]:
    """An 8-bit RGB image of ``node`` at ``frame`` (a tiny model of Nuke's image tree)."""
    root_format = _state.state.root["format"].value()
    cls = node.Class()
    if cls in ("Constant", "CheckerBoard2"):
        fmt = node["format"].value()
        width, height = fmt.width(), fmt.height()
        red, green, blue = (_byte(v) for v in node["color"].value()[:3])
        if cls == "Constant":
            return width, height, bytes((red, green, blue)) * (width * height)
        rows = []
        for y in range(height):
            row = bytearray()
            for x in range(width):
                light = ((x // 16) + (y // 16)) % 2
                row += bytes((200, 200, 200)) if light else bytes((red, green, blue))
            rows.append(bytes(row))
        return width, height, b"".join(rows)
    upstream = node.input(0)
    if upstream is None:
        return (
            root_format.width(),
            root_format.height(),
            bytes(3 * root_format.width() * root_format.height()),
        )
    width, height, pixels = image_of(upstream, frame)
    if cls == "Reformat":
        fmt = node["format"].value()
        return fmt.width(), fmt.height(), _resize(width, height, pixels, fmt.width(), fmt.height())
    if cls == "Grade":
        gain = node["white"].value()
        return width, height, bytes(min(255, int(v * gain)) for v in pixels)
    return width, height, pixels


def _byte(value: float) -> int:
    return max(0, min(255, round(value * 255)))


def _resize(width: int, height: int, pixels: bytes, new_w: int, new_h: int) -> bytes:
    out = bytearray()
    for y in range(new_h):
        src_y = y * height // new_h
        for x in range(new_w):
            offset = 3 * (src_y * width + x * width // new_w)
            out += pixels[offset : offset + 3]
    return bytes(out)


def png_bytes(width: int, height: int, pixels: bytes) -> bytes:
    """A real 8-bit RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    stride = 3 * width
    raw = b"".join(b"\x00" + pixels[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def write_jpeg(path: Path, width: int, height: int, pixels: bytes, quality: float) -> None:
    """A real JPEG, encoded by ffmpeg (imageio-ffmpeg's binary)."""
    import imageio_ffmpeg

    qscale = max(2, min(31, round(31 - 29 * float(quality))))
    command: List[str] = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-v",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{width}x{height}",
        "-i",
        "-",
        "-frames:v",
        "1",
        "-q:v",
        str(qscale),
        str(path),
    ]
    done = subprocess.run(command, input=pixels, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"writing {path} failed: {done.stderr.decode(errors='replace')}")
