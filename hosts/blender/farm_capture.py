"""Capture one part of a scene's frames for a farm job, inside a background Blender::

    blender -b scene.blend --python-exit-code 2 -P farm_capture.py -- request.json

``request.json`` (written by :mod:`ft_dcc.farm.capture`): ``input`` (the scene), ``part`` and
``parts`` (which share of the range), ``frames`` (the range, else the scene's own), ``camera``
(else the scene's), ``out_dir`` and ``result``. The result lists the frame files, their range
and the scene's frame rate. The same Workbench capture as ``ft-dcc publish`` headless.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ft_dcc.host.headless import HeadlessRequest, Outcome


def capture_request(request: HeadlessRequest) -> Outcome:
    import bpy
    from ft_dcc_hosts.blender.host import BlenderHost

    from ft_dcc.farm.chunks import part_range
    from ft_dcc.host.headless import parse_frames, progress_to_caller

    bpy.ops.wm.open_mainfile(filepath=str(Path(request["input"]).resolve()), load_ui=True)
    host = BlenderHost(use_viewport=False)
    start, end = parse_frames(request.get("frames")) or host.frame_range()
    frames = part_range(start, end, int(request["part"]), int(request["parts"]))
    if frames is None:
        return {"exit_code": 0, "report": None, "text": "this part has no frames", "files": []}
    spec = host.default_spec(frame_start=frames[0], frame_end=frames[1], camera=request["camera"])
    result = host.capture(spec, Path(request["out_dir"]), progress_to_caller)
    return {
        "exit_code": 0,
        "report": None,
        "text": f"captured frames {frames[0]}-{frames[1]}",
        "files": [str(path) for path in result.files],
        "frames": list(frames),
        "fps": f"{spec.fps.numerator}/{spec.fps.denominator}",
    }


if __name__ == "__main__":
    # ft_dcc is beside this adapter (a source checkout's hosts/ or an install's ft_dcc_hosts/)
    sys.path.append(str(Path(__file__).resolve().parents[2]))
    from ft_dcc.host.pythonpath import add_request_python_path

    add_request_python_path(sys.argv)
    from ft_dcc.host.headless import run

    run(sys.argv, capture_request)
