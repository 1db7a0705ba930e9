"""The Open Job Description job template of a :class:`FarmBatch`, and its parameter values.

Everything a person typed (scene paths, tasks, the session's name, the comment, a camera) is a
job parameter, never text inside the template: OpenJD reads template text as format strings,
and parameter values are substituted without being read again. Literal text in the template is
only what ft_dcc made (step names from :func:`safe_label`, numbers, host names, publish keys).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

from ft_dcc import __version__
from ft_dcc.farm.model import FarmBatch, FarmScene
from ft_dcc.protocol.json_value import JsonObject, JsonValue

SPECIFICATION = "jobtemplate-2023-09"
ENTRY_FILE = "Entry"  # the embedded node_entry.py: {{Task.File.Entry}}


def node_entry_text() -> str:
    """The embedded script every step runs (see :mod:`ft_dcc.farm.node_entry`)."""
    text = (Path(__file__).with_name("node_entry.py")).read_text(encoding="utf-8")
    return text.replace('"FT_DCC_VERSION"', repr(__version__), 1)


def _param(name: str, kind: str, description: str, **extra: JsonValue) -> JsonObject:
    return {"name": name, "type": kind, "description": description, **extra}


def parameter_definitions(batch: FarmBatch) -> List[JsonObject]:
    definitions = [
        _param("FtDccPython", "STRING", "the command that runs a Python with ft_dcc on a node",
               default=batch.python, minLength=1),
        _param("ReviewSession", "STRING", "the review session every scene is published into",
               minLength=1),
        _param("Comment", "STRING", "the versions' comment", default=""),
        _param("WorkDir", "PATH", "where the capture steps stage frames for the publish steps "
               "(shared by the nodes)", objectType="DIRECTORY", dataFlow="INOUT"),
    ]  # fmt: skip
    if batch.camera:
        definitions.append(_param("Camera", "STRING", "the camera to capture through"))
    for scene in batch.scenes:
        definitions.append(_scene_param(scene))
        definitions.append(
            _param(f"Task{scene.index}", "STRING", f"the ftrack task of scene {scene.index}",
                   minLength=1)
        )  # fmt: skip
    return definitions


def _scene_param(scene: FarmScene) -> JsonObject:
    name, text = f"Scene{scene.index}", f"scene {scene.index}"
    if scene.path.is_file():  # a scene or a movie: a job attachment on Deadline Cloud
        return _param(name, "PATH", text, objectType="FILE", dataFlow="IN")
    return _param(name, "PATH", f"{text} (an image sequence on shared storage)")


def parameter_values(batch: FarmBatch, work_dir: Path) -> Dict[str, str]:
    values = {
        "FtDccPython": batch.python,
        "ReviewSession": batch.review_session_name,
        "Comment": batch.comment,
        "WorkDir": str(work_dir),
    }
    if batch.camera:
        values["Camera"] = batch.camera
    for scene in batch.scenes:
        values[f"Scene{scene.index}"] = str(scene.path)
        values[f"Task{scene.index}"] = scene.task
    return values


def _script(args: List[str]) -> JsonObject:
    return {
        "embeddedFiles": [
            {"name": ENTRY_FILE, "type": "TEXT", "filename": "ft_dcc_farm_step.py",
             "data": node_entry_text()},
        ],
        "actions": {
            "onRun": {"command": "{{Param.FtDccPython}}",
                      "args": ["{{Task.File." + ENTRY_FILE + "}}", "farm", *args]},
        },
    }  # fmt: skip


def _scene_args(batch: FarmBatch, scene: FarmScene) -> List[str]:
    # --option=VALUE, one argument: a value starting with "-" is never read as an option
    args = [
        f"--scene={{{{Param.Scene{scene.index}}}}}", f"--host={scene.host}",
        f"--work={{{{Param.WorkDir}}}}/{scene.label}", f"--parts={scene.parts}",
    ]  # fmt: skip
    if scene.frames:
        args.append(f"--frames={scene.frames[0]}:{scene.frames[1]}")
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
        "script": _script(["capture", *_scene_args(batch, scene), *_part_args(scene)]),
    }


def publish_step(batch: FarmBatch, scene: FarmScene) -> JsonObject:
    step: JsonObject = {
        "name": scene.publish_step,
        "description": f"encode and publish scene {scene.index} (once: key {scene.key})",
        "script": _script(
            [
                "publish", *_scene_args(batch, scene), f"--key={scene.key}",
                f"--task={{{{Param.Task{scene.index}}}}}",
                "--review-session={{Param.ReviewSession}}", "--comment={{Param.Comment}}",
            ]
        ),
    }  # fmt: skip
    if scene.parts:
        step["dependencies"] = [{"dependsOn": scene.capture_step}]
    return step


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
        "steps": steps,
    }
