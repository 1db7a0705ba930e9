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


# -- Read / Premult / Merge2: what a Viewer shows (RGBA, 0..1 floats) ---------------------------
RGBA = Tuple[int, int, List[Tuple[float, float, float, float]]]


def rgba_of(node: Any, frame: int) -> RGBA:
    """``node``'s image at ``frame`` with its alpha (a tiny model: Read of an 8-bit PNG, Reformat,
    Premult, Merge2 ``over``; other nodes are opaque RGB from :func:`image_of`)."""
    cls = node.Class()
    if cls == "Read":
        return _read(node, frame)
    if cls == "Premult":
        width, height, pixels = _input_rgba(node, 0, frame)
        return width, height, [(r * a, g * a, b * a, a) for r, g, b, a in pixels]
    if cls == "Reformat" and node.input(0) is not None:
        width, height, pixels = rgba_of(node.input(0), frame)
        fmt = node["format"].value()
        out = [
            pixels[(y * height // fmt.height()) * width + x * width // fmt.width()]
            for y in range(fmt.height())
            for x in range(fmt.width())
        ]
        return fmt.width(), fmt.height(), out
    if cls == "Merge2":
        return _merge(node, frame)
    width, height, rgb = image_of(node, frame)
    return (
        width,
        height,
        [(rgb[i] / 255, rgb[i + 1] / 255, rgb[i + 2] / 255, 1.0) for i in range(0, len(rgb), 3)],
    )


def _input_rgba(node: Any, index: int, frame: int) -> RGBA:
    upstream = node.input(index)
    if upstream is None:
        fmt = _state.state.root["format"].value()
        return fmt.width(), fmt.height(), [(0.0, 0.0, 0.0, 0.0)] * (fmt.width() * fmt.height())
    return rgba_of(upstream, frame)


def _merge(node: Any, frame: int) -> RGBA:
    """A over B (``A + B(1 - a)``, [MG]); the output has B's size, A is laid from B's origin (the
    bottom-left corner in Nuke; rows here are stored top row first)."""
    operation = node["operation"].value()
    if operation != "over":
        raise NotImplementedError(f"the fake nuke merges only 'over', not {operation!r}")
    width, height, below = _input_rgba(node, 0, frame)
    a_width, a_height, above = _input_rgba(node, 1, frame)
    mix = node["mix"].value()
    out = list(below)
    for y in range(min(height, a_height)):
        a_row, b_row = (a_height - 1 - y) * a_width, (height - 1 - y) * width
        for x in range(min(width, a_width)):
            ar, ag, ab, aa = (v * mix for v in above[a_row + x])
            br, bg, bb, ba = out[b_row + x]
            out[b_row + x] = (ar + br * (1 - aa), ag + bg * (1 - aa), ab + bb * (1 - aa),
                                  aa + ba * (1 - aa))  # fmt: skip
    return width, height, out


def _read(node: Any, frame: int) -> RGBA:
    """[RD] outside ``first``..``last`` a ``black`` before/after is black (alpha 0 too); ``hold``
    repeats the end frame (a still is the same picture). The file is read as is (straight
    alpha): Nuke's Merge needs a Premult after it for a PNG's unpremultiplied colour."""
    first, last = node["first"].value(), node["last"].value()
    mode = node["before"].value() if frame < first else node["after"].value()
    if not first <= frame <= last and mode == "black":
        fmt = node["format"].value()
        return fmt.width(), fmt.height(), [(0.0, 0.0, 0.0, 0.0)] * (fmt.width() * fmt.height())
    if not first <= frame <= last and mode != "hold":
        raise NotImplementedError(f"the fake nuke does not model before/after {mode!r}")
    path = Path(frame_path(_tcl.evaluate(node["file"].value(), node), frame))
    if not path.is_file():  # [unverified wording]
        raise RuntimeError(f"{node.name()}: Read error: {path}: No such file or directory")
    return read_png(path)


def read_png(path: Path) -> RGBA:
    """An 8-bit, non-interlaced RGB or RGBA PNG (all five row filters) as RGBA floats."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise RuntimeError(f"Read error: {path} is not a PNG file")  # [unverified wording]
    offset, idat, header = 8, b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        offset += 12 + length
    width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", header)
    if depth != 8 or colour not in (2, 6) or interlace:
        raise NotImplementedError("the fake nuke reads only 8-bit RGB/RGBA PNGs")
    channels = 4 if colour == 6 else 3
    rows = _unfilter(zlib.decompress(idat), width * channels, height, channels)
    pixels = []
    for row in rows:  # top row first, as image_of and the PNGs written
        for x in range(width):
            values = row[x * channels : (x + 1) * channels]
            alpha = values[3] / 255 if channels == 4 else 1.0
            pixels.append((values[0] / 255, values[1] / 255, values[2] / 255, alpha))
    return width, height, pixels


def _unfilter(raw: bytes, stride: int, height: int, step: int) -> List[bytearray]:
    rows: List[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        row = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = row[i - step] if i >= step else 0
            up, corner = previous[i], previous[i - step] if i >= step else 0
            if kind == 1:
                row[i] = (row[i] + left) & 255
            elif kind == 2:
                row[i] = (row[i] + up) & 255
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                row[i] = (row[i] + best) & 255
        rows.append(row)
        previous = row
    return rows
