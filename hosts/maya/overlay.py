"""A reviewer's drawing over the artist's Maya viewport: an image plane on the viewed camera,
visible on the drawing's frames only, removed again on hide.

``cmds.imagePlane(camera=, fileName=, name=)`` (Maya's imagePlane command: camera/fileName/name
are create flags) makes a transform and an imagePlane shape and returns both; the transform's
``visibility`` is keyed off before the first frame, on over ``first``..``last`` and off after
(a boolean attribute: its keys step). ``cmds.delete`` removes it and its keys.
"""

from __future__ import annotations

import logging
import re
from typing import List, Optional

from maya import cmds

from ft_dcc.host.overlay import NoteOverlay

log = logging.getLogger(__name__)

PREFIX = "ftDccNote_"


def viewed_camera() -> str:
    """The camera of the model panel with focus (else the first model panel)."""
    panel = cmds.getPanel(withFocus=True)
    if not panel or cmds.getPanel(typeOf=panel) != "modelPanel":
        panels = cmds.getPanel(type="modelPanel") or []
        if not panels:
            from ft_dcc.exceptions import FeedbackError

            raise FeedbackError("No viewport to draw over: open a model panel first.")
        panel = panels[0]
    return str(cmds.modelEditor(panel, q=True, camera=True))


def node_name(note_id: str) -> str:
    return PREFIX + re.sub(r"[^A-Za-z0-9_]", "_", note_id)


def show_overlay(overlay: NoteOverlay, camera: Optional[str] = None) -> str:
    """Lay ``overlay`` over ``camera`` (default: the viewed one) on its frames; the transform."""
    hide_overlay(overlay.note_id)
    transform, _shape = cmds.imagePlane(
        camera=camera or viewed_camera(),
        fileName=str(overlay.path),
        name=node_name(overlay.note_id),
    )
    for time, value in (
        (overlay.first - 1, 0.0),
        (overlay.first, 1.0),
        (overlay.last, 1.0),
        (overlay.last + 1, 0.0),
    ):
        cmds.setKeyframe(transform, attribute="visibility", time=time, value=value)
    log.info("drawing of note %s over frames %s-%s", overlay.note_id, overlay.first, overlay.last)
    return str(transform)


def hide_overlay(note_id: str) -> List[str]:
    """Remove the image plane of note ``note_id``'s drawing (if shown); the names removed."""
    name = node_name(note_id)
    if not cmds.objExists(name):
        return []
    cmds.delete(name)
    return [name]
