"""``ft-dcc demo``: the README's main job, end to end on this machine.

Starts the embedded server in the background (unless one already answers), creates a demo
project/sequence/shot/task, builds an animated Blender scene, publishes its playblast into
today's review session ("Dailies YYYY-MM-DD") and prints where to watch it. Run it again to
publish v002 into the same session; ``ft-dcc demo --stop`` stops the server it started.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Optional, Protocol, Tuple, TypedDict, runtime_checkable

from ft_dcc import protocol
from ft_dcc.commands_base import Command, arg
from ft_dcc.exceptions import ConfigurationError
from ft_dcc.progress import Progress

if TYPE_CHECKING:  # pragma: no cover - Unpack is typing's from Python 3.11
    from typing_extensions import Unpack

    from ft_dcc.host.headless import HeadlessPublish, Outcome
    from ft_dcc.session.interface import PublishSession

PROJECT = "ft_dcc_demo"
SEQUENCE = "sq010"
SHOT = "sh010"
TASK = "animation"
DEFAULT_PORT = 8765


def default_base() -> Path:
    """The app-data folder the embedded server and the offline queue also use by default."""
    from ft_dcc.protocol.app_data import user_data_dir

    return user_data_dir()


class DemoPaths:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.server_data = base / "server"
        self.credentials = self.server_data / "credentials.env"
        self.pid_file = base / "demo-server.pid"
        self.server_log = base / "demo-server.log"
        self.scene = base / "demo" / "ft_dcc_demo.blend"


def _answers(url: str) -> bool:
    import requests

    try:
        return requests.get(url.rstrip("/") + "/", timeout=2).status_code < 500
    except requests.RequestException:
        return False


def read_credentials(path: Path) -> Dict[str, str]:
    """``FTRACK_*`` values from a ``credentials.env`` (``export KEY=value`` lines)."""
    values: Dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def _start_server(paths: DemoPaths, port: int) -> int:
    paths.base.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("FTRACK_API_USER", "FTRACK_API_KEY")}
    command = [sys.executable, "-m", "ft_dcc", "server", "--data", str(paths.server_data)]
    command += ["--port", str(port)]
    # private log (0600): it names users and paths; the server never writes a key to it
    fd = os.open(paths.server_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.chmod(paths.server_log, 0o600)
    with open(fd, "ab") as log_file:
        process = subprocess.Popen(
            command,
            stdout=log_file,
            stderr=log_file,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # keeps running after this command returns
        )
    paths.pid_file.write_text(str(process.pid), encoding="utf-8")
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            from ft_dcc.exceptions import HostError

            raise HostError(
                f"The embedded server stopped at once (exit status {process.returncode}).",
                hint=f"read {paths.server_log}; is port {port} taken? try --port",
            )
        if _answers(url):
            return process.pid
        time.sleep(0.2)
    raise TimeoutError(f"the embedded server did not answer on {url} within 60 s")


def connect(paths: DemoPaths, port: int) -> Tuple[Dict[str, str], Optional[int]]:
    """FTRACK_* values of a server that answers, starting the embedded one when needed."""
    from ft_dcc.exceptions import ConfigurationError

    configured = os.environ.get("FTRACK_SERVER", "")
    if configured and _answers(configured):
        missing = [k for k in ("FTRACK_API_USER", "FTRACK_API_KEY") if not os.environ.get(k)]
        if missing:
            raise ConfigurationError(
                f"FTRACK_SERVER={configured} answers but {', '.join(missing)} is not set.",
                hint="set the API user and key, or unset FTRACK_SERVER to use the embedded server",
            )
        return {
            "FTRACK_SERVER": configured,
            "FTRACK_API_USER": os.environ["FTRACK_API_USER"],
            "FTRACK_API_KEY": os.environ["FTRACK_API_KEY"],
        }, None
    url = f"http://127.0.0.1:{port}"
    started = None
    if not _answers(url):
        started = _start_server(paths, port)
    if not paths.credentials.is_file():
        raise ConfigurationError(
            f"A server answers on {url} but {paths.credentials} does not exist, so the demo "
            "does not know its API key.",
            hint="set FTRACK_SERVER/FTRACK_API_USER/FTRACK_API_KEY for it, or use --port/--data",
        )
    values = read_credentials(paths.credentials)
    if values.get("FTRACK_SERVER") != url:
        point_credentials(paths.credentials, url)
    values["FTRACK_SERVER"] = url
    return values, started


def point_credentials(path: Path, url: str) -> None:
    """Make ``credentials.env``'s ``FTRACK_SERVER`` the server the demo uses (the file was written
    at the data dir's first start, maybe on another ``--port``): sourcing it must reach this one."""
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if "FTRACK_SERVER=" not in line]
    text = "\n".join([*kept, f"export FTRACK_SERVER={url}"]) + "\n"
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def _first(session: PublishSession, expression: str) -> Any:
    return session.query(expression).first()


def ensure_demo_task(session: PublishSession, frame_start: int, frame_end: int) -> str:
    """Create the demo project/sequence/shot/task if missing (``context create``'s work); the
    shot's range is set only when it has none (the demo scene, once built, keeps its range)."""
    from ft_dcc.publish.context.context_create import ContextSpec, ensure_context

    def spec(frames: Optional[Tuple[int, int]] = None) -> ContextSpec:
        return ContextSpec(project=PROJECT, sequence=SEQUENCE, shot=SHOT, task=TASK, frames=frames)

    result = ensure_context(session, spec())
    if "fstart" not in result.shot_values or "fend" not in result.shot_values:
        ensure_context(session, spec((frame_start, frame_end)))
    return result.path


def shot_settings(session: PublishSession, default: Tuple[int, int]) -> Tuple[int, int, Fraction]:
    """The demo shot's fstart/fend/fps (the scene is built to match them)."""
    from ft_dcc.protocol.query_text import quote
    from ft_dcc.publish.host_port import to_fraction

    start, end, fps = default[0], default[1], Fraction(24)
    shot = _first(session, f"Shot where name is {quote(SHOT)} and project.name is {quote(PROJECT)}")
    if shot is None:
        return start, end, fps
    attributes = shot["custom_attributes"]
    for key in ("fstart", "fend", "fps"):
        try:
            value = attributes[key]
        except KeyError:
            continue
        if value is None:
            continue
        if key == "fstart":
            start = int(float(value))
        elif key == "fend":
            end = int(float(value))
        else:
            fps = to_fraction(value)
    return start, end, fps


def blender_rate(fps: Fraction) -> Tuple[int, float]:
    """Blender's ``fps``/``fps_base`` for a rate: 24000/1001 is 24 / 1.001."""
    whole = math.ceil(fps)
    return whole, float(whole / fps)


def stop(paths: DemoPaths) -> int:
    """Stop the server an earlier ``ft-dcc demo`` started."""
    if not paths.pid_file.is_file():
        print(f"No demo server was started from {paths.base} (no {paths.pid_file.name}).")
        return 0
    pid = int(paths.pid_file.read_text(encoding="utf-8").strip())
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists() and b"ft_dcc" not in cmdline.read_bytes():
        print(f"Process {pid} is not the demo server any more; nothing stopped.")
        paths.pid_file.unlink()
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        print(f"The demo server (pid {pid}) was not running.")
    else:
        for _ in range(100):
            if _ended(pid):
                break
            time.sleep(0.1)
        print(f"Stopped the demo server (pid {pid}).")
    paths.pid_file.unlink()
    return 0


def _ended(pid: int) -> bool:
    """Whether the process ``pid`` has ended. When it is this process's child (``connect`` and
    ``stop`` in one program) it is reaped here: unreaped, its pid would stay taken."""
    if hasattr(os, "WNOHANG"):  # POSIX
        try:
            return os.waitpid(pid, os.WNOHANG)[0] == pid
        except ChildProcessError:  # not our child: its parent (or init) reaps it
            pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


class DemoSceneOptions(TypedDict, total=False):
    """How the demo scene is built (``hosts/blender/demo_scene.py``'s keys but ``path``)."""

    frame_start: int
    frame_end: int
    fps: int  # Blender's ``fps``/``fps_base`` pair (see :func:`blender_rate`)
    fps_base: float
    width: int
    height: int
    camera: bool  # add the shot camera
    save: bool  # save the scene to its path
    driven: bool  # the motion follows the scene's frame range (drivers, not keyframes)


@runtime_checkable
class DemoHost(Protocol):
    """What the demo needs of the Blender integration beyond ``HostIntegration``."""

    def build_demo_scene(self, path: Path, **options: Unpack[DemoSceneOptions]) -> Path: ...

    def publish_headless_result(
        self, publish: HeadlessPublish, progress: Progress = ...
    ) -> Outcome: ...


def _demo_host() -> DemoHost:
    from ft_dcc.exceptions import HostError
    from ft_dcc.host.integrations import find_integration

    blender = find_integration("blender")
    if not isinstance(blender, DemoHost):
        raise HostError(
            "the installed Blender integration cannot build and publish the demo scene",
            hint="reinstall ft-dcc with its Blender adapter",
        )
    return blender


def _build_scene(
    blender: DemoHost, scene: Path, frames: Tuple[int, int], fps: Fraction, size: Tuple[int, int]
) -> None:
    """Build the demo scene at ``scene``: the shot's ``frames`` at its ``fps``, ``size`` big."""
    print(f"Building the demo scene {scene} ...")
    rate, rate_base = blender_rate(fps)
    blender.build_demo_scene(
        scene,
        frame_start=frames[0],
        frame_end=frames[1],
        fps=rate,
        fps_base=rate_base,
        width=size[0],
        height=size[1],
    )


#: the demo shot's length and playblast size when ``--frames`` / ``--size`` are not given:
#: these variables, else 48 frames at 960x540 (the README test's terminal asks for a small shot:
#: each of its commands renders or encodes the demo scene's frames at the scene's size)
FRAMES_VARIABLE, SIZE_VARIABLE = "FT_DCC_DEMO_FRAMES", "FT_DCC_DEMO_SIZE"


def demo_frames(given: Optional[int]) -> int:
    """``--frames``, else ``$FT_DCC_DEMO_FRAMES``, else 48; :class:`ConfigurationError` for a
    length that is not a whole number of frames above 0, naming where it came from."""
    if given is not None:
        return _positive(given, "--frames")
    told = os.environ.get(FRAMES_VARIABLE)
    if not told:
        return 48
    try:
        return _positive(int(told), FRAMES_VARIABLE)
    except ValueError:
        raise _bad_shot(FRAMES_VARIABLE, told, "a whole number of frames, e.g. 12") from None


def demo_size(given: Optional[str]) -> str:
    """``--size``, else ``$FT_DCC_DEMO_SIZE``, else 960x540."""
    return given or os.environ.get(SIZE_VARIABLE) or "960x540"


def demo_shape(given: Optional[str]) -> Tuple[int, int]:
    """(width, height) of :func:`demo_size`; :class:`ConfigurationError` names the option or
    variable whose value is not ``WxH``."""
    size = demo_size(given)
    where = "--size" if given else SIZE_VARIABLE
    try:
        width, height = (int(v) for v in size.lower().split("x"))
    except ValueError:
        raise _bad_shot(where, size, "WxH in pixels, e.g. 320x180") from None
    if width <= 0 or height <= 0:
        raise _bad_shot(where, size, "WxH in pixels, e.g. 320x180")
    return width, height


def _positive(frames: int, where: str) -> int:
    if frames <= 0:
        raise _bad_shot(where, str(frames), "a whole number of frames, e.g. 12")
    return frames


def _bad_shot(where: str, value: str, wanted: str) -> ConfigurationError:
    return ConfigurationError(
        f"The demo shot's {where} is {value!r}: give {wanted}.",
        hint=f"fix or unset {where}" if where.isupper() else f"fix {where}",
    )


def _handle(args: argparse.Namespace) -> int:
    from ft_dcc.console import ConsoleProgress

    paths = DemoPaths(Path(args.data) if args.data else default_base())
    if args.stop:
        return stop(paths)
    width, height = demo_shape(args.size)
    frames = demo_frames(args.frames)
    credentials, started = connect(paths, args.port)
    os.environ.update(credentials)
    server = credentials["FTRACK_SERVER"]
    if started:
        print(f"Started the embedded ftrack server at {server} (pid {started}).")
    else:
        print(f"Using the ftrack server at {server}.")

    from ft_dcc import Session

    def open_session() -> Any:
        return Session(
            server_url=server,
            api_user=credentials["FTRACK_API_USER"],
            api_key=credentials["FTRACK_API_KEY"],
        )

    first, last = 1001, 1000 + frames
    with open_session() as session:
        task = ensure_demo_task(session, first, last)
    with open_session() as session:  # fresh: the shot's attributes as the server has them
        start, end, fps = shot_settings(session, (first, last))

    blender = _demo_host()
    if not paths.scene.is_file():
        _build_scene(blender, paths.scene, (start, end), fps, (width, height))
    from ft_dcc.review.sessions import default_review_session_name  # $FT_DCC_TODAY's dailies

    review_session = default_review_session_name()
    print(f"Publishing a playblast of {paths.scene.name} to {task} ...")
    progress = ConsoleProgress(sys.stderr)  # Blender's progress, as it comes
    from ft_dcc.host.headless import HeadlessPublish
    from ft_dcc.publish.request.request import PublishRequest

    request = PublishRequest(
        task=task,
        review_session_name=review_session,
        comment="ft_dcc demo: playblast of the bouncing cube",
    )
    outcome = blender.publish_headless_result(
        HeadlessPublish(scene=paths.scene, request=request), progress=progress
    )
    progress.close()
    lines = outcome["text"].splitlines() or [""]
    print(outcome["text"] if outcome["exit_code"] != 0 or args.verbose else lines[0])
    if outcome["exit_code"] != 0:
        sys.stderr.write(outcome.get("log", "")[-3000:])
        return int(outcome["exit_code"])
    report = outcome.get("report") or {}
    ours = started is not None or paths.pid_file.is_file()
    _print_where(server, credentials, report, paths, ours)
    return 0


def _print_where(
    server: str, credentials: Dict[str, str], report: Dict[str, Any], paths: DemoPaths, ours: bool
) -> None:
    movie_id = (report.get("component_ids") or {}).get("ftrackreview-mp4")
    url = report.get("review_url")
    if url and _is_web_page(url):
        print(f"Watch it:  {url}")
    if movie_id:
        version = report.get("version_number") or 0
        local = paths.scene.parent / f"ft_dcc_demo_v{version:03d}.mp4"
        if _download(f"{server}/component/get?id={movie_id}", credentials, local):
            print(f"Movie:     {local} (the review movie, downloaded from the server)")
        print(f"Component: {server}/component/get?id={movie_id} (needs the API key headers)")
    name, ident = report.get("review_session_name"), report.get("review_session_id")
    print(f"Review session: {name} (id {ident})")
    _print_terminal_commands(paths, name)
    if ours:
        print(f"Server log: {paths.server_log}; credentials: {paths.credentials}")
        data = f" --data {paths.base}" if paths.base != default_base() else ""
        print(f"Stop the server: {_this_command()} demo --stop{data}")


def _print_terminal_commands(paths: DemoPaths, review_session: Optional[str]) -> None:
    """What the README's "From a terminal" block runs next, with this demo's paths."""
    import shlex

    task = f"{PROJECT}/{SEQUENCE}/{SHOT}/{TASK}"
    print(f"Scene:     {paths.scene}")
    print("From a terminal (the README's next step):")
    activate = Path(sys.executable).parent / "activate"  # the venv's, when ft-dcc is not on PATH
    if _this_command() != "ft-dcc" and activate.is_file():
        print(f"  source {shlex.quote(os.path.relpath(activate))}")
    print(f"  source {shlex.quote(str(paths.credentials))}")
    print(f"  ft-dcc publish {shlex.quote(str(paths.scene))} --host blender --task {task}")
    if review_session:
        print(f"  ft-dcc review feedback {shlex.quote(review_session)}")


def _this_command() -> str:
    """How the user can run ``ft-dcc`` again: plain ``ft-dcc`` when it is on PATH, else its path
    (``make demo`` runs it from ``.venv/bin``, which is not on PATH)."""
    import shlex
    import shutil

    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    on_path = shutil.which("ft-dcc")
    if script is None or script.name != "ft-dcc":
        return "ft-dcc" if on_path else f"{shlex.quote(sys.executable)} -m ft_dcc"
    if on_path and Path(on_path).resolve() == script.resolve():
        return "ft-dcc"
    try:
        return shlex.quote(os.path.relpath(script))
    except ValueError:  # another drive on Windows
        return shlex.quote(str(script))


def _is_web_page(url: str) -> bool:
    import requests

    try:
        response = requests.get(url, timeout=5)
    except requests.RequestException:
        return False
    return response.status_code == 200 and "html" in response.headers.get("content-type", "")


def _download(url: str, credentials: Dict[str, str], target: Path) -> bool:
    import requests

    headers = {
        protocol.HEADER_USER: credentials["FTRACK_API_USER"],
        protocol.HEADER_API_KEY: credentials["FTRACK_API_KEY"],
    }
    try:
        with requests.get(url, headers=headers, timeout=60, stream=True) as response:
            if response.status_code != 200:
                return False
            with open(target, "wb") as handle:
                for chunk in response.iter_content(1 << 20):
                    handle.write(chunk)
    except (requests.RequestException, OSError):
        return False
    return True


DEMO = Command(
    "demo",
    "publish a Blender playblast to a local review server (the main job)",
    _handle,
    (
        arg("--data", type=Path, help="folder for the demo (default: user data dir)"),
        arg("--port", type=int, default=DEFAULT_PORT, help="embedded server port"),
        arg("--stop", action="store_true", help="stop the demo's embedded server"),
        arg(
            "--frames",
            type=int,
            help=f"length of the demo shot (default: ${FRAMES_VARIABLE}, else 48)",
        ),
        arg("--size", help=f"playblast resolution WxH (default: ${SIZE_VARIABLE}, else 960x540)"),
    ),
)
COMMANDS = (DEMO,)
