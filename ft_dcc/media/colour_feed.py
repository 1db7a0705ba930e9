"""Stream frames through an OCIO transform into the encoder: ffmpeg decode → numpy → ffmpeg.

One ffmpeg decodes the input (an image sequence or a movie) to float32 planes (``gbrpf32le``,
so values above 1.0 survive), :class:`~ft_dcc.media.colour.ColourTransform` makes each frame
display-referred in place, and the frames are written to the encoder's stdin as the same raw
format. Nothing is written to disk in between. Needs numpy (the ``colour`` extra, or the host's).
"""

from __future__ import annotations

import collections
import subprocess
import threading
from fractions import Fraction
from typing import IO, Any, Callable, Deque, List, Sequence, Tuple

from ft_dcc.exceptions import MediaError
from ft_dcc.media._fps import fps_arg
from ft_dcc.media.colour import INSTALL_HINT, ColourTransform
from ft_dcc.media.ffmpeg import _no_window, ffmpeg_executable

RAW_FORMAT = "gbrpf32le"  # ffmpeg's planar float RGB: plane order green, blue, red


def raw_input_arguments(size: Tuple[int, int], rate: Fraction) -> List[str]:
    """Encoder input arguments reading the transformed raw frames from stdin."""
    width, height = size
    return ["-f", "rawvideo", "-pix_fmt", RAW_FORMAT, "-s", f"{width}x{height}",
            "-framerate", fps_arg(rate), "-i", "pipe:0"]  # fmt: skip


def transformed_feed(
    decode_args: Sequence[str], size: Tuple[int, int], transform: ColourTransform, total: int
) -> Callable[[IO[bytes]], None]:
    """A feed for :func:`~ft_dcc.media.ffmpeg.run_ffmpeg`: decode ``decode_args`` (ffmpeg input
    arguments), transform every frame, write it to the encoder's stdin; MediaError when the
    decoder fails or gives a different number of frames than ``total``."""
    numpy = _numpy()

    def feed(sink: IO[bytes]) -> None:
        width, height = size
        frame_bytes = 3 * 4 * width * height
        command = [ffmpeg_executable(), "-hide_banner", "-nostdin", "-loglevel", "error",
                   *decode_args, "-map", "0:v:0", "-fps_mode", "passthrough",
                   "-f", "rawvideo", "-pix_fmt", RAW_FORMAT, "pipe:1"]  # fmt: skip
        decoder = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **_no_window()
        )
        errors = _drain(decoder.stderr)
        count = 0
        try:
            assert decoder.stdout is not None
            while True:
                data = decoder.stdout.read(frame_bytes)
                if len(data) < frame_bytes:
                    break
                planes = numpy.frombuffer(bytearray(data), dtype="<f4").reshape(3, -1)
                green, blue, red = planes[0], planes[1], planes[2]
                transform.apply_planar(red, green, blue, width, height)
                sink.write(planes.tobytes())
                count += 1
        finally:
            if decoder.poll() is None and count < total:
                decoder.kill()  # the encoder stopped reading: do not leave the decoder behind
            decoder.wait()
        if decoder.returncode != 0 or count != total:
            raise MediaError(
                f"Decoding the frames for the colour transform gave {count} of {total} frames"
                + (f": {' '.join(errors)[-400:]}" if errors else "."),
                hint="check that the input frames are complete and readable",
            )

    return feed


def _drain(stream: Any) -> Deque[str]:
    """Keep a pipe's last lines without blocking its writer."""
    tail: Deque[str] = collections.deque(maxlen=20)

    def read() -> None:
        for raw in stream:
            tail.append(raw.decode("utf-8", "replace").rstrip())

    threading.Thread(target=read, daemon=True).start()
    return tail


def _numpy() -> Any:
    try:
        import numpy
    except ImportError as error:
        raise MediaError("numpy is needed for the colour transform.", hint=INSTALL_HINT) from error
    return numpy
