"""A click in a sound file, and where a published movie's decoded sound has it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Optional, Tuple

from ft_dcc.media.ffmpeg import ffmpeg_executable

FPS, CLICK_FRAME, RATE = 24, 12, 48000


def click_wav(path: Path, seconds: float = 2.0) -> Path:
    """Silence with one 5 ms full-scale click at ``CLICK_FRAME / FPS`` seconds."""
    at = CLICK_FRAME / FPS
    graph = (
        f"aevalsrc='if(between(t,{at},{at + 0.005}),0.9*sin(2*PI*1000*t),0)':s={RATE}:d={seconds}"
    )
    subprocess.run(
        [ffmpeg_executable(), "-loglevel", "error", "-f", "lavfi", "-i", graph, str(path)],
        check=True,
    )
    return path


def decoded_click(movie: Path) -> Optional[Tuple[float, float]]:
    """(seconds to the first loud sample, the sound's length) of ``movie``; None without sound."""
    import numpy

    probe = subprocess.run([ffmpeg_executable(), "-hide_banner", "-i", str(movie)],
                           capture_output=True, text=True, check=False)  # fmt: skip
    if "Audio:" not in probe.stderr:
        return None
    result = subprocess.run(
        [ffmpeg_executable(), "-loglevel", "error", "-i", str(movie), "-map", "0:a:0",
         "-ac", "1", "-ar", str(RATE), "-f", "s16le", "pipe:1"],
        capture_output=True, check=True,
    )  # fmt: skip
    samples = numpy.frombuffer(result.stdout, dtype="<i2")
    loud = numpy.nonzero(numpy.abs(samples) > 8000)[0]
    assert loud.size, "the click is missing from the published sound"
    return float(loud[0]) / RATE, samples.size / RATE
