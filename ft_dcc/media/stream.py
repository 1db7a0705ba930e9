"""Encode a review movie while its frames are still being captured.

:class:`StreamEncoder` takes frame files one by one as a capture writes them (:meth:`add`, safe
from any thread and never blocking) and pipes each into an ffmpeg already encoding (the
``image2pipe`` demuxer on its stdin), so encoding overlaps capturing. :meth:`finish` waits for
the last frame, adds the sound if any (a stream copy of the picture), verifies the frame count
and only then puts the movie at ``output``. Every guarantee of :mod:`ft_dcc.media.encode` holds:
the same filters and H.264 arguments (High, yuv420p, BT.709 tags, exact rational CFR, one output
frame per input frame) and ``+faststart``; a failed or short encode leaves nothing at ``output``.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
from fractions import Fraction
from pathlib import Path
from typing import IO, Any, Callable, List, Optional, Tuple, Union

from ft_dcc.exceptions import MediaError
from ft_dcc.media._fps import Fps, as_fraction, fps_arg
from ft_dcc.media.audio import AudioInput, audio_arguments
from ft_dcc.media.encode import (
    REVIEW_CRF,
    _h264_arguments,
    _partial_path,
    _video_filters,
    _write_verified,
    output_size,
)
from ft_dcc.media.ffmpeg import run_ffmpeg
from ft_dcc.media.probe import image_size

log = logging.getLogger(__name__)

_DONE = object()  # no more frames
_ABORT = object()  # stop: the capture failed

MediaProgress = Callable[[float, str], None]


class StreamEncoder:
    """An H.264 review encode of ``total`` frames fed one frame file at a time.

    ``size`` fits the picture in (width, height) as :func:`~ft_dcc.media.encode.encode_review`
    does. Use as a context manager (leaving it without :meth:`finish` aborts), or call
    :meth:`start`, :meth:`add` per frame in order, then :meth:`finish` or :meth:`abort`.
    """

    def __init__(
        self,
        output: Path,
        fps: Fps,
        total: int,
        *,
        size: Optional[Tuple[int, int]] = None,
        crf: int = REVIEW_CRF,
    ) -> None:
        if total < 1:
            raise MediaError("No frames to encode.", hint="capture at least one frame")
        self.output = Path(output)
        self.rate = as_fraction(fps)
        self.total = total
        self.size = size
        self.crf = crf
        self.added = 0  # frames handed over
        self.fed = 0  # frames ffmpeg has been given
        self._frames: queue.Queue = queue.Queue()
        self._failure: List[BaseException] = []
        self._picture = self.output.with_name(f".{self.output.stem}.picture.mp4")
        self._thread: Optional[threading.Thread] = None

    def __enter__(self) -> StreamEncoder:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        if self._thread is not None:
            self.abort()

    def start(self) -> StreamEncoder:
        """Start the encoder thread (ffmpeg starts with the first frame, whose size it needs)."""
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="ft_dcc-stream-encode", daemon=True)
        self._thread.start()
        return self

    def add(self, frame: Union[Path, str]) -> None:
        """Hand over the next frame file (complete on disk); it is encoded in the background."""
        self.added += 1
        self._frames.put(Path(frame))

    def finish(
        self, audio: Optional[AudioInput] = None, progress: Optional[MediaProgress] = None
    ) -> Path:
        """Wait for the encode of every added frame, add ``audio``, verify, return ``output``.
        :class:`MediaError` when ffmpeg failed or the frame count is not ``total``."""
        report = progress or (lambda fraction, message: None)
        report(0.0, f"finishing the encode of {self.added} streamed frames")
        self._frames.put(_DONE)
        try:
            _write_verified(
                lambda: self._complete(audio),
                self.output,
                self.total,
                what=f"Encoding {self.output.name} while capturing",
                hint="check that the capture wrote every frame",
            )
        finally:
            self._close()
        report(1.0, f"encoded {self.output.name}")
        return self.output

    def abort(self) -> None:
        """Stop ffmpeg and remove everything written so far (the capture failed)."""
        self._frames.put(_ABORT)
        self._close()
        partial = _partial_path(self.output)
        if partial.exists():
            partial.unlink()

    # -- the encoder thread --------------------------------------------------------------------

    def _run(self) -> None:
        try:
            first = self._frames.get()
            if not isinstance(first, Path):
                return  # aborted or finished before any frame: nothing to encode
            run_ffmpeg(self._arguments(first), what=f"Encoding {self.output.name}",
                       feed=self._feed(first))  # fmt: skip
        except BaseException as error:
            self._failure.append(error)

    def _arguments(self, first: Path) -> List[str]:
        source = image_size(first)
        out_size = output_size(source, self.size)
        filters = _video_filters(self.rate, source, out_size, self.total)
        return [
            "-xerror",
            "-f", "image2pipe", "-framerate", fps_arg(self.rate), "-i", "pipe:0",
            "-map", "0:v:0", "-an", "-sn", "-dn",
            "-vf", ",".join(filters),
            *_h264_arguments(self.rate, self.crf),
            "-movflags", "+faststart",
            "-f", "mp4", str(self._picture),
        ]  # fmt: skip

    def _feed(self, first: Path) -> Callable[[IO[bytes]], None]:
        def feed(sink: IO[bytes]) -> None:
            frame: Any = first
            count = 0
            while frame is not _DONE:
                if frame is _ABORT:
                    raise MediaError("The capture stopped: the streamed encode was abandoned.")
                count += 1
                if count > self.total:
                    raise MediaError(
                        f"The capture handed over more than the {self.total} frames expected.",
                        hint="publish the frame range the capture renders",
                    )
                sink.write(Path(frame).read_bytes())
                sink.flush()
                self.fed = count
                frame = self._frames.get()

        return feed

    # -- the calling thread --------------------------------------------------------------------

    def _complete(self, audio: Optional[AudioInput]) -> None:
        """Wait for the picture; put it (with ``audio``: one stream copy more) at the partial
        output, where :meth:`finish` verifies it."""
        assert self._thread is not None, "start() the encoder first"
        self._thread.join()
        if self._failure:
            raise self._failure[0]
        if not self._picture.is_file():
            raise MediaError("No frame was captured, so nothing was encoded.",
                             hint="check the capture's frame range")  # fmt: skip
        partial = _partial_path(self.output)
        if audio is None:
            os.replace(self._picture, partial)
            return
        duration = Fraction(self.total) / self.rate
        run_ffmpeg(
            ["-i", str(self._picture), "-i", str(audio.path), "-map", "0:v:0", "-c:v", "copy",
             *audio_arguments(1, audio.start, duration), "-sn", "-dn",
             "-movflags", "+faststart", "-f", "mp4", str(partial)],
            what=f"Adding the sound to {self.output.name}",
        )  # fmt: skip

    def _close(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._picture.exists():
            self._picture.unlink()
