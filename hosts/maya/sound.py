"""The timeline's sound for the review: Maya's audio node(s) mixed over the publish range.

In the UI the time slider plays one audio node (``timeControl($gPlayBackSlider, q=True,
sound=True)``); mayapy has no time slider, so there every unmuted audio node of the scene
(``ls(type="audio")``) is taken. Each node plays its file from ``sourceStart`` to ``sourceEnd``
(times into the file) starting at ``offset`` (scene time), all in the current time unit; the
clips are mixed by :func:`ft_dcc.media.audio.mix_clips` into one WAV whose sample 0 plays at
the publish's first frame. No audible node: no file, and the review has no sound track.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path
from typing import List, Optional

from maya import cmds, mel

from ft_dcc.media.audio import SoundClip, mix_clips
from ft_dcc.publish.host_port import CaptureSpec

from . import scene

log = logging.getLogger(__name__)


def timeline_sounds() -> List[str]:
    """The audio nodes the artist hears with the timeline (unmuted)."""
    if scene.is_batch():
        nodes = list(cmds.ls(type="audio") or [])
    else:
        slider = mel.eval("$ft_dcc_slider = $gPlayBackSlider")
        node = cmds.timeControl(slider, q=True, sound=True)
        nodes = [node] if node else []
    return [node for node in nodes if not cmds.sound(node, q=True, mute=True)]


def clip(node: str, spec: CaptureSpec, unit_fps: Fraction) -> SoundClip:
    """``node`` on the review's time line (its first frame is time 0)."""

    def query(flag: str) -> Fraction:
        value = cmds.sound(node, q=True, **{flag: True})
        return Fraction(value).limit_denominator(1000) / unit_fps

    offset = Fraction(cmds.sound(node, q=True, offset=True)).limit_denominator(1000)
    return SoundClip(
        path=Path(cmds.sound(node, q=True, file=True)),
        start=(offset - spec.frame_start) / spec.fps,
        source_start=query("sourceStart"),
        source_end=query("sourceEnd"),
    )


def review_sound(spec: CaptureSpec, out_dir: Path) -> Optional[Path]:
    """The timeline's sound mixed into ``out_dir/sound.wav``, or None for a silent scene."""
    nodes = timeline_sounds()
    if not nodes:
        return None
    unit_fps = scene.fps()
    clips = [clip(node, spec, unit_fps) for node in nodes]
    target = mix_clips(clips, Path(out_dir) / "sound.wav", Fraction(spec.frame_count) / spec.fps)
    log.info("mixed the sound of %s into %s", ", ".join(nodes), target)
    return target
