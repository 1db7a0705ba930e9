"""Publishing a scene in a host's own Python, without a UI: what every host adapter shares.

The caller (``ft-dcc publish SCENE --host X``, a farm node's publish step) writes a request
file, runs the host's command on it and reads back a result file; the script running inside the
host reads the request, publishes and always writes the result::

    request.json  ``publish``: the typed request, in its one JSON form
                  (:mod:`ft_dcc.publish.request.wire`), ``input`` (the scene), ``python_path``
                  (folders that make ft_dcc importable in the host, see ``pythonpath.py``),
                  ``result`` (where to write the outcome); :class:`HeadlessRequest`
    result.json   ``{"exit_code", "report", "text"}`` (``hint`` too when publishing raised)

Caller side: :class:`HeadlessPublish` (what to publish where), :func:`existing_scene`,
:func:`publish_in_host`, :func:`run_with_request`, :func:`print_outcome`. Host side:
:func:`main` (or :func:`run`, which exits) and :func:`publish_request_of`, imported by the
host's script once it has put ``python_path`` on ``sys.path``, so this module imports only the
stdlib and ft_dcc's light modules (the request's JSON is read where it is used).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Callable,
    List,
    NamedTuple,
    NoReturn,
    Optional,
    Sequence,
    TypedDict,
)

from ft_dcc.console import ConsoleProgress
from ft_dcc.exceptions import HostError
from ft_dcc.host.pythonpath import ensure_hosts_package, python_paths, request_path
from ft_dcc.progress import Progress, null_progress
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.publish.request.options import (
    parse_frames as parse_frames,  # the hosts' scripts read it here
)

if TYPE_CHECKING:  # pragma: no cover - the pipeline is imported inside the host, when it runs
    from ft_dcc.publish.common.report import PublishReport
    from ft_dcc.publish.request.request import PublishRequest, PublishRuntime

log = logging.getLogger(__name__)

#: the start of a progress line a host writes for its caller (see :func:`progress_to_caller`)
PROGRESS_MARK = "@ft_dcc-progress "

#: how many lines of the host's output a "stopped before publishing" message quotes
STOPPED_TAIL_LINES = 30


class HostVersion(TypedDict):
    """Which Blender ran a headless script (Blender's outcomes carry it as ``blender``)."""

    version: List[int]  # [major, minor]
    module: bool  # the ``bpy`` module, not the executable


class HeadlessRequest(TypedDict, total=False):
    """``request.json``: what a headless script is started with."""

    input: str  # the scene (absolute)
    result: str  # where the script writes its outcome
    python_path: List[str]  # folders that make ft_dcc importable in the host
    publish: JsonObject  # the typed request (ft_dcc.publish.request.wire.request_to_json)
    #: the artist's own request, in the same form (what a queued publish journals; absent: the
    #: journal works the artist's choices out from ``publish``)
    asked: JsonObject
    scene_version: Optional[Sequence[int]]  # Blender: the version that saved the scene
    # -- a farm node's capture of one part (ft_dcc.farm.capture, Blender's farm_capture.py)
    frames: Optional[List[int]]
    part: int
    parts: int
    camera: Optional[str]
    out_dir: str


class HeadlessPublish(NamedTuple):
    """A publish a host runs headless: its scene, the typed request it publishes, and how the
    caller reports it (``report``: also save the report there, whatever the host did;
    ``json``: print it as JSON)."""

    scene: Path
    request: PublishRequest
    report: Optional[Path] = None
    json: bool = False
    asked: Optional[PublishRequest] = None  # the artist's own request, when it was settled


class _OutcomeKeys(TypedDict):
    exit_code: int
    report: Optional[JsonObject]  # the PublishReport's JSON data; None when none was made
    text: str  # what the artist reads


class Outcome(_OutcomeKeys, total=False):
    """What a headless script tells its caller (``result.json``), ``log`` added by the caller."""

    hint: str  # what to do, when publishing raised
    details: str  # every step: what ``ft-dcc -v`` prints
    log: str  # the host's output (added by the caller, :func:`read_outcome`)
    # Blender: its version, and ``too_old`` when it cannot open the scene
    blender: HostVersion
    too_old: bool
    # a farm node's capture of one part (``farm_capture.py``)
    files: List[str]
    frames: List[int]
    fps: str


def tail(text: str, lines: int) -> str:
    """The last ``lines`` lines of ``text``, ending with a newline unless empty."""
    kept = text.splitlines()[-lines:]
    return "\n".join(kept) + ("\n" if kept else "")


# -- caller side ---------------------------------------------------------------------------


def existing_scene(path: object, kind: str) -> Path:
    """``path`` as a path (``~`` expanded); a :class:`HostError` naming ``kind`` (e.g. "Maya
    scene") when no such file exists."""
    scene = Path(str(path)).expanduser()
    if not scene.is_file():
        raise HostError(f"The {kind} {scene} does not exist.", hint="check the path and try again")
    return scene


def run_with_request(
    payload: HeadlessRequest,
    command_for: Callable[[Path], Sequence[str]],
    host_name: str,
    timeout: Optional[float] = None,
    progress: Progress = null_progress,
) -> subprocess.CompletedProcess:
    """Write ``payload`` to a temporary ``request.json``, run ``command_for(request_file)``
    and return the finished process (stdout and stderr together in ``stdout``, as text).
    The host's progress lines (:func:`progress_to_caller`) go to ``progress`` as they come,
    not into the output.

    A host still running after ``timeout`` seconds is killed and reported as a
    :class:`HostError` quoting its last output; a command that cannot start raises ``OSError``.
    """
    with tempfile.TemporaryDirectory(prefix="ft_dcc-request-") as tmp:
        request_file = Path(tmp) / "request.json"
        request_file.write_text(json.dumps(payload, default=str), encoding="utf-8")
        command = [str(part) for part in command_for(request_file)]
        log.info("running %s", " ".join(command))
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        output: List[str] = []
        reader = threading.Thread(target=_read_output, args=(process, output, progress))
        reader.start()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            reader.join()
            raise HostError(
                f"{host_name} did not finish within {timeout:g} seconds and was stopped. "
                f"Its last output:\n{tail(''.join(output), STOPPED_TAIL_LINES)}",
                hint="run 'ft-dcc -v publish' to see everything it printed, or allow more time",
            ) from exc
        reader.join()
        return subprocess.CompletedProcess(command, process.returncode, "".join(output))


def _read_output(process: subprocess.Popen, output: List[str], progress: Progress) -> None:
    """Collect ``process``'s output lines; hand its progress lines to ``progress``."""
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith(PROGRESS_MARK):
            try:
                stage, fraction, message = json.loads(line[len(PROGRESS_MARK) :])
            except ValueError:
                output.append(line)
                continue
            progress(stage, fraction, message)
        else:
            output.append(line)


def progress_to_caller(stage: str, fraction: float, message: str = "") -> None:
    """Inside the host: a progress sink that hands each update to the calling ``ft-dcc``
    (one marked line on stdout, which :func:`run_with_request` reads as it comes)."""
    sys.stdout.write(PROGRESS_MARK + json.dumps([stage, fraction, message]) + "\n")
    sys.stdout.flush()


def read_outcome(
    result_file: Path, process: subprocess.CompletedProcess, host_name: str
) -> Outcome:
    """The outcome the host wrote to ``result_file`` plus ``log`` (its output); when it wrote
    none, exit status 1 (or the host's) and a text quoting the host's last output."""
    if not result_file.is_file():
        last = "\n".join(process.stdout.splitlines()[-STOPPED_TAIL_LINES:])
        return {
            "exit_code": process.returncode or 1,
            "report": None,
            "text": f"{host_name} stopped before publishing (exit status "
            f"{process.returncode}). Its last output:\n{last}",
            "log": process.stdout,
        }
    outcome: Outcome = json.loads(result_file.read_text(encoding="utf-8"))
    outcome["log"] = process.stdout
    return outcome


def publish_in_host(
    publish: HeadlessPublish,
    run: Callable[[HeadlessRequest], subprocess.CompletedProcess],
    host_name: str,
    extra: Optional[HeadlessRequest] = None,
) -> Outcome:
    """Publish ``publish.scene`` in a host: ``run(payload)`` runs the host's headless script on
    the request file (``extra`` plus ``publish``: the typed request's JSON, written here, once);
    return the outcome (``exit_code``, ``report``, ``text``, maybe ``hint``, and ``log``: the
    host's output). With ``publish.report`` the report is saved there, whatever the host did."""
    from ft_dcc.publish.request.wire import request_to_json

    payload = extra.copy() if extra else HeadlessRequest()
    payload["publish"] = request_to_json(publish.request)
    if publish.asked is not None:
        payload["asked"] = request_to_json(publish.asked)
    outcome = run_in_host(payload, publish.scene, run, host_name)
    if publish.report is not None:  # ft-dcc publish --report FILE, whatever the host did
        save_report(publish.report, outcome)
    return outcome


def run_in_host(
    payload: HeadlessRequest,
    scene: Path,
    run: Callable[[HeadlessRequest], subprocess.CompletedProcess],
    host_name: str,
) -> Outcome:
    """Run a host's headless script on ``payload`` plus ``input`` (``scene``), ``result`` and
    ``python_path``; return its outcome (``log``: the host's output)."""
    with tempfile.TemporaryDirectory(prefix="ft_dcc-publish-") as tmp:
        result_file = Path(tmp) / "result.json"
        request = payload.copy()
        request["input"], request["result"] = str(scene.resolve()), str(result_file)
        request["python_path"] = python_paths()
        process = run(request)
        return read_outcome(result_file, process, host_name)


def save_report(path: Path, outcome: Outcome) -> Path:
    """Write the outcome's report (or a failed one quoting its text) as JSON at ``path``, as
    ``ft-dcc publish --report FILE`` of the files host does."""
    from ft_dcc.publish.common.atomic import atomic_write_json
    from ft_dcc.publish.common.report import failed_report

    data = outcome.get("report") or failed_report([outcome["text"]])
    return atomic_write_json(path.expanduser(), data)


def terminal_progress(as_json: bool) -> ConsoleProgress:
    """The caller's progress display for a headless publish: a bar on a terminal, plain lines
    elsewhere or when the report is printed as JSON."""
    return ConsoleProgress(sys.stderr, plain=True if as_json else None)


def print_outcome(outcome: Outcome, as_json: bool, repaired: bool = True) -> int:
    """Print the report (its JSON data, or its text and hint; unless the publish ran the
    repairs, how to ask for those its failed checks offer); return the exit status."""
    if as_json:
        data = outcome.get("report")
        if data is None:
            data = {"ok": False, "errors": [outcome["text"]]}
        print(json.dumps(data, indent=2, default=str))
    else:
        verbose = logging.getLogger().isEnabledFor(logging.INFO)  # ft-dcc -v
        print(outcome.get("details") if verbose and outcome.get("details") else outcome["text"])
        if outcome.get("hint"):
            print(outcome["hint"])
        from ft_dcc.publish.common.report import repair_line

        line = None if repaired else repair_line(outcome.get("report") or {})
        if line:
            print(line)
    return int(outcome["exit_code"])


# -- host side -----------------------------------------------------------------------------


def read_request(argv: Sequence[str]) -> HeadlessRequest:
    """The request a headless script was started with (see :func:`request_path`)."""
    request: HeadlessRequest = json.loads(request_path(argv).read_text(encoding="utf-8"))
    return request


def publish_request_of(request: HeadlessRequest) -> PublishRequest:
    """Inside the host: the typed request the caller wrote (``request['publish']``, in the one
    JSON form of :mod:`ft_dcc.publish.request.wire`; the previous release's too); a
    :class:`~ft_dcc.exceptions.RequestError` naming a field that is unknown or mistyped."""
    from ft_dcc.exceptions import RequestError
    from ft_dcc.publish.request.wire import request_from_json

    if "publish" not in request:
        raise RequestError("the request file holds no publish request (its 'publish' field)")
    return request_from_json(request["publish"])


def runtime_of(request: HeadlessRequest) -> PublishRuntime:
    """Inside the host: how its publish runs: progress to the caller, and the artist's own
    request the caller wrote beside the settled one (``request['asked']``, same form: what a
    queued publish journals; absent in a previous release's request file, whose settled request
    is then journaled as it came)."""
    from ft_dcc.publish.request.request import PublishRuntime
    from ft_dcc.publish.request.wire import request_from_json

    asked = request_from_json(request["asked"]) if "asked" in request else None
    return PublishRuntime(progress=progress_to_caller, asked=asked)


def outcome_of(report: PublishReport) -> Outcome:
    """A finished publish's outcome for the caller: its exit status, the report's data and the
    artist-readable text."""
    return {
        "exit_code": report.exit_code,
        "report": json.loads(report.to_json()),
        "text": report.format(),
        "details": report.format(verbose=True),  # every step: what ft-dcc -v prints
    }


def main(argv: Sequence[str], publish_request: Callable[[HeadlessRequest], Outcome]) -> int:
    """Inside the host: read the request, ``publish_request(request)``, and write its outcome
    to ``request['result']``, also when publishing raised (then exit status 1, the error as
    text and its hint). Return the exit status. ``ft_dcc_hosts`` imports from here on."""
    ensure_hosts_package()
    request = read_request(argv)
    outcome: Outcome
    try:
        outcome = publish_request(request)
    except Exception as exc:
        traceback.print_exc()
        outcome = {
            "exit_code": 1,
            "report": None,
            "text": f"Publish failed: {exc}",
            "hint": getattr(exc, "hint", ""),
        }
    Path(request["result"]).write_text(json.dumps(outcome, default=str), encoding="utf-8")
    return int(outcome["exit_code"])


def run(argv: Sequence[str], publish_request: Callable[[HeadlessRequest], Outcome]) -> NoReturn:
    """A headless script's ``__main__``: :func:`main`, flush the output, exit with its status."""
    code = main(argv, publish_request)
    sys.stdout.flush()
    sys.stderr.flush()
    sys.exit(code)
