"""The pictures of an export: review movies, stills and drawings fetched from the server, and each
annotated frame as a PNG (the frame taken from the review movie with ffmpeg, the note's drawings
laid over it at the movie's size); a still's note shows the still itself with its drawings."""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path
from typing import List, Sequence

from ft_dcc.exceptions import ApiConnectionError, MediaError
from ft_dcc.media.ffmpeg import run_ffmpeg
from ft_dcc.media.probe import MovieInfo
from ft_dcc.protocol import HEADER_API_KEY, HEADER_USER
from ft_dcc.session.interface import ServerLogin

log = logging.getLogger(__name__)

#: the widest frame image the report shows (pixels; narrower movies keep their size)
MAX_WIDTH = 1280
CHUNK = 1 << 20


def component_download_url(server_url: str, component_id: str) -> str:
    """Where a component of ``ftrack.server`` is downloaded (credentials go in headers)."""
    return f"{server_url.rstrip('/')}/component/get?id={component_id}"


def download(session: ServerLogin, component_id: str, target: Path) -> Path:
    """Fetch the component ``component_id`` to ``target`` (written whole or not at all)."""
    import requests

    url = component_download_url(str(session.server_url), component_id)
    headers = {HEADER_USER: str(session.api_user), HEADER_API_KEY: str(session.api_key)}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with requests.get(url, headers=headers, timeout=120, stream=True) as response:
            if response.status_code != 200:
                raise ApiConnectionError(
                    f"the server answered {response.status_code} for component {component_id}",
                    hint="check that the version's media is still on the server",
                )
            with open(partial, "wb") as handle:
                for chunk in response.iter_content(CHUNK):
                    handle.write(chunk)
        os.replace(partial, target)
    except requests.RequestException as exc:
        raise ApiConnectionError(
            f"could not download component {component_id}: {exc}",
            hint="check that the ftrack server is reachable",
        ) from None
    finally:
        if partial.exists():
            partial.unlink()
    return target


def _size(info: MovieInfo) -> str:
    width = min(info.width, MAX_WIDTH)
    height = round(info.height * width / info.width / 2) * 2
    return f"{width}:{max(height, 2)}"


def _graph(pick: str, size: str, drawings: int) -> List[str]:
    """The filter graph: input 0's picture (``pick``) at ``size``, each drawing laid over it."""
    scale = f"scale={size}:flags=bicubic+accurate_rnd+full_chroma_int"
    graph = [f"[0:v]{pick},{scale},format=rgba[f0]"]
    for number in range(1, drawings + 1):
        graph.append(f"[{number}:v]scale={size},format=rgba[d{number}]")
        graph.append(f"[f{number - 1}][d{number}]overlay=0:0:format=auto[f{number}]")
    graph.append(f"[f{drawings}]format=rgb24[out]")
    return graph


def _write_picture(args: List[str], graph: List[str], output: Path, what: str) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.stem}.partial.png")
    args = [*args, "-filter_complex", ";".join(graph), "-map", "[out]", "-frames:v", "1",
            "-update", "1", "-c:v", "png", "-f", "image2", str(partial)]
    try:
        run_ffmpeg(args, what=what)
        if not partial.is_file() or partial.stat().st_size == 0:
            raise MediaError(f"ffmpeg wrote no picture: {what}.")
        os.replace(partial, output)
    finally:
        if partial.exists():
            partial.unlink()
    return output


def still_image(
    still: Path, width: int, height: int, drawings: Sequence[Path], output: Path
) -> Path:
    """Write the still ``still`` (``width`` x ``height``) as a PNG with ``drawings`` over it
    (each drawn in the picture's own pixels, so scaled to it), at most MAX_WIDTH wide."""
    if width <= 0 or height <= 0:
        raise MediaError(f"{still.name} does not say its size (its ftr_meta has no width/height).")
    shown = min(width, MAX_WIDTH)
    size = f"{shown}:{max(round(height * shown / width / 2) * 2, 2)}"
    args: List[str] = ["-i", str(still)]
    for drawing in drawings:
        args += ["-i", str(drawing)]
    return _write_picture(args, _graph("null", size, len(drawings)), output,
                          f"Drawing the notes over {still.name}")  # fmt: skip


def frame_image(
    movie: Path, info: MovieInfo, index: int, drawings: Sequence[Path], output: Path
) -> Path:
    """Write picture ``index`` (0-based) of ``movie`` as a PNG with ``drawings`` over it."""
    if not 0 <= index < info.frame_count:
        raise MediaError(
            f"{movie.name} has {info.frame_count} frames; picture {index} is outside it.",
            hint="the note's frame is outside the version's review movie",
        )
    size = _size(info)
    args: List[str] = []
    if info.constant_frame_rate and index > 0:  # seek half a frame early, take the next one
        args += ["-ss", f"{(index - 0.5) / float(info.fps):.6f}", "-i", str(movie)]
        pick = "null"
    else:
        args += ["-i", str(movie)]
        pick = f"select=eq(n\\,{index})"
    for drawing in drawings:
        args += ["-i", str(drawing)]
    return _write_picture(args, _graph(pick, size, len(drawings)), output,
                          f"Taking frame {index} of {movie.name}")  # fmt: skip
