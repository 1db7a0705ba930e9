"""``ft-dcc farm submit`` (a TD's command) and ``ft-dcc farm capture|publish`` (what the job's
steps run on a node). Stdlib-only imports at module top, as every command module."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from ft_dcc.commands_base import Command, arg
from ft_dcc.publish.commands import HOST_CHOICES, parse_frames


def run_submit(args: argparse.Namespace) -> int:
    from ft_dcc.farm.bundle import OPENJD_PARAMS, TEMPLATE
    from ft_dcc.farm.plan import Submission
    from ft_dcc.farm.submit import submit

    folder, batch = submit(
        Submission(
            scenes=list(args.scenes), host=args.host, task=args.task,
            review_session_name=args.review_session, comment=args.comment,
            frames=args.frames, chunks=args.chunks, camera=args.camera, python=args.python,
            work_dir=args.work_dir,
        ),
        args.output,
    )  # fmt: skip
    print(f"Wrote the job bundle {folder}: {len(batch.scenes)} scene(s) into the review "
          f"session {batch.review_session_name!r}.")  # fmt: skip
    for scene in batch.scenes:
        parts = f"{scene.parts} capture part(s), then " if scene.parts else ""
        print(f"  {scene.label}: {scene.host}, task {scene.task}: {parts}publish")
    print(f"Run it here:  {run_here_command(folder / TEMPLATE, folder / OPENJD_PARAMS)}")
    print(f"On Deadline Cloud:  deadline bundle submit {shlex.quote(str(folder))}")
    return 0


def run_here_command(template: Path, params: Path) -> str:
    """The ``openjd run`` command of a bundle on this machine, working as pasted into any shell:
    ``openjd`` by its path when it is not on PATH (a venv not activated), the steps run by this
    Python (which has ft_dcc; the bundle's ``FtDccPython`` is the nodes'), paths quoted."""
    import shutil
    import sys

    beside = Path(sys.executable).with_name("openjd")  # the venv's (its bin may not be on PATH)
    on_path = shutil.which("openjd") is not None
    openjd = "openjd" if on_path or not beside.is_file() else str(beside)
    words = [openjd, "run", str(template), "--job-param", f"file://{params}",
             "--job-param", f"FtDccPython={sys.executable}"]  # fmt: skip
    command = " ".join(shlex.quote(word) for word in words)
    return command if on_path or beside.is_file() else f"pip install openjd-cli && {command}"


def run_capture(args: argparse.Namespace) -> int:
    from ft_dcc.farm.capture import CapturePart, capture_or_skip
    from ft_dcc.farm.staging import WorkFolder

    record, skipped = capture_or_skip(
        CapturePart(
            scene=Path(args.scene), host=args.host, work=WorkFolder(Path(args.work)),
            part=args.part, parts=args.parts, frames=args.frames, camera=args.camera,
            key=args.key,
        )
    )  # fmt: skip
    what = f"frames {record.frames[0]}-{record.frames[1]}" if record.frames else "no frames"
    done = "already captured: part" if skipped else "captured part"
    print(f"{done} {record.part} of {record.parts} of {args.scene}: {what}")
    return 0


def run_publish(args: argparse.Namespace) -> int:
    from ft_dcc.farm.publish_step import PublishJob, run_publish_step
    from ft_dcc.farm.staging import WorkFolder
    from ft_dcc.publish.commands import quiet_pyblish_logging

    quiet_pyblish_logging()
    return run_publish_step(
        PublishJob(
            scene=Path(args.scene), host=args.host, work=WorkFolder(Path(args.work)),
            parts=args.parts, key=args.key, task=args.task,
            review_session_name=args.review_session, comment=args.comment,
            frames=args.frames, camera=args.camera,
        )
    )  # fmt: skip


SUBMIT_ARGUMENTS = (
    arg(
        "scenes",
        nargs="+",
        metavar="SCENE",
        help="scene files, movies or image sequences (shot.####.exr or one of its frames)",
    ),
    arg(
        "--host",
        choices=HOST_CHOICES,
        help="default: from each SCENE's extension (.blend blender, .ma/.mb maya, .nk nuke, "
        "else files)",
    ),
    arg(
        "--task",
        help="the task of every scene (id or Project/Seq/Shot/Task; default: each "
        "scene's path through the paths.task_templates setting)",
    ),
    arg(
        "--review-session",
        help="the review session of the whole batch (default: the "
        "naming.review_session setting, e.g. Dailies <date>)",
    ),
    arg("--comment", default="", help="the versions' comment"),
    arg(
        "--frames",
        metavar="START-END",
        type=parse_frames,
        help="the range of every scene (default: each scene's own)",
    ),
)
#: how ``farm submit``'s bundle runs: parts, camera, the nodes' Python, its folders
BUNDLE_OPTIONS = (
    arg(
        "--chunks",
        type=int,
        default=2,
        metavar="N",
        help="capture parts per scene, run in parallel (Blender, image sequences; default 2)",
    ),
    arg("--camera", help="the camera to capture through (default: the scene's)"),
    arg(
        "--python",
        default="python3",
        metavar="COMMAND",
        help="the Python with ft_dcc on the nodes (job parameter FtDccPython; default python3)",
    ),
    arg(
        "--work-dir",
        metavar="DIR",
        help="where the steps stage frames, shared by the nodes (default: the bundle's work/)",
    ),
    arg("--output", metavar="DIR", help="the bundle's folder (default: a new folder, printed)"),
)
SUBMIT = Command(
    "submit",
    "write a job bundle publishing SCENE... into one review session",
    run_submit,
    (*SUBMIT_ARGUMENTS, *BUNDLE_OPTIONS),
    "Write an Open Job Description job bundle (template.json and parameter_values.json) that "
    "publishes every SCENE into one review session: per scene, capture parts in parallel "
    "(Blender, image sequences), then one encode + publish step. Nothing is sent to the server "
    "but reads (the settings, the task); run the bundle with 'openjd run' or 'deadline bundle "
    "submit'.",
)
#: what both steps of a job are given: the scene, its host, the shared folder, the parts
STEP_ARGUMENTS = (
    arg("--scene", required=True),
    arg("--host", choices=HOST_CHOICES, required=True),
    arg("--work", required=True, metavar="DIR"),
    arg("--parts", type=int, required=True),
    arg("--frames", type=parse_frames, metavar="START-END"),
    arg("--camera"),
)
CAPTURE_STEP = Command(
    "capture",
    "(a farm step) capture one part of a scene's frames",
    run_capture,
    (
        *STEP_ARGUMENTS,
        arg("--part", type=int, required=True),
        arg("--key", help="the bundle's publish key: a part it captured is skipped"),
    ),
    "Run by a job's capture step: capture part --part of --parts of SCENE's frames into --work.",
)
PUBLISH_STEP = Command(
    "publish",
    "(a farm step) encode and publish one scene, once",
    run_publish,
    (
        *STEP_ARGUMENTS,
        arg("--key", required=True),
        arg("--task", required=True),
        arg("--review-session", required=True),
        arg("--comment", default=""),
    ),
    "Run by a job's publish step: publish the frames the capture parts staged in --work (or the "
    "scene itself, for Maya, Nuke and movies), unless a version already carries --key.",
)
FARM = Command(
    "farm",
    "publish scenes on a render farm (an Open Job Description job bundle)",
    description="Write a job bundle that publishes scenes for review on a farm (openjd run, AWS "
    "Deadline Cloud). See docs/farm.md.",
    actions=(SUBMIT, CAPTURE_STEP, PUBLISH_STEP),
)
COMMANDS = (FARM,)
