"""Benchmark batch throughput: N scenes published through the farm path vs one after another.

Usage: ``.venv/bin/python bench/bench_farm.py [--scenes 3] [--host files|blender]
[--frames 48] [--size 640x360] [--workers 2] [--chunks 2]``

Starts ``ft-dcc server`` on a free 127.0.0.1 port, makes a project with one shot (and comp
task) per scene and the scenes themselves (PNG sequences made by ffmpeg, or the Blender demo
scene with ``--host blender``), then publishes every scene twice, into two review sessions:

- ``serial``: ``ft-dcc publish SCENE --task ...`` for each scene, one after another (what a TD's
  script does without a farm);
- ``farm``: ``ft-dcc farm submit`` of all scenes, then the bundle's tasks run by a local farm of
  ``--workers`` workers, each task its own ``openjd run --step S --task-param Part=i``
  (``--no-run-dependencies``: the scheduler here starts a step's tasks once every task of the
  steps it depends on finished, as a farm's scheduler does).

Prints both wall times (submit included) and the ratio farm/serial (< 1: the farm path is
faster), measured in the same run on the same machine. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

from embedded_server import KEY, USER, Server

ROOT = Path(__file__).resolve().parents[1]
OPENJD = str(Path(sys.executable).with_name("openjd"))
START = 1001
FPS = 25
TEMPLATE = "jobs/{project}/{sequence}/{shot}/{task}/**"

Task = Tuple[str, Optional[int]]  # (step name, part or None)


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def make_project(server: Server, shots: List[str], frames: int) -> str:
    from ft_dcc.session import Session

    name = f"bench{uuid.uuid4().hex[:6]}"
    session = Session(server_url=server.url, api_user=USER, api_key=KEY, plugin_paths=[])
    schema = session.query("ProjectSchema").first()
    project = session.create("Project", {"name": name, "full_name": name, "project_schema": schema})
    kind = session.query('Type where name is "Compositing"').first()
    sequence = session.create("Sequence", {"name": "sq010", "parent": project, "project": project})
    made = []
    for shot_name in shots:
        shot = session.create("Shot", {"name": shot_name, "parent": sequence, "project": project})
        session.create("Task", {"name": "comp", "parent": shot, "project": project, "type": kind})
        made.append(shot)
    session.commit()
    for shot in made:
        for key, value in (("fstart", START), ("fend", START + frames - 1), ("fps", FPS)):
            shot["custom_attributes"][key] = value
    session.commit()
    session.close()
    return name


def make_scene(folder: Path, shot: str, host: str, frames: int, size: str, env: Dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if host == "files":
        pattern = folder / f"{shot}_comp.%04d.png"
        subprocess.run(
            [ffmpeg(), "-loglevel", "error", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25",
             "-frames:v", str(frames), "-start_number", str(START), str(pattern)],
            check=True,
        )  # fmt: skip
        return pattern
    blend = folder / f"{shot}_comp.blend"
    width, height = (int(v) for v in size.split("x"))
    arguments = folder / "scene.json"
    arguments.write_text(json.dumps({"path": str(blend), "width": width, "height": height,
                                     "frame_start": START, "frame_end": START + frames - 1,
                                     "fps": FPS}))  # fmt: skip
    subprocess.run(
        ["blender", "-b", "--factory-startup", "--python-exit-code", "1", "-P",
         str(ROOT / "hosts" / "blender" / "demo_scene.py"), "--", str(arguments)],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    return blend


def ft_dcc(env: Dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "ft_dcc", *args], env=env, capture_output=True,
                          text=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"ft-dcc {args[0]} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


def serial(env: Dict[str, str], scenes: List[Path], session: str) -> float:
    started = time.monotonic()
    for scene in scenes:  # each scene's task from its path (paths.task_templates)
        ft_dcc(env, "publish", str(scene), "--review-session", session)
    return time.monotonic() - started


def task_graph(template: Dict[str, Any]) -> Tuple[List[Task], Dict[str, List[str]]]:
    tasks: List[Task] = []
    depends: Dict[str, List[str]] = {}
    for step in template["steps"]:
        depends[step["name"]] = [d["dependsOn"] for d in step.get("dependencies", [])]
        space = step.get("parameterSpace")
        if space:
            last = int(space["taskParameterDefinitions"][0]["range"].split("-")[1])
            tasks += [(step["name"], part) for part in range(1, last + 1)]
        else:
            tasks.append((step["name"], None))
    return tasks, depends


def run_task(bundle: Path, env: Dict[str, str], task: Task) -> None:
    step, part = task
    params = f"file://{bundle / 'openjd_params.json'}"
    command = [OPENJD, "run", str(bundle / "template.json"), "--job-param", params,
               "--step", step, "--no-run-dependencies"]  # fmt: skip
    if part is not None:
        command += ["--task-param", f"Part={part}"]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"task {step} {part} failed:\n{done.stdout[-3000:]}")


def local_farm(bundle: Path, env: Dict[str, str], workers: int) -> None:
    """Run every task of the bundle on ``workers`` parallel workers, dependencies first."""
    tasks, depends = task_graph(json.loads((bundle / "template.json").read_text()))
    left: Dict[str, int] = {}
    for step, _ in tasks:
        left[step] = left.get(step, 0) + 1
    waiting = list(tasks)
    running: Dict[Future, Task] = {}
    started: Set[Task] = set()
    with ThreadPoolExecutor(workers) as pool:
        while waiting or running:
            for task in [t for t in waiting if all(left[d] == 0 for d in depends[t[0]])]:
                if len(running) >= workers:
                    break
                waiting.remove(task)
                started.add(task)
                running[pool.submit(run_task, bundle, env, task)] = task
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                future.result()  # a failed task stops the benchmark
                left[running.pop(future)[0]] -= 1


def farm(env: Dict[str, str], scenes: List[Path], session: str, work: Path, workers: int,
         chunks: int) -> float:  # fmt: skip
    started = time.monotonic()
    bundle = work / "bundle"
    done = subprocess.run(
        [sys.executable, "-m", "ft_dcc", "farm", "submit", *map(str, scenes),
         "--review-session", session, "--output", str(bundle), "--python", sys.executable,
         "--chunks", str(chunks)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    local_farm(bundle, env, workers)
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenes", type=int, default=3)
    parser.add_argument("--host", choices=("files", "blender"), default="files")
    parser.add_argument("--frames", type=int, default=48)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunks", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ft_dcc-bench-farm-") as tmp:
        base = Path(tmp)
        server = Server(base)
        try:
            settings = base / "studio.json"
            settings.write_text(json.dumps({"settings": {"paths.task_templates": [TEMPLATE]}}))
            env = {
                **os.environ, "FT_DCC_SETTINGS": str(settings), "FTRACK_SERVER": server.url,
                "FTRACK_API_USER": USER, "FTRACK_API_KEY": KEY, "HOME": str(base),
                "FT_DCC_QUEUE_DIR": str(base / "queue"), "PYBLISHPLUGINPATH": "",
                "PYTHONPATH": str(ROOT),
            }  # fmt: skip
            shots = [f"sh{10 * (i + 1):03d}" for i in range(args.scenes)]
            project = make_project(server, shots, args.frames)
            scenes = [
                make_scene(base / "jobs" / project / "sq010" / s / "comp", s, args.host,
                           args.frames, args.size, env)
                for s in shots
            ]  # fmt: skip
            one_by_one = serial(env, scenes, "Bench serial")
            on_farm = farm(env, scenes, "Bench farm", base, args.workers, args.chunks)
        finally:
            server.stop()
    print(f"{args.scenes} {args.host} scenes, {args.frames} frames {args.size}; farm: "
          f"{args.workers} workers, {args.chunks} capture parts per scene")  # fmt: skip
    print(f"  one after another: {one_by_one:7.2f} s")
    print(f"  farm path:         {on_farm:7.2f} s (submit + openjd tasks)")
    print(f"  ratio farm/serial: {on_farm / one_by_one:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
