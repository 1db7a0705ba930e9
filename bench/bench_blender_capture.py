"""Benchmark the Blender GUI's frame-by-frame viewport capture against one blocking
``render.opengl(animation=True)`` (the capture before), in the same windowed Blender run.

Usage: ``.venv/bin/python bench/bench_blender_capture.py [--frames 48] [--size 960x540]``
(needs Debian's ``blender`` and ``xvfb-run``).

Both write the same PNG frames of the demo scene from its camera. The baseline blocks Blender's
main thread for the whole capture; ours (``hosts/blender/modal_capture.py``) renders one still
or more (within ``FRAME_BUDGET_S``) per turn of Blender's loop, driven by a timer as the
publish operator does. Prints the wall time
of each, the longest time the main thread was held (the baseline: all of it; ours: the slowest
frame) and the ratios ours/baseline (< 1 means shorter).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ft_dcc.host.pythonpath import python_paths  # noqa: E402

SCRIPT = r"""
import json, os, sys, time
from pathlib import Path
options = json.loads(Path(sys.argv[sys.argv.index("--") + 1]).read_text())
sys.path.extend(options["paths"])
import bpy
from ft_dcc.host.pythonpath import ensure_hosts_package
ensure_hosts_package()
from ft_dcc_hosts.blender.scene_setup import find_view3d
from ft_dcc_hosts.blender.host import BlenderHost
from ft_dcc_hosts.blender.modal_capture import SteppedCaptureHost, ViewportCapture
from ft_dcc.host.job import call_directly

out = Path(options["out"])
result = {}
state = {}


def baseline():
    host = BlenderHost(use_viewport=True)
    spec = host.default_spec()
    scene = bpy.context.scene
    render = scene.render
    render.filepath = str(out / "baseline" / "frame_")
    render.image_settings.file_format = "PNG"
    window, area, region, space = find_view3d()
    space.region_3d.view_perspective = "CAMERA"
    space.overlay.show_overlays = False
    start = time.perf_counter()
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.render.opengl(animation=True, view_context=True)
    result["baseline_s"] = time.perf_counter() - start
    result["frames"] = len(list((out / "baseline").glob("*.png")))
    state["capture"] = ViewportCapture(spec, out / "ours", scene)
    state["start"] = time.perf_counter()
    state["longest"] = 0.0
    state["stepper"] = SteppedCaptureHost(host, call_directly)  # the operator's budget
    result["budget_s"] = state["stepper"].budget
    state["capture"].begin()
    bpy.app.timers.register(step, first_interval=0.0)


def step():
    start = time.perf_counter()
    more = state["stepper"]._step(state["capture"])  # what one hand-off of the operator runs
    took = time.perf_counter() - start
    state["longest"] = max(state["longest"], took)
    state["steps"] = state.get("steps", 0.0) + took
    if more:
        return 0.0
    state["capture"].finish()
    result["ours_s"] = time.perf_counter() - state["start"]
    result["ours_longest_block_s"] = state["longest"]
    result["ours_in_steps_s"] = state["steps"]
    result["ours_frames"] = len(list((out / "ours").glob("*.png")))
    print("RESULT " + json.dumps(result), flush=True)
    os._exit(0)


bpy.app.timers.register(baseline, first_interval=1.0)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--size", default="960x540")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="bench_blender_capture_") as tmp:
        work = Path(tmp)
        blend = work / "bench.blend"
        scene = {"path": str(blend), "frame_start": 1001, "frame_end": 1000 + args.frames,
                 "width": width, "height": height}  # fmt: skip
        (work / "scene.json").write_text(json.dumps(scene))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FTRACK_", "FT_DCC_"))}
        env.update(HOME=str(work), PYTHONPATH=str(ROOT))
        subprocess.run(
            ["blender", "-b", "--factory-startup", "--python-exit-code", "1", "-P",
             str(ROOT / "hosts" / "blender" / "demo_scene.py"), "--", str(work / "scene.json")],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        (work / "bench.py").write_text(SCRIPT)
        (work / "options.json").write_text(json.dumps({"paths": python_paths(), "out": tmp}))
        process = subprocess.run(
            ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "blender", str(blend),
             "--python-exit-code", "1", "-P", str(work / "bench.py"), "--",
             str(work / "options.json")],
            env=env, capture_output=True, text=True, timeout=1800, check=False,
        )  # fmt: skip
    line = next((x for x in process.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"the Blender run printed no result:\n{process.stdout[-3000:]}")
    result = json.loads(line[len("RESULT ") :])
    base, ours, block = result["baseline_s"], result["ours_s"], result["ours_longest_block_s"]
    print(f"{args.frames} frames at {args.size}, Blender 3.4 under Xvfb")
    print(f"  baseline render.opengl(animation=True): {base:.2f} s, main thread held {base:.2f} s")
    print(f"  ours, stills within {result['budget_s']} s per loop turn: {ours:.2f} s, "
          f"main thread held {block:.3f} s")  # fmt: skip
    print(f"  ours in render.opengl stills: {result['ours_in_steps_s']:.2f} s (the rest: redraws)")
    print(f"  ratio wall ours/baseline: {ours / base:.2f}")
    print(f"  ratio longest block ours/baseline: {block / base:.4f}")
    print(f"  frames written: baseline {result['frames']}, ours {result['ours_frames']}")


if __name__ == "__main__":
    main()
