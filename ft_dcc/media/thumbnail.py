"""JPEG thumbnails of an image, a frame of a sequence, or a frame of a movie."""

from __future__ import annotations

import os
from pathlib import Path
from typing import List, Optional

from ft_dcc.exceptions import MediaError
from ft_dcc.media.ffmpeg import run_ffmpeg
from ft_dcc.media.probe import MovieInfo, probe_movie
from ft_dcc.media.sequence import FrameSequence, is_movie


def make_thumbnail(
    source: Path,
    output: Path,
    *,
    frame: Optional[int] = None,
    max_width: int = 640,
    info: Optional[MovieInfo] = None,
) -> Path:
    """Write a JPEG of ``source`` to ``output``, at most ``max_width`` wide (aspect kept).

    For a movie, ``frame`` is the 0-based index of the frame to show (the middle one by
    default). For a sequence pattern (or one of its frames), ``frame`` is a frame number (the
    middle existing frame by default). A single image is used as it is. ``info`` is the
    movie's :class:`MovieInfo` when the caller has already probed it.
    """
    source, output = Path(source), Path(output)
    if max_width < 1:
        raise MediaError(f"max_width must be positive, got {max_width}.", hint="give e.g. 640")
    # JPEG is full-range BT.601. Resize, go through RGB (decoding with the source's own
    # matrix), then convert to JPEG's matrix explicitly: the same on ffmpeg 5.1, 7 and 9.
    scale = (
        f"scale='min(iw,{int(max_width)})':-1:flags=bicubic+accurate_rnd+full_chroma_int,"
        "format=rgb24,"
        "scale=out_color_matrix=bt601:out_range=pc:flags=accurate_rnd+full_chroma_int,"
        "format=yuvj420p"
    )
    if is_movie(source):
        args = _movie_frame_input(source, frame, info or probe_movie(source), scale)
    else:
        args = ["-i", str(_image_for(source, frame)), "-vf", scale]
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.partial.jpg")
    args += [
        "-frames:v",
        "1",
        "-update",
        "1",
        "-c:v",
        "mjpeg",
        "-pix_fmt",
        "yuvj420p",
        "-q:v",
        "3",
        "-f",
        "image2",
        str(partial),
    ]
    try:
        run_ffmpeg(args, what=f"Making the thumbnail {output.name}")
        if not partial.is_file() or partial.stat().st_size == 0:
            raise MediaError(
                f"ffmpeg wrote no thumbnail for {source}.",
                hint="check that the source has a picture at that frame",
            )
        os.replace(partial, output)
    finally:
        if partial.exists():
            partial.unlink()
    return output


def _movie_frame_input(
    source: Path, frame: Optional[int], info: MovieInfo, scale: str
) -> List[str]:
    """ffmpeg's input arguments for frame index ``frame`` of the movie ``source`` (the middle
    one by default), scaled by the filter ``scale``."""
    index = info.frame_count // 2 if frame is None else int(frame)
    if not 0 <= index < info.frame_count:
        raise MediaError(
            f"{source} has {info.frame_count} frames; frame index {index} is outside it.",
            hint=f"choose an index from 0 to {info.frame_count - 1}",
        )
    if info.constant_frame_rate and index > 0:
        # seek straight to the frame (long edits): half a frame early, then take the next
        seconds = (index - 0.5) / float(info.fps)
        return ["-ss", f"{seconds:.6f}", "-i", str(source), "-map", "0:v:0", "-vf", scale]
    return ["-i", str(source), "-map", "0:v:0", "-vf", f"select=eq(n\\,{index}),{scale}"]


def _image_for(source: Path, frame: Optional[int]) -> Path:
    if source.is_file() and frame is None:
        return source
    try:
        sequence = FrameSequence.from_path(source)
    except MediaError:
        if source.is_file():
            return source
        raise
    if frame is None:
        return sequence.files()[len(sequence.frames) // 2]
    if frame not in sequence.frames:
        raise MediaError(
            f"Frame {frame} of {sequence.hash_pattern} does not exist.",
            hint=f"choose a frame from {sequence.first} to {sequence.last}",
        )
    return sequence.path_for(frame)
