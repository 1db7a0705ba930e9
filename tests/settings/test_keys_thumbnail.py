"""``thumbnail.frame`` chooses the frame the published thumbnail shows: frames that encode their
own number (tests/web/frame_code.py) are published by ``ft-dcc publish`` with a settings file,
and the thumbnail downloaded from the server is decoded; ``--thumbnail-frame`` still wins."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any, List, Optional, Tuple

import imageio_ffmpeg
from keys_helpers import publish_with
from support import download_component, make_task, open_session
from web.frame_code import CENTRES, FIRST, FRAMES, SIZE, coded_frames, decode_levels


def picture_code(image: Path) -> Optional[Tuple[int, int]]:
    """(version, frame) a picture file shows, read at the code's block centres."""
    out = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-i", str(image),
         "-vf", f"scale={SIZE[0]}:{SIZE[1]}", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    row = SIZE[1] // 2
    levels: List[int] = [out[row * SIZE[0] + int(c * SIZE[0])] for c in CENTRES]
    return decode_levels(levels)


def test_thumbnail_frame_rule_picks_the_thumbnail(fresh_server: Any, tmp_path: Path) -> None:
    last = FIRST + FRAMES - 1
    with open_session(fresh_server, tmp_path) as session:
        task = make_task(session, fstart=FIRST, fend=last, fps=24)
    pattern = coded_frames(tmp_path / "frames", version=1)
    given = (str(pattern), "--task", task, "--fps", "24")

    shown = {}
    for rule, extra in (("first", ()), ("last", ()), ("last", ("--thumbnail-frame", "1010"))):
        report = publish_with(fresh_server, tmp_path, rule, {"thumbnail.frame": rule},
                              *given, *extra)  # fmt: skip
        thumb = download_component(
            fresh_server, report["component_ids"]["thumbnail"], tmp_path / f"{rule}{extra}.jpg"
        )
        shown[(rule, extra)] = picture_code(thumb)
    assert shown[("first", ())] == (1, FIRST)
    assert shown[("last", ())] == (1, last)
    assert shown[("last", ("--thumbnail-frame", "1010"))] == (1, 1010)  # the artist's choice
