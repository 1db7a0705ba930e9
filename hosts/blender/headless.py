"""Publish a .blend without a UI. Run inside Blender (or with the ``bpy`` module)::

    blender -b --factory-startup --python-exit-code 2 -P headless.py -- request.json
    python headless.py -- request.json

``request.json`` (``ft_dcc.host.headless.HeadlessRequest``) holds ``input`` (the scene),
``publish`` (the typed request, in its one JSON form), ``python_path`` (folders to add so ft_dcc
imports) and ``result`` (where to write ``{"exit_code", "report", "text", "blender"}`` for the
calling process, which prints it; ``blender`` is this Blender's version, which the caller
remembers so it never has to start ``blender --version``). ``scene_version`` (the Blender that
saved the scene): a Blender too old for it answers ``too_old`` at once and the caller publishes
with the ``bpy`` module instead. Only stdlib imports at the top:
``ft_dcc.host.pythonpath.add_request_python_path`` makes ft_dcc importable (the one rule of every
host), then ``ft_dcc.host.headless.main`` runs the publish and writes the result.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Tuple

if TYPE_CHECKING:
    from ft_dcc.host.headless import HeadlessRequest, HostVersion, Outcome


def parse_frames(value: object) -> Optional[Tuple[int, int]]:
    """A request's ``frames`` as ``(start, end)`` or None (``ft_dcc.host.headless``)."""
    from ft_dcc.host.headless import parse_frames

    return parse_frames(value)


def this_blender() -> HostVersion:
    """Which Blender runs this script: its version, and whether it is the ``bpy`` module."""
    import bpy

    return {"version": list(bpy.app.version[:2]), "module": not bpy.app.binary_path}


def too_old(request: HeadlessRequest) -> Optional[Outcome]:
    """The outcome that tells the caller this Blender cannot open the scene (saved by a newer
    one, ``scene_version`` in the request), or None when it can."""
    needed = request.get("scene_version")
    blender = this_blender()
    if not needed or tuple(needed) <= tuple(blender["version"]):
        return None
    return {
        "exit_code": 3,
        "report": None,
        "too_old": True,
        "blender": blender,
        "text": f"Blender {'.'.join(map(str, blender['version']))} cannot open "
        f"{request['input']}, saved by Blender {'.'.join(map(str, needed))}.",
        "hint": "use a newer Blender (FT_DCC_BLENDER) or install the bpy module",
    }


def publish_request(request: HeadlessRequest) -> Outcome:
    """Open the scene with its UI (the artist's 3D view sets the playblast's look), publish it,
    and describe the outcome (inside Blender)."""
    refusal = too_old(request)
    if refusal is not None:
        return refusal
    import bpy
    from ft_dcc_hosts.blender.host import BlenderHost

    from ft_dcc.host.headless import outcome_of, publish_request_of, runtime_of
    from ft_dcc.publish.api import run_publish

    scene_file = str(Path(request["input"]).resolve())
    bpy.ops.wm.open_mainfile(filepath=scene_file, load_ui=True)
    report = run_publish(
        BlenderHost(use_viewport=False),
        publish_request_of(request),
        runtime_of(request),
    )
    outcome = outcome_of(report)
    outcome["blender"] = this_blender()
    return outcome


if __name__ == "__main__":
    # ft_dcc is beside this adapter (a source checkout's hosts/ or an install's ft_dcc_hosts/)
    sys.path.append(str(Path(__file__).resolve().parents[2]))
    from ft_dcc.host.pythonpath import add_request_python_path

    add_request_python_path(sys.argv)
    from ft_dcc.host.headless import run

    run(sys.argv, publish_request)
