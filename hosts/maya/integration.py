"""The Maya integration the ``ft-dcc`` command finds through the ``ft_dcc.hosts`` entry point:
build a Maya module (``.mod`` + ``userSetup.py``), tell a TD where to put it, and publish a
scene headless with ``mayapy``."""

from __future__ import annotations

import glob
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

from ft_dcc import __version__
from ft_dcc.exceptions import HostError
from ft_dcc.host import headless
from ft_dcc.host.pythonpath import python_paths
from ft_dcc.progress import Progress, null_progress

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
MODULE_NAME = "ft_dcc_maya"
HEADLESS_SCRIPT = HERE / "headless.py"
USER_SETUP = HERE / "userSetup.py"

#: where Autodesk installs mayapy by default, newest first after sorting
MAYAPY_GLOBS = (
    "/usr/autodesk/maya*/bin/mayapy",
    "/Applications/Autodesk/maya*/Maya.app/Contents/bin/mayapy",
    "C:/Program Files/Autodesk/Maya*/bin/mayapy.exe",
)


def find_mayapy() -> Optional[str]:
    """``$FT_DCC_MAYAPY`` (``none`` disables it), ``mayapy`` on PATH, or the newest default
    Autodesk install."""
    configured = os.environ.get("FT_DCC_MAYAPY", "").strip()
    if configured.lower() == "none":
        return None
    if configured:
        return configured
    on_path = shutil.which("mayapy")
    if on_path:
        return on_path
    for pattern in MAYAPY_GLOBS:
        found = sorted(glob.glob(pattern), reverse=True)
        if found:
            return found[0]
    return None


def module_text(module_dir: Path, paths: List[str]) -> str:
    """A Maya ``.mod`` file: the module root (its ``scripts`` folder joins PYTHONPATH, so
    Maya runs our ``userSetup.py``) plus the folders holding ft_dcc and its dependencies."""
    lines = [f"+ {MODULE_NAME} {__version__} {module_dir.as_posix()}"]
    lines += [f"PYTHONPATH+={Path(folder).as_posix()}" for folder in paths]
    return "\n".join(lines) + "\n"


class MayaIntegration:
    """``ft-dcc host install maya`` and ``ft-dcc publish SCENE.ma --host maya``."""

    name = "maya"

    def install(self, destination: Optional[Path] = None) -> Path:
        """Write ``<destination>/ft_dcc_maya.mod`` and the module folder it points at."""
        destination = Path(destination) if destination else Path.cwd()
        destination = destination.resolve()
        module_dir = destination / MODULE_NAME
        scripts = module_dir / "scripts"
        scripts.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(USER_SETUP, scripts / "userSetup.py")
        mod_file = destination / f"{MODULE_NAME}.mod"
        mod_file.write_text(module_text(module_dir, python_paths()), encoding="utf-8")
        return mod_file

    def status(self) -> str:
        mayapy = find_mayapy()
        if mayapy is None:
            return "installed; mayapy not found (put it on PATH or set FT_DCC_MAYAPY)"
        return f"ready: mayapy {mayapy}"

    def install_instructions(self, built: Path) -> str:
        return "\n".join(
            [
                f"Built the Maya module {built} (module folder {built.with_suffix('')}).",
                "Install it: copy the .mod file into ~/maya/modules/ (Windows: "
                "Documents\\maya\\modules), or add its folder to MAYA_MODULE_PATH.",
                "Restart Maya: an 'ftrack' menu appears in the main window with "
                "'Publish for review'.",
                "The .mod file points at this machine's ft_dcc and its dependencies; Maya's "
                "Python must be the same version (Maya 2025/2026: Python 3.11).",
                "Set FTRACK_SERVER, FTRACK_API_USER and FTRACK_API_KEY in Maya's environment "
                "(Maya.env or the launcher).",
            ]
        )

    def run_script(
        self,
        script: Path,
        payload: Dict[str, Any],
        timeout: Optional[float] = None,
        progress: Progress = null_progress,
    ) -> subprocess.CompletedProcess:
        """Run ``script`` with mayapy, with ``payload`` as its JSON argument file."""
        mayapy = find_mayapy()
        if mayapy is None:
            raise HostError(
                "mayapy (Maya's Python) was not found, so the Maya scene cannot be opened "
                "without a UI.",
                hint="install Maya, put its bin folder on PATH, or set FT_DCC_MAYAPY to the "
                "mayapy executable",
            )
        try:
            return headless.run_with_request(
                payload,
                lambda request_file: [mayapy, str(script), str(request_file)],
                "mayapy",
                timeout,
                progress,
            )
        except OSError as exc:
            raise HostError(
                f"Could not start mayapy ({mayapy}): {exc}",
                hint="check FT_DCC_MAYAPY or the Maya install",
            ) from exc

    def publish_headless_result(
        self, request: Dict[str, Any], progress: Progress = null_progress
    ) -> Dict[str, Any]:
        """Publish ``request['input']`` with mayapy; return ``exit_code``, ``report`` (the
        report's JSON data), ``text`` and ``log`` (mayapy's output)."""
        scene = headless.existing_scene(request, "Maya scene")
        return headless.publish_in_host(
            request,
            scene,
            lambda payload: self.run_script(HEADLESS_SCRIPT, payload, progress=progress),
            "mayapy",
        )

    def publish_headless(self, request: Dict[str, Any]) -> int:
        """Publish ``request['input']`` headless, print the report, return the exit status."""
        progress = headless.terminal_progress(request)
        outcome = self.publish_headless_result(request, progress=progress)
        progress.close()
        if log.isEnabledFor(logging.INFO) or outcome["exit_code"] != 0:
            lines = 200 if log.isEnabledFor(logging.INFO) else 20
            sys.stderr.write(headless.tail(outcome.get("log", ""), lines))
        return headless.print_outcome(outcome, bool(request.get("json")))


integration = MayaIntegration()
