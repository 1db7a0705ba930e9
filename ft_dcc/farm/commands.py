"""``ft-dcc farm submit`` (a TD's command) and ``ft-dcc farm capture|publish`` (what the job's
steps run on a node). Stdlib-only imports at module top, as every command module."""

from __future__ import annotations

import argparse
import shlex
import sys
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
            review_session_name=args.review_session,
            new_review_session=args.new_review_session, comment=args.comment,
            frames=args.frames, chunks=args.chunks, camera=args.camera, python=args.python,
            work_dir=args.work_dir,
        ),
        args.output,
    )  # fmt: skip
    for note in batch.notes:
        print(f"warning: {note}", file=sys.stderr)
    print(f"Wrote the job bundle {folder}: {len(batch.scenes)} scene(s) into the review "
          f"session {batch.review_session_name!r}.")  # fmt: skip
    for scene in batch.scenes:
        parts = f"{scene.parts} capture part(s), then " if scene.parts else ""
        links = f"; {len(scene.links)} linked file(s) travel with it" if scene.links else ""
        print(f"  {scene.label}: {scene.host}, task {scene.task}: {parts}publish{links}")
    print(f"Run it here:  {run_here_command(folder / TEMPLATE, folder / OPENJD_PARAMS)}")
    print(f"On Deadline Cloud:  deadline bundle submit {shlex.quote(str(folder))}")
    return 0


def run_here_command(template: Path, params: Path) -> str:
    """The ``openjd run`` command of a bundle on this machine, working as pasted into any shell:
    ``openjd`` by its path when it is not on PATH (a venv not activated), the steps run by this
    Python (which has ft_dcc; the bundle's ``FtDccPython`` is the nodes'), paths quoted."""
    import shutil

    beside = Path(sys.executable).with_name("openjd")  # the venv's (its bin may not be on PATH)
    on_path = shutil.which("openjd") is not None
    openjd = "openjd" if on_path or not beside.is_file() else str(beside)
    words = [openjd, "run", str(template), "--job-param", f"file://{params}",
             "--job-param", f"FtDccPython={sys.executable}"]  # fmt: skip
    command = " ".join(shlex.quote(word) for word in words)
    return command if on_path or beside.is_file() else f"pip install openjd-cli && {command}"


def run_capture(args: argparse.Namespace) -> int:
    from ft_dcc.farm.capture import CapturePart, capture_or_skip
    from ft_dcc.farm.scenes_file import load_scene
    from ft_dcc.farm.staging import WorkFolder

    scene, _task = load_scene(args.scenes, args.index, args.path_mapping)
    record, skipped = capture_or_skip(
        CapturePart(
            scene=scene, host=args.host, work=WorkFolder(Path(args.work)),
            part=args.part, parts=args.parts, frames=args.frames, camera=args.camera,
            key=args.key,
        )
    )  # fmt: skip
    what = f"frames {record.frames[0]}-{record.frames[1]}" if record.frames else "no frames"
    done = "already captured: part" if skipped else "captured part"
    print(f"{done} {record.part} of {record.parts} of {scene}: {what}")
    return 0


def run_publish(args: argparse.Namespace) -> int:
    from ft_dcc.farm.publish_step import PublishJob, run_publish_step
    from ft_dcc.farm.scenes_file import load_scene
    from ft_dcc.farm.staging import WorkFolder
    from ft_dcc.publish.commands import quiet_pyblish_logging

    quiet_pyblish_logging()
    scene, task = load_scene(args.scenes, args.index, args.path_mapping)
    return run_publish_step(
        PublishJob(
            scene=scene, host=args.host, work=WorkFolder(Path(args.work)),
            parts=args.parts, key=args.key, task=task,
            review_session_name=args.review_session,
            new_review_session=args.new_review_session != "no", comment=args.comment,
            frames=args.frames, camera=args.camera, rate=args.rate,
        )
    )  # fmt: skip


def run_environment(args: argparse.Namespace) -> int:
    """The job environment's start on a node: name the DCCs the job gives (as OpenJD's
    ``openjd_env`` lines, set for every later step) and check each is there."""
    import os
    import shutil

    from ft_dcc import __version__
    from ft_dcc.exceptions import FarmError
    from ft_dcc.farm.template import DCC_PARAMETERS
    from ft_dcc.host.integrations import find_integration

    print(f"ft_dcc {__version__} on this node ({sys.executable})")
    for host, (_, variable, what) in DCC_PARAMETERS.items():
        given = getattr(args, host)
        if given is None:
            continue  # the job has no step of this DCC
        status = ""
        if given.strip():
            named = given.strip()
            if not (Path(named).is_file() or shutil.which(named)):
                status = f"the job parameter {DCC_PARAMETERS[host][0]} names {named}, not here"
            os.environ[variable] = named
            print(f"openjd_env: {variable}={named}")
        status = status or find_integration(host).status()
        if not status.startswith("ready"):
            raise FarmError(
                f"this node cannot run the job's {host} steps: {status}",
                hint=f"install {what} on the node, or give the job parameter "
                f"{DCC_PARAMETERS[host][0]}",
            )
        print(f"{host}: {status}")
    return 0


def run_flush(args: argparse.Namespace) -> int:
    from ft_dcc.farm.flush import flush_folders

    return flush_folders(Path(folder).expanduser().absolute() for folder in args.folders)


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
    arg(
        "--new-review-session",
        action="store_true",
        help="create --review-session even when its name is one typo from an open session's "
        "(the bundle's job parameter NewReviewSession)",
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
    arg("--scenes", required=True, metavar="FILE", help="the job's scenes file (scenes.json)"),
    arg("--index", type=int, required=True, help="which scene of the file"),
    arg("--path-mapping", metavar="FILE", help="the session's path-mapping rules (OpenJD)"),
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
        arg("--rate", metavar="FPS", help="the rate of frames that carry none (the shot's)"),
        arg("--review-session", required=True),
        arg(
            "--new-review-session",
            nargs="?",
            default="no",
            choices=("yes", "no"),
            help="yes (or no value): create --review-session even when one typo from an open "
            "session's",
        ),
        arg("--comment", default=""),
    ),
    "Run by a job's publish step: publish the frames the capture parts staged in --work (or the "
    "scene itself, for Maya, Nuke and movies), unless a version already carries --key.",
)
ENVIRONMENT_STEP = Command(
    "environment",
    "(a farm job's environment) name and check the DCCs of the job's steps on this node",
    run_environment,
    tuple(arg(f"--{host}", metavar="EXECUTABLE") for host in ("blender", "maya", "nuke")),
    "Run as a job's environment starts on a node: for each --DCC given, point ft_dcc at "
    "EXECUTABLE (empty: the node's own) and fail at once, saying what to install, when the "
    "node cannot run it.",
)
FLUSH = Command(
    "flush",
    "send the publishes a farm job kept in its work folder while the server was down",
    run_flush,
    (arg("folders", nargs="+", metavar="FOLDER", help="a job bundle's folder or a work folder"),),
    "A publish step that could not reach the server exits 75 and keeps its publish in the "
    "scene's work folder. Send every such publish under FOLDER (a bundle: its WorkDir), once: "
    "a scene whose version is on the server already is not published again. Exit 0 all sent, "
    "75 the server still down, 1 one failed.",
)
FARM = Command(
    "farm",
    "publish scenes on a render farm (an Open Job Description job bundle)",
    description="Write a job bundle that publishes scenes for review on a farm (openjd run, AWS "
    "Deadline Cloud). See docs/farm.md.",
    actions=(SUBMIT, FLUSH, CAPTURE_STEP, PUBLISH_STEP, ENVIRONMENT_STEP),
)
COMMANDS = (FARM,)
