"""Helpers for the real-Blender tests: every Blender runs in a subprocess (a GL failure aborts
the whole process) with HOME and the XDG folders in a temp dir (``blender_env`` fixture)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
from shader_warmup import shader_cache_warmed
from support.cli import run_ft_dcc
from support.display import virtual_display
from support.trust import start_server
from support.user_env import user_environment

SCRIPTS = Path(__file__).resolve().parent / "scripts"
ROOT = Path(__file__).resolve().parents[2]


#: For a windowed Blender: no anti-aliasing of the interactive 3D view (the preference, not the
#: scene's). Its default (8 samples) draws the 3D view 8 times after each change, in software
#: GL here (~20% of test_gui.py's CPU). What the add-on draws, the scene's settings and a
#: viewport playblast (``render.opengl``: the scene's own samples) are the same; only the
#: screenshots' 3D view edges are not smoothed.
NO_VIEWPORT_AA = "import bpy; bpy.context.preferences.system.viewport_aa = 'OFF'"

#: For a windowed Blender run with ``--enable-event-simulate`` (the scripts click and type with
#: ``Window.event_simulate``): with it, Blender's main loop no longer sleeps when it has nothing
#: to do, so a window waiting on a timer, the server or a capture spins a whole core (an idle
#: window for 10 s: 11.5 CPU-s, against 1.8 without the flag). This timer, run on every pass of
#: the loop, sleeps the 5 ms Blender would have slept; simulated events are handled on the next
#: pass as before. ``persistent``: it stays when a script opens a .blend file.
IDLE_SLEEP = (
    "import bpy, time\n"
    "def _ft_dcc_test_idle():\n"
    "    time.sleep(0.005)\n"
    "    return 0.0\n"
    "bpy.app.timers.register(_ft_dcc_test_idle, persistent=True)"
)

#: A windowed Blender's screen (its window fills it): software GL fills every pixel it draws,
#: so no wider than the sidebar, toolbar and a 3D view beside them need (each redraw of the 3D
#: view, one per captured frame, is ~0.2 CPU-s at 1024 px wide; 864: the windowed tests ~5%
#: less CPU); 800 px high for the sidebar's panels (feedback_panel.py scrolls them).
SCREEN = "864x800x24"


def blender_environment(folder: Path) -> Dict[str, str]:
    """The environment for a Blender subprocess: HOME and XDG dirs under ``folder``, no
    FTRACK_* or FT_DCC_* leaks (the ``blender_env`` fixture; a module's shared Blender run)."""
    return user_environment(folder)


def has_bpy() -> bool:
    return importlib.util.find_spec("bpy") is not None


needs_bpy = pytest.mark.skipif(not has_bpy(), reason="the bpy module is not installed")
needs_gui_blender = pytest.mark.skipif(
    not (shutil.which("blender") and shutil.which("Xvfb")),
    reason="Debian blender and Xvfb are not installed (make system-deps)",
)


def script_result(output: str) -> Dict[str, Any]:
    """The JSON a test script printed on its ``RESULT`` line."""
    for line in reversed(output.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise AssertionError(
        f"the script printed no RESULT line; its output:\n{output[-4000:]}{crash_reports(output)}"
    )


def crash_reports(output: str) -> str:
    """The crash files a Blender that crashed says it wrote (``Writing: /tmp/<blend>.crash.txt``:
    its C and Python backtraces, the Python one of the thread that crashed), for the failure."""
    lines = output.splitlines()
    named = {line[len("Writing: ") :].strip() for line in lines if line.startswith("Writing: ")}
    texts = []
    for name in sorted(n for n in named if n.endswith(".crash.txt")):
        path = Path(name)
        text = path.read_text(errors="replace")[-6000:] if path.is_file() else "(gone)"
        texts.append(f"\n--- {name} ---\n{text}")
    return "".join(texts)


def run_bpy(
    script: str, args: List[Any], env: Dict[str, str], timeout: float = 600
) -> Dict[str, Any]:
    """Run ``scripts/<script>`` with the bpy module in a fresh Python; return its RESULT."""
    command = [sys.executable, str(SCRIPTS / script), "--", *map(str, args)]
    return _run(command, env, timeout)


def run_blender(
    script: str,
    args: List[Any],
    env: Dict[str, str],
    gui: bool = False,
    blend: Optional[Path] = None,
    timeout: float = 600,
    checkpoint: Optional[Callable[[Path], Any]] = None,
) -> Dict[str, Any]:
    """Run ``scripts/<script>`` in Debian's blender: background, or windowed on a private Xvfb
    (with :data:`IDLE_SLEEP` and :data:`NO_VIEWPORT_AA`; shader_warmup.py). Each
    ``CHECKPOINT <path>`` line the script prints calls ``checkpoint(path)``, then makes the
    file ``path`` the script waits for (the test looks while Blender waits)."""
    command = ["blender"]
    if not gui:
        command.append("-b")
    if blend is not None:
        command.append(str(blend))
    else:
        command.append("--factory-startup")
    command += ["--python-exit-code", "1", "-P", str(SCRIPTS / script), "--", *map(str, args)]
    if not gui:
        return _run(command, env, timeout, checkpoint)
    command[1:1] = ["--enable-event-simulate", "--python-expr", IDLE_SLEEP]
    command[4:4] = ["--python-expr", NO_VIEWPORT_AA]
    # the run's first windowed Blender warms the shared shader cache; the others wait for it
    with shader_cache_warmed(env) as warming, virtual_display(SCREEN) as display:
        command[6:6] = warming
        gui_env = {k: v for k, v in env.items() if k != "XAUTHORITY"}
        return _run(command, dict(gui_env, DISPLAY=display), timeout, checkpoint)


def _run(
    command: List[str],
    env: Dict[str, str],
    timeout: float,
    checkpoint: Optional[Callable[[Path], Any]] = None,
) -> Dict[str, Any]:
    if checkpoint is not None:
        return _run_with_checkpoints(command, env, timeout, checkpoint)
    process = subprocess.run(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )
    return _result(process.stdout, process.returncode)


def _run_with_checkpoints(
    command: List[str], env: Dict[str, str], timeout: float, checkpoint: Callable[[Path], Any]
) -> Dict[str, Any]:
    """:func:`_run`, reading the output as it comes: at each ``CHECKPOINT <path>`` line,
    ``checkpoint(path)`` and then the file ``path``. Killed after ``timeout`` seconds, or when
    the checkpoint fails (the failure is raised)."""
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        errors="replace",
    )  # fmt: skip
    watchdog = threading.Timer(timeout, process.kill)
    watchdog.start()
    lines: List[str] = []
    try:
        for line in process.stdout or ():
            lines.append(line)
            if line.startswith("CHECKPOINT "):
                path = Path(line[len("CHECKPOINT ") :].strip())
                checkpoint(path)
                path.touch()
        process.wait()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    return _result("".join(lines), process.returncode)


def _result(output: str, returncode: int) -> Dict[str, Any]:
    result = script_result(output)
    result["_returncode"] = returncode
    result["_output"] = output
    return result


def install_addon_zip(dest: Path) -> Tuple[Path, str]:
    """Run the real ``ft-dcc host install blender --dest DEST``: (the one zip it built, stdout)."""
    process = subprocess.run(
        [sys.executable, "-m", "ft_dcc", "host", "install", "blender", "--dest", str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    built = sorted(dest.glob("ft_dcc_blender-*.zip"))
    assert len(built) == 1, built
    return built[0], process.stdout


_built_zips: List[Path] = []  # the one zip this test process built, reused by later tests


def build_addon_zip(dest: Path) -> Path:
    """The add-on zip, built by the real ``ft-dcc host install blender`` command once per test
    process and copied into ``dest`` for each later caller (test_install.py tests the command)."""
    if not (_built_zips and _built_zips[0].is_file()):
        _built_zips[:] = [install_addon_zip(dest)[0]]
        return _built_zips[0]
    dest.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(_built_zips[0], dest / _built_zips[0].name))


_built_blends: Dict[str, Path] = {}  # key: the scene this test process built first


def cached_blend(dest: Path, key: str, build: Callable[[Path], Any]) -> Path:
    """``dest``: a copy of the scene ``build(path)`` saves at ``path``, built once per test
    process for each ``key`` (what the scene depends on): a background Blender start is seconds
    of CPU, and every test opens, edits or saves its own copy."""
    built = _built_blends.get(key)
    if built is None or not built.is_file():
        built = dest.with_name(f"{dest.stem}-built{dest.suffix}")
        build(built)
        _built_blends[key] = built
    dest.parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(built, dest))


def saved_blank_scene(dest: Path, env: Dict[str, str]) -> Path:
    """Blender's factory scene saved at ``dest`` (opened as an artist opens a scene: no splash)."""

    def build(path: Path) -> None:
        subprocess.run(
            ["blender", "-b", "--factory-startup", "--python-exit-code", "1", "--python-expr",
             f"import bpy; bpy.ops.wm.save_as_mainfile(filepath={str(path)!r})"],
            env=env, check=True, capture_output=True,
        )  # fmt: skip

    return cached_blend(dest, "factory", build)


def on_own_server(
    factory: pytest.TempPathFactory, name: str, run: Callable[[Path, Any], Any]
) -> Iterator[Any]:
    """For a module fixture: ``run(folder, server)`` (a module's one windowed run) in a new
    folder ``name``, on a server of its own started there and stopped after the module."""
    folder = factory.mktemp(name)
    server = start_server(folder / "server")
    try:
        yield run(folder, server)
    finally:
        server.stop()


def server_env(blender_env: Dict[str, str], server: Any) -> Dict[str, str]:
    """``blender_env`` pointed at ``server``, with a private offline queue."""
    return dict(blender_env, **server.env, FT_DCC_QUEUE_DIR=str(Path(blender_env["HOME"]) / "q"))


def headless_ft_dcc(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """``ft-dcc ARGS`` (a headless publish, a settings push) forked by the test process's zygote
    (support/launcher.py), so with ``env`` but no ``PYTHONPATH`` (a user has none): a publish
    request carries ft_dcc's path to the Blender or bpy it starts."""
    return run_ft_dcc(
        list(args), env={k: v for k, v in env.items() if k != "PYTHONPATH"}, timeout=600
    )


def write_json(path: Path, data: Dict[str, Any]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
