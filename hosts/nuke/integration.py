"""The Nuke integration the ``ft-dcc`` command finds through the ``ft_dcc.hosts`` entry point:
build a NUKE_PATH folder (init.py + menu.py), tell a TD how to install it, publish headless
through ``nuke -t``."""

from __future__ import annotations

import glob
import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

from ft_dcc.exceptions import HostError

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
HEADLESS_SCRIPT = HERE / "headless.py"
FOLDER_NAME = "ft_dcc_nuke"
#: packages Nuke's own Python must import for a publish (all pure Python)
PYTHON_PACKAGES = (
    "ft_dcc",
    "hosts",
    "attr",
    "pyblish",
    "requests",
    "urllib3",
    "idna",
    "certifi",
    "charset_normalizer",
    "imageio_ffmpeg",
)
#: where Foundry's installers put Nuke on Linux, macOS and Windows
INSTALL_GLOBS = (
    "/usr/local/Nuke*/Nuke[0-9]*",
    "/opt/Nuke*/Nuke[0-9]*",
    "/Applications/Nuke*/Nuke*.app/Contents/MacOS/Nuke[0-9]*",
    "C:/Program Files/Nuke*/Nuke[0-9]*.exe",
)


def python_paths() -> List[str]:
    """Folders that make ft_dcc and its dependencies importable (for Nuke's own Python)."""
    found: List[str] = []
    for name in PYTHON_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = str(Path(next(iter(spec.submodule_search_locations))).parent)
        if folder not in found:
            found.append(folder)
    return found


def find_nuke() -> Optional[str]:
    """``$FT_DCC_NUKE``, else ``nuke``/``Nuke`` on PATH, else the newest standard install."""
    configured = os.environ.get("FT_DCC_NUKE", "").strip()
    if configured:
        return configured if (Path(configured).is_file() or shutil.which(configured)) else None
    for name in ("nuke", "Nuke"):
        found = shutil.which(name)
        if found:
            return found
    candidates: List[str] = []
    for pattern in INSTALL_GLOBS:
        candidates.extend(p for p in glob.glob(pattern) if os.access(p, os.X_OK))
    return sorted(candidates)[-1] if candidates else None


class NukeIntegration:
    """``ft-dcc host install nuke`` and ``ft-dcc publish SCRIPT.nk --host nuke``."""

    name = "nuke"

    def install(self, destination: Optional[Path] = None) -> Path:
        """Write ``<destination>/ft_dcc_nuke/`` with init.py and menu.py; return the folder."""
        destination = Path(destination) if destination else Path.cwd()
        folder = destination / FOLDER_NAME
        folder.mkdir(parents=True, exist_ok=True)
        init = (HERE / "init.py").read_text(encoding="utf-8")
        marker = "FT_DCC_PATHS = []"
        if marker not in init:
            raise HostError(
                "hosts/nuke/init.py lost its FT_DCC_PATHS line", hint="reinstall ft-dcc"
            )
        init = init.replace(marker, f"FT_DCC_PATHS = {json.dumps(python_paths())}", 1)
        (folder / "init.py").write_text(init, encoding="utf-8")
        shutil.copyfile(HERE / "menu.py", folder / "menu.py")
        return folder

    def install_instructions(self, built: Path) -> str:
        return "\n".join(
            [
                f"Built {built}",
                f"Add it to NUKE_PATH (e.g. export NUKE_PATH={built}{os.pathsep}$NUKE_PATH), or "
                f"add nuke.pluginAddPath({str(built)!r}) to ~/.nuke/init.py.",
                "init.py finds ft_dcc in the folders recorded in it; on another machine set "
                "FT_DCC_PYTHONPATH to a folder holding ft_dcc and its dependencies.",
                "Connection: FTRACK_SERVER, FTRACK_API_USER, FTRACK_API_KEY.",
                "Then: tick 'publish for review' on a Write node's 'ftrack review' tab and render "
                "it, or select a Write node and use Nodes > ftrack > Publish for review.",
            ]
        )

    def command(self, request_file: Path) -> List[str]:
        """The ``nuke -t`` command that runs the headless publish of ``request_file``."""
        executable = find_nuke()
        if executable is None:
            raise HostError(
                "No Nuke executable was found to open the script.",
                hint="put nuke on PATH or set FT_DCC_NUKE to the Nuke executable "
                "(e.g. /usr/local/Nuke15.1v3/Nuke15.1)",
            )
        return [executable, "-t", str(HEADLESS_SCRIPT), str(request_file)]

    def publish_headless_result(
        self, request: Dict[str, Any], timeout: Optional[float] = None
    ) -> Dict[str, Any]:
        """Publish ``request['input']`` under ``nuke -t``; return its outcome dict:
        ``exit_code``, ``report`` (the report's data), ``text`` and ``log`` (Nuke's output)."""
        script = Path(request["input"]).expanduser()
        if not script.is_file():
            raise HostError(
                f"The Nuke script {script} does not exist.", hint="check the path and try again"
            )
        with tempfile.TemporaryDirectory(prefix="ft_dcc-nuke-") as tmp:
            request_file = Path(tmp) / "request.json"
            result_file = Path(tmp) / "result.json"
            payload = dict(request, input=str(script.resolve()), result=str(result_file))
            payload["python_path"] = python_paths()
            request_file.write_text(json.dumps(payload, default=str), encoding="utf-8")
            command = self.command(request_file)
            log.info("running %s", " ".join(command))
            process = subprocess.run(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                timeout=timeout,
                check=False,
            )
            if not result_file.is_file():
                return {
                    "exit_code": process.returncode or 1,
                    "report": None,
                    "text": f"Nuke stopped before publishing (exit status {process.returncode}). "
                    f"Its last output:\n{_tail(process.stdout, 30)}",
                    "log": process.stdout,
                }
            outcome = json.loads(result_file.read_text(encoding="utf-8"))
        outcome["log"] = process.stdout
        return outcome

    def publish_headless(self, request: Dict[str, Any]) -> int:
        """Publish ``request['input']`` headless, print the report, return the exit status."""
        outcome = self.publish_headless_result(request)
        if log.isEnabledFor(logging.INFO):
            sys.stderr.write(outcome.get("log", ""))
        elif outcome["exit_code"] != 0:
            sys.stderr.write(_tail(outcome.get("log", ""), 20))
        data = outcome.get("report") or {"ok": False, "errors": [outcome["text"]]}
        if request.get("report"):
            Path(request["report"]).write_text(
                json.dumps(data, indent=2, sort_keys=True, default=str), encoding="utf-8"
            )
        if request.get("json"):
            print(json.dumps(data, indent=2, default=str))
        else:
            print(outcome["text"])
            if outcome.get("hint"):
                print(outcome["hint"])
        return int(outcome["exit_code"])


def _tail(text: str, lines: int) -> str:
    kept = text.splitlines()[-lines:]
    return "\n".join(kept) + ("\n" if kept else "")


integration = NukeIntegration()
