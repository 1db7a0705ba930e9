"""Thumbnails: ``/component/thumbnail?size=N`` and the default ``/img/thumbnail2.png``.

A sized thumbnail fits within ``size`` x ``size`` pixels with its aspect kept (never enlarged),
resized by Pillow with a Lanczos filter in true colour (RGB, or RGBA when the image has alpha);
it is a PNG when the stored file is one and a JPEG otherwise, with no physical-size (``pHYs``) or
other metadata chunks. A PNG is then reduced to a 256-colour palette (IHDR colour type 3, with a
``tRNS`` chunk when there is alpha), as ftrack's server answers it. Pillow reads stills itself;
movies (and stills it cannot read, e.g. EXR) give their first frame through ffmpeg first.
Results are cached beside the store per component and size, renewed when the file changes.

ftrack's own resizer is not public: Lanczos matches it to within a few levels per channel on
photographic content; byte identity would need its exact filter, gamma handling and zlib
settings, which nothing documents.
"""

from __future__ import annotations

import functools
import io
import subprocess
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Tuple

from ft_dcc.server.files.encode import ffmpeg_exe
from ft_dcc.server.files.filestore import FileStore

if TYPE_CHECKING:  # Pillow loads on the first thumbnail, not in every server process's start
    from PIL import Image

#: stored file suffix -> (cache extension, Pillow format, media type); others: JPEG
#: (``palette.png``: true-colour PNGs cached by earlier versions are not served again)
THUMBNAIL_FORMATS = {
    ".png": ("palette.png", "PNG", "image/png"),
    ".jpg": ("jpg", "JPEG", "image/jpeg"),
}
FRAME_TIMEOUT = 120


def sized_thumbnail(files: FileStore, component_id: str, size: int) -> Tuple[Path, str]:
    """The stored file fitted within ``size`` x ``size``, cached; returns (path, media type).

    Raises ``RuntimeError`` when neither Pillow nor ffmpeg can read the file.
    """
    suffix = Path(str(files.info(component_id).get("file_name") or "")).suffix.lower()
    extension, image_format, media_type = THUMBNAIL_FORMATS.get(suffix, THUMBNAIL_FORMATS[".jpg"])
    source = files.path_for(component_id)
    cache = files.root / ".thumbnails"
    cache.mkdir(exist_ok=True)
    target = cache / f"{component_id}-{size}.{extension}"
    if target.is_file() and target.stat().st_mtime >= source.stat().st_mtime:
        return target, media_type
    image = _fitted(_open(source, cache), size, keep_alpha=image_format == "PNG")
    if image_format == "PNG":
        image = _paletted(image)
    tmp = cache / f"{component_id}-{size}.{uuid.uuid4().hex}.tmp"
    try:
        options = {"quality": 90} if image_format == "JPEG" else {}
        image.save(tmp, format=image_format, **options)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return target, media_type


def _open(source: Path, scratch: Path) -> Image.Image:
    """The still at ``source``, or the first frame of a movie (through ffmpeg)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(source) as image:
            image.load()
            return image
    except (UnidentifiedImageError, OSError, ValueError):
        pass
    frame = scratch / f"frame-{uuid.uuid4().hex}.png"
    try:
        result = subprocess.run(
            [ffmpeg_exe(), "-nostdin", "-y", "-v", "error", "-i", str(source),
             "-frames:v", "1", "-c:v", "png", "-f", "image2", str(frame)],
            capture_output=True, text=True, timeout=FRAME_TIMEOUT,
        )  # fmt: skip
        if result.returncode != 0 or not frame.is_file():
            tail = (result.stderr or "").strip().splitlines()[-3:]
            raise RuntimeError("ffmpeg could not read a frame: " + " / ".join(tail))
        with Image.open(frame) as image:
            image.load()
            return image
    finally:
        frame.unlink(missing_ok=True)


def _fitted(image: Image.Image, size: int, keep_alpha: bool) -> Image.Image:
    """``image`` in true colour, shrunk to fit within ``size`` x ``size`` (aspect kept)."""
    from PIL import Image

    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha and keep_alpha else "RGB")
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    image.info.clear()  # no dpi (pHYs), gamma or text chunks carried over
    return image


def _paletted(image: Image.Image) -> Image.Image:
    """``image`` reduced to an adaptive palette of up to 256 colours: median cut, then
    Floyd-Steinberg dithering so gradients do not band; fast octree when it has alpha (the one
    Pillow method that keeps alpha, written as a ``tRNS`` chunk)."""
    from PIL import Image

    if image.mode == "RGBA":
        return image.quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    palette = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    return image.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG)


@functools.lru_cache(maxsize=1)
def default_thumbnail() -> bytes:
    """ftrack's ``/img/thumbnail2.png``: what a client shows for an entity without a thumbnail
    (a neutral grey 300x300 PNG with a picture outline)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 300), (58, 60, 66))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((90, 105, 210, 195), radius=8, outline=(120, 124, 134), width=6)
    draw.polygon([(104, 182), (138, 140), (160, 166), (176, 150), (196, 182)], fill=(120, 124, 134))
    draw.ellipse((172, 118, 190, 136), fill=(120, 124, 134))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
