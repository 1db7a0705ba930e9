"""``encode.quality``, ``encode.max_size`` and ``encode.sound`` change the review movie that
``ft-dcc publish`` uploads (a settings file as ``$FT_DCC_SETTINGS``, the real embedded server,
the movie downloaded and read by ffprobe)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from keys_helpers import publish_with, review_movie
from support import ffprobe, make_sequence, make_task, open_session
from support.audio import click_wav

from ft_dcc.media.encode import REVIEW_CRF
from ft_dcc.settings.keys import BY_NAME


def audio_streams(movie: Path) -> int:
    exe = shutil.which("ffprobe")
    assert exe
    out = subprocess.run(
        [exe, "-v", "error", "-select_streams", "a", "-show_entries", "stream=index",
         "-of", "csv=p=0", str(movie)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return len(out.split())


def test_encode_keys_change_the_published_movie(fresh_server: Any, tmp_path: Path) -> None:
    assert BY_NAME["encode.quality"].default == REVIEW_CRF  # the documented default is used
    with open_session(fresh_server, tmp_path) as session:
        task = make_task(session, fstart=1001, fend=1024, fps=24)
    frames = make_sequence(tmp_path / "frames", frames=24, start=1001, size="320x240")
    sound = click_wav(tmp_path / "click.wav", seconds=1.0)
    given = (str(frames), "--task", task, "--fps", "24", "--audio", str(sound))

    coarse = publish_with(fresh_server, tmp_path, "coarse",
                          {"encode.quality": 40, "encode.sound": False}, *given)  # fmt: skip
    fine = publish_with(fresh_server, tmp_path, "fine", {"encode.quality": 5}, *given)
    small = publish_with(fresh_server, tmp_path, "small", {"encode.max_size": "160x160"}, *given)

    coarse_movie = review_movie(fresh_server, coarse, tmp_path / "coarse.mp4")
    fine_movie = review_movie(fresh_server, fine, tmp_path / "fine.mp4")
    small_movie = review_movie(fresh_server, small, tmp_path / "small.mp4")
    # quality: the same 24 frames at CRF 5 take far more bytes than at CRF 40
    assert fine_movie.stat().st_size > 3 * coarse_movie.stat().st_size
    # sound: off for the coarse one, on (the default) for the others
    assert audio_streams(coarse_movie) == 0
    assert audio_streams(fine_movie) == 1 and audio_streams(small_movie) == 1
    # size: 320x240 fits inside 160x160 as 160x120; the others keep the input's size
    for movie, size in ((small_movie, (160, 120)), (fine_movie, (320, 240))):
        stream = ffprobe(movie)
        assert (stream["width"], stream["height"]) == size
        assert int(stream["nb_read_frames"]) == 24
    assert (small["capture"]["width"], small["capture"]["height"]) == (160, 120)
