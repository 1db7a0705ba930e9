"""Capture a playblast in Maya: PNG frames through the chosen camera, with the scene's view
transform baked in (``colour.py``) and the timeline's sound mixed (``sound.py``); then put the
panel's camera, the colour settings and the current time back, even when the playblast fails.

On Linux ``playblast`` only offers image sequences (movie formats are platform dependent), so the
capture is always ``format="image", compression="png"``; ft_dcc.media encodes the movie.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path
from typing import Callable, Dict, List, Optional, Union

from maya import cmds

from ft_dcc.exceptions import CaptureError
from ft_dcc.progress import Progress, null_progress
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec

from . import colour, scene
from . import sound as sound_module

log = logging.getLogger(__name__)

FRAME_PREFIX = "playblast"
FRAME_PADDING = 4
#: modelEditor flags that make the panel's look, recorded with the capture (the playblast uses
#: the panel as it is)
PANEL_LOOK = ("displayAppearance", "displayLights", "displayTextures", "wireframeOnShaded")


def display_options() -> JsonObject:
    """What the capture will look like, recorded with the publish (no UI query in batch)."""
    options: JsonObject = {
        "method": "playblast",
        "format": "png",
        "offscreen": True,
    }
    if not scene.is_batch():
        panel = scene.active_model_panel()
        if panel is not None:
            options["panel"] = panel
            options["isolated"] = bool(cmds.modelEditor(panel, q=True, viewSelected=True))
            for flag in PANEL_LOOK:  # the panel's display appearance, as the artist set it
                options[flag] = cmds.modelEditor(panel, q=True, **{flag: True})
    options["colour"] = colour.colour_settings()
    return options


#: ``capture.shading`` as modelEditor flags (Maya 2025: displayAppearance "wireframe" /
#: "smoothShaded", displayTextures on for the materials' textures); "scene" changes nothing
SHADING_FLAGS: Dict[str, Dict[str, Union[str, bool]]] = {
    "scene": {},
    "wireframe": {"displayAppearance": "wireframe"},
    "solid": {"displayAppearance": "smoothShaded", "displayTextures": False},
    "material": {"displayAppearance": "smoothShaded", "displayTextures": True},
}
#: what ``capture.overlays`` false turns off in the panel (true: the panel's own choice)
OVERLAY_FLAGS = ("grid", "manipulators", "selectionHiliteDisplay")


def panel_edits(spec: CaptureSpec) -> Dict[str, Union[str, bool]]:
    """The modelEditor flags the capture sets on its panel (and puts back after)."""
    viewport = spec.viewport()
    edits = dict(SHADING_FLAGS.get(str(viewport["shading"]), {}))
    if not viewport["overlays"]:
        edits.update({flag: False for flag in OVERLAY_FLAGS})
    edits["headsUpDisplay"] = bool(viewport["hud"])
    return edits


def _apply_panel_look(restorer: _Restorer, panel: str, spec: CaptureSpec) -> None:
    for flag, value in panel_edits(spec).items():
        previous = cmds.modelEditor(panel, q=True, **{flag: True})
        if previous == value:
            continue
        cmds.modelEditor(panel, e=True, **{flag: value})
        restorer.add(functools.partial(cmds.modelEditor, panel, e=True, **{flag: previous}))


def playblast_flags(spec: CaptureSpec, prefix: Path, panel: Optional[str]) -> Dict[str, object]:
    """The ``cmds.playblast`` flags for ``spec`` (Maya 2025 long names)."""
    flags: Dict[str, object] = {
        "format": "image",
        "compression": "png",
        "filename": str(prefix),
        "startTime": spec.frame_start,
        "endTime": spec.frame_end,
        "widthHeight": (int(spec.width), int(spec.height)),
        "percent": 100,
        "quality": 100,
        "viewer": False,
        "showOrnaments": bool(spec.viewport()["hud"]),  # the HUD and the view's ornaments
        "offScreen": True,
        "forceOverwrite": True,
        "framePadding": FRAME_PADDING,
        "clearCache": True,
    }
    if panel is not None:
        flags["editorPanelName"] = panel
    return flags


def frame_files(prefix: Path, spec: CaptureSpec) -> List[Path]:
    """The files ``playblast`` writes: ``<prefix>.<frame:04d>.png`` for each frame."""
    return [
        Path(f"{prefix}.{frame:0{FRAME_PADDING}d}.png")
        for frame in range(spec.frame_start, spec.frame_end + 1)
    ]


def numbered_files(prefix: Path, spec: CaptureSpec) -> List[Path]:
    """The playblast frames however Maya numbered them (``<prefix>.<digits>.png``), in order;
    empty unless there is exactly one file per frame."""
    pattern = re.compile(re.escape(prefix.name) + r"\.(\d+)\.png$")
    found = sorted(
        (int(match.group(1)), path)
        for path in prefix.parent.iterdir()
        if (match := pattern.match(path.name))
    )
    if len(found) != spec.frame_count:
        return []
    return [path for _, path in found]


class _Restorer:
    """Undo actions run in reverse order; one failure never stops the others."""

    def __init__(self) -> None:
        self._actions: List[Callable[[], object]] = []

    def add(self, action: Callable[[], object]) -> None:
        self._actions.append(action)

    def restore(self) -> List[str]:
        failures = []
        for action in reversed(self._actions):
            try:
                action()
            except Exception as exc:
                failures.append(str(exc))
        self._actions.clear()
        return failures


def _look_through(restorer: _Restorer, panel: str, camera: str) -> None:
    previous = cmds.modelEditor(panel, q=True, camera=True)
    if previous and scene.camera_transform(previous) == camera:
        return
    cmds.modelEditor(panel, e=True, camera=camera)
    if previous:
        restorer.add(lambda: cmds.modelEditor(panel, e=True, camera=previous))


def _check_camera(spec: CaptureSpec) -> Optional[str]:
    if spec.camera is None:
        return None
    known = scene.cameras()
    camera = scene.camera_transform(spec.camera)
    if camera not in known:
        raise CaptureError(
            f"There is no camera called {spec.camera!r} in the scene "
            f"(cameras: {', '.join(known) or 'none'}).",
            hint="pick one of the scene's cameras",
        )
    return camera


def _prepare_panel(
    restorer: _Restorer, spec: CaptureSpec, camera: Optional[str], progress: Progress
) -> Optional[str]:
    """The model panel to playblast from, looking through ``camera`` with the spec's look (the
    restorer puts it back); None in batch mode, which has no panels."""
    if scene.is_batch():
        # mayapy has no panels: the camera cannot be chosen with UI commands (unverified in
        # real Maya which view a batch playblast uses; see the Maya adapter's report).
        log.warning("batch mode: playblasting without a model panel (camera %s)", camera)
        if spec.viewport()["shading"] != "scene":
            log.warning("batch mode: capture.shading needs a model panel; not applied")
        return None
    panel = scene.active_model_panel()
    if panel is None:
        raise CaptureError(
            "There is no model panel (3D view) to playblast from.",
            hint="open a perspective/camera view (Panels > Perspective) and try again",
        )
    if camera is not None:
        _look_through(restorer, panel, camera)
    if cmds.modelEditor(panel, q=True, viewSelected=True):
        # Isolate Select is left as the artist set it: re-enabling it would isolate the
        # current selection, not the artist's set. The review shows what they see.
        log.warning("%s has Isolate Select on: the playblast shows only those", panel)
        progress("capture", 0.0, f"Isolate Select is on in {panel}")
    _apply_panel_look(restorer, panel, spec)
    return panel


def _written_frames(prefix: Path, spec: CaptureSpec, result: object) -> List[Path]:
    """The frame files the playblast (which returned ``result``) wrote, one per frame."""
    if not result:
        raise CaptureError(
            "Maya's playblast was cancelled or wrote nothing.",
            hint="let the playblast run to the end, then publish again",
        )
    files = frame_files(prefix, spec)
    missing = [f.name for f in files if not f.is_file()]
    if missing and numbered_files(prefix, spec):
        # Maya numbered the frames differently (e.g. from 0): one file per frame is enough.
        files, missing = numbered_files(prefix, spec), []
    if missing:
        raise CaptureError(
            f"Maya wrote {len(files) - len(missing)} of {len(files)} playblast frames "
            f"(first missing: {missing[0]}; playblast returned {result}).",
            hint="check the disk space and Maya's script editor for playblast errors",
        )
    return files


def capture(spec: CaptureSpec, out_dir: Path, progress: Progress = null_progress) -> CaptureResult:
    """Playblast ``spec`` into ``out_dir`` and return the frame files, in order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / FRAME_PREFIX
    camera = _check_camera(spec)
    restorer = _Restorer()
    progress("capture", 0.0, f"{spec.frame_count} frames from {camera or 'the current view'}")
    saved_time = cmds.currentTime(q=True)
    restorer.add(lambda: cmds.currentTime(saved_time, edit=True))
    try:
        panel = _prepare_panel(restorer, spec, camera, progress)
        colour.follow_view_transform(restorer.add)
        result = cmds.playblast(**playblast_flags(spec, prefix, panel))
    except (RuntimeError, TypeError, ValueError) as exc:
        raise CaptureError(
            f"Maya could not playblast frames {spec.frame_start}-{spec.frame_end}: {exc}",
            hint="check the camera, the frame range and the free disk space, then try again",
        ) from exc
    finally:
        failures = restorer.restore()
        if failures:
            log.warning("could not restore the view after the playblast: %s", "; ".join(failures))
    files = _written_frames(prefix, spec, result)
    audio = sound_module.review_sound(spec, out_dir)
    progress("capture", 1.0, f"{len(files)} frames captured" + (" with sound" if audio else ""))
    return CaptureResult(
        files=tuple(files),
        first_frame=spec.frame_start,
        audio=audio,
        audio_start_frame=spec.frame_start if audio else None,
    )
