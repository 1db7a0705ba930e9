"""A reviewer's drawing over the artist's Nuke Viewer, on the drawing's frames only, removed again
on hide with the Viewer's input put back as it was.

Per drawing: ``Read`` (the PNG; ``first``/``last`` = the drawing's frames, ``before``/``after`` =
``black``, so outside them it is black with a zero alpha) -> ``Reformat`` (to the script's format:
the drawing was made at the review movie's size) -> ``Premult`` (a PNG's alpha is straight; Merge
expects premultiplied colour) -> input A of a ``Merge2`` (``operation`` over) whose input B is what
the Viewer showed; the Viewer's active input then shows the Merge. Knobs and inputs: Foundry's
Read and Merge reference guides and ``nuke.ViewerWindow`` (see tests/fakes/nuke/nuke/_knobs.py).
Hide points every node fed by the Merge back at the Merge's B input and deletes the nodes.
"""

from __future__ import annotations

import logging
import re
from typing import List, Optional, Tuple

import nuke

from ft_dcc.exceptions import FeedbackError
from ft_dcc.host.overlay import NoteOverlay

log = logging.getLogger(__name__)

PREFIX = "ftDccNote_"
#: a Merge2's inputs: B (what is under), A (what goes over)
B_INPUT, A_INPUT = 0, 1


def node_prefix(note_id: str) -> str:
    """The start of the names of a note's overlay nodes (a Nuke node name is an identifier)."""
    return PREFIX + re.sub(r"[^A-Za-z0-9_]", "_", note_id) + "_"


def viewer_input() -> Tuple[nuke.Node, int]:
    """The Viewer node the artist looks through and the index of the input it shows."""
    window = nuke.activeViewer()
    if window is not None:
        index = window.activeInput()
        return window.node(), 0 if index is None else int(index)
    viewers = nuke.allNodes("Viewer")
    if not viewers:
        raise FeedbackError(
            "No Viewer to draw over.", hint="open a Viewer (select a node and press 1), then retry"
        )
    return viewers[0], 0


def _label(text: str) -> str:
    """A node label is a TCL-evaluated string: no brackets, braces, dollars or backslashes."""
    return re.sub(r"[\[\]{}$\\]", " ", text)


def _drawing(overlay: NoteOverlay, name: str, below: Optional[nuke.Node]) -> nuke.Node:
    """Read -> Reformat -> Premult -> Merge2 over ``below``; the Merge."""
    read = nuke.nodes.Read(name=name + "read", file=overlay.path.as_posix())
    # after the file: choosing a file sets the frame range from it (a still: 1-1)
    read["first"].setValue(overlay.first)
    read["last"].setValue(overlay.last)
    read["before"].setValue("black")
    read["after"].setValue("black")
    read["label"].setValue(_label(overlay.label))
    reformat = nuke.nodes.Reformat(name=name + "reformat")
    reformat.setInput(0, read)
    premult = nuke.nodes.Premult(name=name + "premult")
    premult.setInput(0, reformat)
    merge = nuke.nodes.Merge2(name=name + "over", operation="over")
    merge.setInput(B_INPUT, below)
    merge.setInput(A_INPUT, premult)
    return merge


def show_overlays(overlays: List[NoteOverlay]) -> List[str]:
    """Lay a note's drawings over what the Viewer shows, on their frames; the nodes' names.
    Showing again replaces them (never two sets)."""
    if not overlays:
        return []
    hide_overlay(overlays[0].note_id)
    viewer, index = viewer_input()
    below = viewer.input(index)
    prefix = node_prefix(overlays[0].note_id)
    for number, overlay in enumerate(overlays):
        below = _drawing(overlay, f"{prefix}{number}_", below)
    viewer.setInput(index, below)
    log.info(
        "drawing of note %s over %s input %s, frames %s-%s",
        overlays[0].note_id, viewer.name(), index, overlays[0].first, overlays[0].last,
    )  # fmt: skip
    return [n.name() for n in nuke.allNodes() if n.name().startswith(prefix)]


def hide_overlay(note_id: str) -> List[str]:
    """Remove note ``note_id``'s drawings: whatever a Merge fed (the Viewer) gets the Merge's
    B input back, then the nodes go; the names removed ([] when none was shown)."""
    prefix = node_prefix(note_id)
    ours = [n for n in nuke.allNodes() if n.name().startswith(prefix)]
    if not ours:
        return []
    names = {n.name() for n in ours}

    def beneath(node: Optional[nuke.Node]) -> Optional[nuke.Node]:
        while node is not None and node.name() in names:
            node = node.input(B_INPUT)
        return node

    for other in nuke.allNodes():
        if other.name() in names:
            continue
        for index in range(other.inputs()):
            upstream = other.input(index)
            if upstream is not None and upstream.name() in names:
                other.setInput(index, beneath(upstream))
    for node in ours:
        nuke.delete(node)
    log.info("drawing of note %s removed", note_id)
    return sorted(names)
