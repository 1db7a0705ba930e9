"""A still's review image: one picture (PNG, JPEG, TIFF, EXR, PSD...) made browser-ready.

ffmpeg decodes the source (a PSD's flattened composite, a 16-bit TIFF, a float EXR) and writes
an 8-bit PNG at the source's full size: the ``ftrackreview-image`` the review page shows at fit
and at 1:1. Alpha is kept (the page draws it over a checkerboard) or flattened over black
(``flatten``). Scene-linear input goes through the same OCIO display/view as a sequence
(:class:`~ft_dcc.media.colour.ColourTransform`): ffmpeg decodes it to float planes, the
transform runs on them, ffmpeg writes the PNG from the transformed planes. Only ffmpeg is
needed (numpy and OpenColorIO too for a colour transform), so the core imports without Pillow.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import IO, TYPE_CHECKING, List, Optional

import attr

from ft_dcc.exceptions import MediaError
from ft_dcc.media.ffmpeg import run_captured, run_ffmpeg
from ft_dcc.media.image_header import png_size_and_format

if TYPE_CHECKING:  # pragma: no cover - types only
    from ft_dcc.media.colour import ColourTransform

#: the ftr_meta ``format`` of an ``ftrackreview-image`` (ftrack's ``encode_media`` writes it)
IMAGE_FORMAT = "image"
#: pixel formats (ffmpeg's names) that carry an alpha channel
_ALPHA = re.compile(r"^(rgba|bgra|argb|abgr|gbrap|ya\d|yuva|pal8)")


@attr.s(frozen=True, auto_attribs=True)
class StillInfo:
    """What a still image is: its size, ffmpeg's pixel format and codec, and whether it has
    an alpha channel."""

    width: int
    height: int
    pixel_format: str
    codec: str

    @property
    def has_alpha(self) -> bool:
        return bool(_ALPHA.match(self.pixel_format))

    def ftr_meta(self) -> dict:
        """The ``ftr_meta`` of its ``ftrackreview-image``, as ftrack stores it."""
        return {"format": IMAGE_FORMAT, "width": self.width, "height": self.height}


_STREAM = re.compile(r"Video: (\w+)[^,]*, (\w+)")
_SIZE = re.compile(r"\b(\d{1,6})x(\d{1,6})\b")


def still_info(path: Path) -> StillInfo:
    """Size, pixel format and codec of the image ``path``, read with ffmpeg; MediaError when
    ffmpeg cannot read it as a picture."""
    path = Path(path)
    if not path.is_file():
        raise MediaError(f"The image {path} does not exist.", hint="check the path")
    result = run_captured(["-hide_banner", "-nostdin", "-i", str(path)])
    said = result.stderr.decode("utf-8", "replace")
    for line in said.splitlines():
        if "Video:" not in line:
            continue
        stream, size = _STREAM.search(line), _SIZE.search(line.split("Video:", 1)[1])
        if stream and size:
            return StillInfo(int(size.group(1)), int(size.group(2)), stream.group(2),
                             stream.group(1))  # fmt: skip
    raise MediaError(
        f"{path.name} is not an image ffmpeg can read.",
        hint="save it as PNG, JPEG, TIFF or EXR (a PSD must hold a flattened composite: save "
        "it with 'Maximize compatibility')",
    )


def encode_review_image(
    source: Path,
    output: Path,
    *,
    colour: Optional[ColourTransform] = None,
    flatten: bool = False,
) -> StillInfo:
    """Write ``source``'s review PNG to ``output`` (through ``colour`` when given; alpha
    flattened over black when ``flatten``); return what was written."""
    source, output = Path(source), Path(output)
    info = still_info(source)
    alpha = info.has_alpha and not flatten
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.partial.png")
    target = "rgba" if alpha else "rgb24"
    flattening = ["premultiply=inplace=1"] if info.has_alpha and flatten else []
    try:
        if colour is None:
            filters = ",".join([*_rgba(info), *flattening, f"format={target}"])
            run_ffmpeg(
                ["-i", str(source), "-map", "0:v:0", "-frames:v", "1", "-vf", filters,
                 *_png(partial)],
                what=f"Making the review image of {source.name}",
            )  # fmt: skip
        else:
            _transformed(source, partial, info, colour, flattening, target)
        os.replace(partial, output)
    finally:
        if partial.exists():
            partial.unlink()
    return _written_info(output)


def _written_info(path: Path) -> StillInfo:
    """What the review PNG just written is: ffmpeg wrote an 8-bit RGB(A) PNG, whose header
    says its size and pixel format (as ffmpeg reads them); anything else is read by ffmpeg."""
    header = png_size_and_format(str(path))
    if header is None:
        return still_info(path)
    return StillInfo(*header, "png")


def _rgba(info: StillInfo) -> List[str]:
    """Filters bringing any source format to full-range RGB(A) first (JPEG's YUV included)."""
    return ["format=rgba" if info.has_alpha else "format=rgb48le"]


def _png(path: Path) -> List[str]:
    return ["-update", "1", "-c:v", "png", "-f", "image2", str(path)]


def _transformed(
    source: Path, output: Path, info: StillInfo, colour: ColourTransform,
    flattening: List[str], target: str,
) -> None:  # fmt: skip
    """Decode to float planes, run ``colour`` on them, write the PNG from the result."""
    from ft_dcc.media.colour_feed import _numpy

    numpy = _numpy()
    raw = "gbrapf32le" if info.has_alpha else "gbrpf32le"
    planes_count = 4 if info.has_alpha else 3
    decoded = run_captured(
        ["-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(source),
         "-map", "0:v:0", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", raw, "pipe:1"]
    )  # fmt: skip
    expected = planes_count * 4 * info.width * info.height
    if decoded.returncode != 0 or len(decoded.stdout) != expected:
        raise MediaError(
            f"Decoding {source.name} for the colour transform failed: "
            + decoded.stderr.decode("utf-8", "replace")[-400:],
            hint="check that the image is complete and readable",
        )
    planes = numpy.frombuffer(bytearray(decoded.stdout), dtype="<f4").reshape(planes_count, -1)
    del decoded
    colour.apply_planar(planes[2], planes[0], planes[1], info.width, info.height)
    pixels = planes.tobytes()
    del planes

    def feed(sink: IO[bytes]) -> None:
        sink.write(pixels)

    filters = ",".join([*flattening, f"format={target}"])
    run_ffmpeg(
        ["-f", "rawvideo", "-pix_fmt", raw, "-s", f"{info.width}x{info.height}", "-i", "pipe:0",
         "-frames:v", "1", "-vf", filters, *_png(output)],
        what=f"Making the review image of {source.name}", feed=feed,
    )  # fmt: skip
