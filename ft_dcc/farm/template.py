"""The Open Job Description job template of a :class:`FarmBatch`, and its parameter values.

Everything a person typed is a job parameter (the session's name, the comment, a camera) or in
the one ``Scenes`` file (each scene's path and task), never text inside the template: OpenJD
reads template text as format strings, and parameter values are substituted without being read
again. Literal text in the template is only what ft_dcc made (step names from
:func:`safe_label`, numbers, host names, publish keys). The number of job parameters does not
grow with the scenes (OpenJD 2023-09 allows 50).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ft_dcc import __version__
from ft_dcc.farm.model import FarmBatch, FarmScene
from ft_dcc.protocol.json_value import JsonObject, JsonValue

SPECIFICATION = "jobtemplate-2023-09"
ENTRY_FILE = "Entry"  # the embedded node_entry.py: {{Task.File.Entry}}
#: the values of the job parameter NewReviewSession (and of farm publish --new-review-session)
YES, NO = "yes", "no"
#: the memory a DCC step asks of a node (MiB): enough to open a shot's scene and capture it
DCC_MEMORY_MIB = 4096


def node_entry_text() -> str:
    """The embedded script every step runs (see :mod:`ft_dcc.farm.node_entry`)."""
    text = (Path(__file__).with_name("node_entry.py")).read_text(encoding="utf-8")
    return text.replace('"FT_DCC_VERSION"', repr(__version__), 1)


#: the job parameter of each DCC's executable on the nodes, and the variable the host reads
DCC_PARAMETERS = {
    "blender": ("BlenderExecutable", "FT_DCC_BLENDER", "Blender"),
    "maya": ("MayapyExecutable", "FT_DCC_MAYAPY", "Maya's mayapy"),
    "nuke": ("NukeExecutable", "FT_DCC_NUKE", "Nuke"),
}


def _param(name: str, kind: str, description: str, **extra: JsonValue) -> JsonObject:
    return {"name": name, "type": kind, "description": description, **extra}


def dcc_hosts(batch: FarmBatch) -> List[str]:
    """The DCCs the batch's steps run (in a stable order): the job environment names them."""
    return [host for host in DCC_PARAMETERS if any(s.host == host for s in batch.scenes)]


def parameter_definitions(batch: FarmBatch) -> List[JsonObject]:
    """A fixed handful, whatever the number of scenes: the scenes and their tasks are one file
    (``Scenes``), so a bundle of any size stays within OpenJD's 50 job parameters."""
    definitions = [
        _param("FtDccPython", "STRING", "the command that runs a Python with ft_dcc on a node",
               default=batch.python, minLength=1),
        _param("Scenes", "PATH", "the batch's scenes file (each scene's path and ftrack task)",
               objectType="FILE", dataFlow="IN"),
        _param("ReviewSession", "STRING", "the review session every scene is published into",
               minLength=1),
        _param("NewReviewSession", "STRING", "yes: create ReviewSession even when its name "
               "is one typo from an open session's (ft-dcc publish --new-review-session)",
               default=NO, allowedValues=[NO, YES]),
        _param("Comment", "STRING", "the versions' comment", default=""),
        _param("WorkDir", "PATH", "where the capture steps stage frames for the publish steps "
               "(shared by the nodes)", objectType="DIRECTORY", dataFlow="INOUT"),
        _param("CondaPackages", "STRING", "packages a Deadline Cloud queue environment "
               "installs for the job (e.g. ft-dcc blender); empty: none", default=""),
    ]  # fmt: skip
    for host in dcc_hosts(batch):
        name, variable, what = DCC_PARAMETERS[host]
        definitions.append(_param(
            name, "STRING", f"{what} on the nodes ({variable}; empty: the node's own, its "
            f"{variable} or PATH)", default="",
        ))  # fmt: skip
    if batch.camera:
        definitions.append(_param("Camera", "STRING", "the camera to capture through"))
    return definitions


def parameter_values(batch: FarmBatch, work_dir: Path, scenes_file: Path) -> Dict[str, str]:
    values = {
        "FtDccPython": batch.python,
        "Scenes": str(scenes_file),
        "ReviewSession": batch.review_session_name,
        "NewReviewSession": YES if batch.new_review_session else NO,
        "Comment": batch.comment,
        "WorkDir": str(work_dir),
    }
    if batch.camera:
        values["Camera"] = batch.camera
    return values


def scenes_document(batch: FarmBatch) -> JsonObject:
    """The ``Scenes`` file: what a person typed per scene (its path and task), by index."""
    scenes: List[JsonValue] = [
        {"index": scene.index, "path": str(scene.path), "task": scene.task}
        for scene in batch.scenes
    ]
    return {"ft_dcc_farm_scenes": 1, "scenes": scenes}


def job_environment(batch: FarmBatch) -> JsonObject:
    """The job's environment: entered once per session before any step, it checks the node has
    ft_dcc and each DCC the steps run, and points ft_dcc at the DCC the job names."""
    args: List[JsonValue] = ["{{Env.File." + ENTRY_FILE + "}}", "farm", "environment"]
    for host in dcc_hosts(batch):
        args.append(f"--{host}={{{{Param.{DCC_PARAMETERS[host][0]}}}}}")
    return {
        "name": "ft_dcc",
        "description": f"ft_dcc {__version__} and the DCCs of the steps: "
        + (", ".join(dcc_hosts(batch)) or "none (ffmpeg only)"),
        "script": {
            "embeddedFiles": [_entry_file()],
            "actions": {"onEnter": {"command": "{{Param.FtDccPython}}", "args": args}},
        },
        "variables": {"FT_DCC_FARM_VERSION": __version__},
    }


def _entry_file() -> JsonObject:
    return {"name": ENTRY_FILE, "type": "TEXT", "filename": "ft_dcc_farm_step.py",
            "data": node_entry_text()}  # fmt: skip


def _script(args: List[str]) -> JsonObject:
    return {
        "embeddedFiles": [_entry_file()],
        "actions": {
            "onRun": {"command": "{{Param.FtDccPython}}",
                      "args": ["{{Task.File." + ENTRY_FILE + "}}", "farm", *args]},
        },
    }  # fmt: skip


def _scene_args(batch: FarmBatch, scene: FarmScene, frames: Optional[Tuple[int, int]]) -> List[str]:
    # --option=VALUE, one argument: a value starting with "-" is never read as an option; the
    # scene's path and task are read from the Scenes file (mapped by the session's rules)
    args = [
        "--scenes={{Param.Scenes}}", f"--index={scene.index}",
        "--path-mapping={{Session.PathMappingRulesFile}}", f"--host={scene.host}",
        f"--work={{{{Param.WorkDir}}}}/{scene.label}", f"--parts={scene.parts}",
    ]  # fmt: skip
    if frames:
        args.append(f"--frames={frames[0]}:{frames[1]}")
    if batch.camera:
        args.append("--camera={{Param.Camera}}")
    return args


def _part_args(scene: FarmScene) -> List[str]:
    # the key: a re-run of this bundle skips a part it captured (ft_dcc.farm.capture)
    return ["--part={{Task.Param.Part}}", f"--key={scene.key}"]


def capture_step(batch: FarmBatch, scene: FarmScene) -> JsonObject:
    return {
        "name": scene.capture_step,
        "description": f"capture {scene.parts} part(s) of scene {scene.index} in parallel",
        "parameterSpace": {
            "taskParameterDefinitions": [
                {"name": "Part", "type": "INT", "range": f"1-{scene.parts}"}
            ]
        },
        "script": _script(
            ["capture", *_scene_args(batch, scene, scene.capture_range or scene.frames),
             *_part_args(scene)]
        ),
        **_requirements(scene.host),
    }  # fmt: skip


def publish_step(batch: FarmBatch, scene: FarmScene) -> JsonObject:
    step: JsonObject = {
        "name": scene.publish_step,
        "description": f"encode and publish scene {scene.index} (once: key {scene.key})",
        "script": _script(
            [
                "publish", *_scene_args(batch, scene, scene.frames), f"--key={scene.key}",
                *([f"--rate={scene.rate}"] if scene.rate else []),
                "--review-session={{Param.ReviewSession}}",
                "--new-review-session={{Param.NewReviewSession}}", "--comment={{Param.Comment}}",
            ]
        ),
    }  # fmt: skip
    if scene.parts:
        step["dependencies"] = [{"dependsOn": scene.capture_step}]
    else:  # Maya and Nuke publish in their own application
        step.update(_requirements(scene.host))
    return step


def _requirements(host: str) -> JsonObject:
    """Host requirements where they matter: a DCC's step wants the memory to open a shot's
    scene; the files host's steps (a copy, ffmpeg) run on any node."""
    if host not in DCC_PARAMETERS:
        return {}
    return {"hostRequirements": {"amounts": [{"name": "amount.worker.memory",
                                              "min": DCC_MEMORY_MIB}]}}  # fmt: skip


def job_template(batch: FarmBatch) -> JsonObject:
    steps: List[JsonValue] = []
    for scene in batch.scenes:
        if scene.parts:
            steps.append(capture_step(batch, scene))
        steps.append(publish_step(batch, scene))
    return {
        "specificationVersion": SPECIFICATION,
        "name": batch.name,
        "description": f"made by ft_dcc {__version__} (ft-dcc farm submit); see docs/farm.md",
        "parameterDefinitions": [*parameter_definitions(batch)],
        "jobEnvironments": [job_environment(batch)],
        "steps": steps,
    }
