"""The script's sound for the review: its AudioRead node(s) mixed over the publish range.

An enabled AudioRead with a ``file`` plays the file's ``filebegintime`` range from its
``begintime`` on (knobs from Foundry's AudioRead reference guide). Foundry does not state
those knobs' unit; they are read as frames of the script's time line (Nuke's time unit),
:data:`RANGE_UNIT`, unverified in a live Nuke. The clips are mixed by
:func:`ft_dcc.media.audio.mix_clips` into one WAV whose sample 0 plays at the publish's first
frame. No AudioRead: no file, and the review has no sound track.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path
from typing import List, Optional, cast

import nuke

from ft_dcc.media.audio import SoundClip, mix_clips
from ft_dcc.publish.host_port import CaptureSpec

log = logging.getLogger(__name__)

RANGE_UNIT = "frames"


def audio_reads() -> List[nuke.Node]:
    """The script's enabled AudioRead nodes that name a file."""
    return [
        node
        for node in nuke.allNodes("AudioRead")
        if not node["disable"].value() and node["file"].value()
    ]


def _frames(value: float) -> Fraction:
    return Fraction(value).limit_denominator(1000)


def clip(node: nuke.Node, spec: CaptureSpec, script_fps: Fraction) -> SoundClip:
    """``node`` on the review's time line (its first frame is time 0)."""
    begin = _frames(node["begintime"].value(0))
    file_range = cast("nuke.Array_Knob", node["filebegintime"])  # AudioRead reference: an array
    file_begin, file_end = (_frames(v) for v in file_range.array())
    return SoundClip(
        path=Path(nuke.filename(node) or node["file"].value()),
        start=(begin - spec.frame_start) / spec.fps,
        source_start=file_begin / script_fps,
        source_end=file_end / script_fps if file_end > file_begin else None,
    )


def review_sound(spec: CaptureSpec, out_dir: Path, script_fps: Fraction) -> Optional[Path]:
    """The AudioReads mixed into ``out_dir/sound.wav``, or None for a script without sound."""
    nodes = audio_reads()
    if not nodes:
        return None
    clips = [clip(node, spec, script_fps) for node in nodes]
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    target = mix_clips(clips, Path(out_dir) / "sound.wav", Fraction(spec.frame_count) / spec.fps)
    log.info("mixed the sound of %s into %s", ", ".join(n.name() for n in nodes), target)
    return target
