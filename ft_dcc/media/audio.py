"""Sound for review movies: an AAC track placed on the picture's time line, cut or padded to it.

A host gives a sound file and the movie time at which its first sample plays
(:class:`AudioInput`); a sound that starts before the movie is cut, one that starts later is
delayed with silence, and the track always ends with the last frame. No sound, no track.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import List, Optional, Sequence

import attr

AAC = ["-c:a", "aac", "-b:a", "192k"]


@attr.s(frozen=True, auto_attribs=True)
class AudioInput:
    """A sound file whose first sample plays at ``start`` seconds of the movie (may be < 0)."""

    path: Path
    start: Fraction = Fraction(0)


def fitted_audio_filter(start: Fraction, duration: Fraction) -> str:
    """An audio filter putting sample 0 at ``start`` seconds, ending at ``duration``."""
    if start > 0:
        placed = f"adelay=delays={float(start) * 1000:.3f}:all=1"
    elif start < 0:
        placed = f"atrim=start={float(-start):.6f},asetpts=PTS-STARTPTS"
    else:
        placed = "anull"
    return f"{placed},apad,atrim=end={float(duration):.6f}"


def audio_arguments(index: int, start: Fraction, duration: Fraction) -> List[str]:
    """Map input ``index``'s first sound stream as AAC placed by :func:`fitted_audio_filter`."""
    return ["-map", f"{index}:a:0", *AAC, "-af", fitted_audio_filter(start, duration)]


@attr.s(frozen=True, auto_attribs=True)
class SoundClip:
    """A stretch of a sound file on a time line: the file's ``source_start`` seconds (to
    ``source_end``, or its end) play from ``start`` seconds of the movie (``start`` may be < 0).
    A DCC's audio node (Maya's ``audio``, Nuke's ``AudioRead``) is one clip."""

    path: Path
    start: Fraction = Fraction(0)
    source_start: Fraction = Fraction(0)
    source_end: Optional[Fraction] = None


def clip_filter(index: int, clip: SoundClip, duration: Fraction) -> str:
    """The filter chain putting input ``index`` (one clip) on a ``duration``-long time line."""
    trim = f"atrim=start={float(clip.source_start):.6f}"
    if clip.source_end is not None:
        trim += f":end={float(clip.source_end):.6f}"
    return (
        f"[{index}:a:0]{trim},asetpts=PTS-STARTPTS,"
        "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,"
        f"{fitted_audio_filter(clip.start, duration)}[a{index}]"
    )


def mix_clips(clips: Sequence[SoundClip], output: Path, duration: Fraction) -> Path:
    """Mix ``clips`` (each placed at its start, trimmed to its source range) into one 48 kHz
    stereo WAV of ``duration`` seconds whose sample 0 plays at movie time 0. Clips are summed
    at their own level (no normalisation), as a DCC plays them together."""
    from ft_dcc.media.ffmpeg import run_ffmpeg

    inputs: List[str] = []
    for clip in clips:
        inputs += ["-i", str(clip.path)]
    chains = [clip_filter(index, clip, duration) for index, clip in enumerate(clips)]
    labels = "".join(f"[a{index}]" for index in range(len(clips)))
    graph = ";".join([*chains, f"{labels}amix=inputs={len(clips)}:normalize=0[mix]"])
    run_ffmpeg(
        [*inputs, "-filter_complex", graph, "-map", "[mix]", "-c:a", "pcm_s16le", str(output)],
        what=f"Mixing {len(clips)} sound clip(s)",
    )
    return output
