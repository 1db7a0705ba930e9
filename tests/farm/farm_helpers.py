"""Run ``ft-dcc farm`` and ``openjd run`` as a TD and a farm would: their own processes (forked
by the test process's zygote: ``support.launcher``), which start the steps' processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from support import launcher, open_session
from support.cli import run_ft_dcc

OPENJD = str(Path(sys.executable).with_name("openjd"))


def farm_env(server: Any, tmp_path: Path, **extra: str) -> Dict[str, str]:
    """The environment of a TD's shell and of the nodes: the server's FTRACK_*, no settings
    file, a queue and a temp folder of the test's own (a bundle made without ``--output``, a
    Blender's PulseAudio folder go there, not to the machine's /tmp), no stray pyblish plugins."""
    env = dict(os.environ, **server.env)
    env.pop("FTRACK_CONTEXTID", None)
    env.pop("FT_DCC_SETTINGS", None)
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    env.update(FT_DCC_QUEUE_DIR=str(tmp_path / "queue"), PYBLISHPLUGINPATH="", TMPDIR=str(temp))
    env.update(extra)
    return env


def ft_dcc(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run_ft_dcc([*args], env=env, timeout=600)


def submit(env: Dict[str, str], bundle: Path, *args: str) -> subprocess.CompletedProcess:
    """``ft-dcc farm submit ... --output bundle`` with the nodes' Python = this one, its steps
    forked by the test process's zygote (``support/step_python.py``)."""
    return ft_dcc(env, "farm", "submit", *args, "--output", str(bundle),
                  "--python", launcher.step_python())  # fmt: skip


def openjd_run(bundle: Path, env: Dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    """``openjd run`` of the whole bundle (every step, dependencies first, one at a time):
    ``python -m openjd`` forked by the zygote with openjd imported (``support.launcher``); the
    steps it starts are the farm's own processes."""
    return run_ft_dcc(
        ["run", str(bundle / "template.json"),
         "--job-param", f"file://{bundle / 'openjd_params.json'}", *extra],
        env=env, timeout=1800, module="openjd",
    )  # fmt: skip


def template(bundle: Path) -> Dict[str, Any]:
    return json.loads((bundle / "template.json").read_text(encoding="utf-8"))


def validate(bundle: Path) -> Any:
    """The bundle as openjd-model reads it: a valid template and parameter values that make a
    job (raises otherwise)."""
    from openjd.model import create_job, decode_job_template, preprocess_job_parameters

    decoded = decode_job_template(template=template(bundle))
    values = json.loads((bundle / "parameter_values.json").read_text(encoding="utf-8"))
    given = {v["name"]: v["value"] for v in values["parameterValues"]}
    params = preprocess_job_parameters(
        job_template=decoded, job_parameter_values=given,
        environment_templates=[], job_template_dir=bundle, current_working_dir=bundle,
    )  # fmt: skip
    return create_job(job_template=decoded, job_parameter_values=params)


def scene_entry(bundle: Path, index: int = 1) -> Dict[str, Any]:
    """Scene ``index`` of the bundle's scenes file (its ``path`` and ``task``)."""
    listed = json.loads((bundle / "scenes.json").read_text(encoding="utf-8"))["scenes"]
    (entry,) = [e for e in listed if e["index"] == index]
    return dict(entry)


def step_names(bundle: Path) -> List[str]:
    return [step["name"] for step in template(bundle)["steps"]]


def session_versions(
    server: Any, tmp_path: Path, name: str, project: Optional[str] = None
) -> List[Dict[str, str]]:
    """The versions in review session ``name`` (of ``project``: a dated name is every
    project's on the shared server): their asset and task path."""
    where = f'review_session.name is "{name}"'
    if project is not None:
        where += f' and review_session.project.name is "{project}"'
    with open_session(server, tmp_path / "check") as session:
        objects = session.query(
            "select asset_version.asset.name, asset_version.task.link from ReviewSessionObject "
            f"where {where}"
        ).all()
        return sorted(
            (
                {"asset": o["asset_version"]["asset"]["name"],
                 "task": "/".join(i["name"] for i in o["asset_version"]["task"]["link"])}
                for o in objects
            ),
            key=lambda row: row["asset"],
        )  # fmt: skip


def copies(frame: Path, root: Path, count: int) -> List[Path]:
    """``count`` one-frame sequences ``sNNN/shotNNN.####.png`` of the same picture."""
    scenes = []
    for index in range(1, count + 1):
        folder = root / f"s{index:03d}"
        folder.mkdir(parents=True)
        shutil.copyfile(frame, folder / f"shot{index:03d}.1001.png")
        scenes.append(folder / f"shot{index:03d}.####.png")
    return scenes
