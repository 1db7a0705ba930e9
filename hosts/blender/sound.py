"""The scene's sound for the review: its sound strips mixed down over the publish range.

Blender plays the Video Sequencer's sound strips with the scene; ``bpy.ops.sound.mixdown``
writes that mix from ``scene.frame_start`` to ``frame_end``, so sample 0 of the file plays at
the range's first frame. A scene without an audible sound strip (or with the scene's audio
muted) gives no file: the review then has no sound track, not a silent one.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import List, Optional

import bpy

from ft_dcc.exceptions import CaptureError

from .untyped import Scene, Strip

log = logging.getLogger(__name__)


def sound_strips(scene: Scene) -> List[Strip]:
    """The audible sound strips of ``scene`` (``strips_all`` in 4.4+, ``sequences_all`` before)."""
    editor = scene.sequence_editor
    if editor is None or not scene.use_audio:  # "Play Audio" off: the scene's sound is muted
        return []
    strips = editor.strips_all if hasattr(editor, "strips_all") else editor.sequences_all
    return [s for s in strips if s.type == "SOUND" and not s.mute]


def mixdown(scene: Scene, out_dir: Path) -> Optional[Path]:
    """Mix the scene's sound strips over its current frame range into ``out_dir/sound.wav``."""
    if not sound_strips(scene):
        return None
    target = Path(out_dir) / "sound.wav"
    result = bpy.ops.sound.mixdown(
        filepath=str(target), container="WAV", codec="PCM", format="S16", mixrate=48000
    )
    if result != {"FINISHED"} or not target.is_file():
        raise CaptureError(
            f"Blender could not mix the scene's sound down ({result}).",
            hint="check the sound strips' files, or mute them to publish without sound",
        )
    log.info("mixed %s sound strip(s) down to %s", len(sound_strips(scene)), target)
    return target
