"""Benchmark a headless Blender publish: capture then encode (serial) vs encoded while capturing.

Usage: ``.venv/bin/python bench/bench_blender.py [--frames 48] [--size 960x540] [--repeat 3]``

Builds the demo scene once (with the ``blender`` on PATH, else the bpy module), starts the
embedded server, then runs ``ft-dcc publish SCENE.blend --host blender`` as a whole process,
alternating the two variants in the same run: ``serial`` (``FT_DCC_STREAM_ENCODE=0``: the
Workbench capture writes every frame, then ``encode_review`` encodes them) and ``streamed``
(the default: each frame is piped into the encoder as Blender writes it). Both publish the same
scene to the same server and verify the movie before upload. Prints the median wall time of each
and the ratio streamed/serial (< 1 means streaming is faster), and how many Blender processes
each publish started (one: no ``blender --version`` any more).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from bench_publish import FPS, START_FRAME, make_task
from embedded_server import KEY, USER, Server

VARIANTS = {"serial": "0", "streamed": "1"}


def build_scene(path: Path, frames: int, size: str) -> Path:
    from ft_dcc_hosts.blender.integration import integration

    width, height = (int(v) for v in size.split("x"))
    return integration.build_demo_scene(
        path, frame_start=START_FRAME, frame_end=START_FRAME + frames - 1, fps=FPS,
        width=width, height=height,
    )  # fmt: skip


def publish_once(env: Dict[str, str], blend: Path, task_id: str, variant: str) -> float:
    """One whole ``ft-dcc publish`` process; its wall time in seconds."""
    env = dict(env, FT_DCC_STREAM_ENCODE=VARIANTS[variant])
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "ft_dcc", "publish", str(blend), "--host", "blender",
         "--task", task_id, "--review-session", "Bench dailies", "--json"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    if process.returncode != 0 or not json.loads(process.stdout).get("ok"):
        raise RuntimeError(f"{variant} publish failed:\n{process.stderr[-3000:]}")
    streamed = "streamed frames" in process.stderr
    if streamed != (variant == "streamed"):
        raise RuntimeError(f"the {variant} publish did not run as asked (streamed={streamed})")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--size", default="960x540")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times: Dict[str, List[float]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="ft_dcc_bench_blender_") as tmp:
        base = Path(tmp)
        blend = build_scene(base / "shot.blend", args.frames, args.size)
        server = Server(base)
        try:
            task_id = make_task(server.url, base / "schema", args.frames)
            env = dict(os.environ, FTRACK_SERVER=server.url, FTRACK_API_USER=USER,
                       FTRACK_API_KEY=KEY, FT_DCC_QUEUE_DIR=str(base / "queue"))  # fmt: skip
            publish_once(env, blend, task_id, "streamed")  # warm-up: caches, Blender's version
            for round_number in range(args.repeat):
                order = list(VARIANTS) if round_number % 2 == 0 else list(reversed(VARIANTS))
                for variant in order:
                    times[variant].append(publish_once(env, blend, task_id, variant))
                    print(f"  {variant:9s} {times[variant][-1]:7.2f} s", flush=True)
        finally:
            server.stop()
    serial, streamed = (statistics.median(times[name]) for name in ("serial", "streamed"))
    print(f"headless Blender publish, {args.frames} frames at {args.size}, "
          f"median of {args.repeat} interleaved runs each")  # fmt: skip
    print(f"  serial (capture, then encode): {serial:7.2f} s")
    print(f"  streamed (capture ∥ encode):   {streamed:7.2f} s")
    print(f"  ratio streamed/serial:         {streamed / serial:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
