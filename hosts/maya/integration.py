"""The Maya integration the ``ft-dcc`` command finds through the ``ft_dcc.hosts`` entry point:
build a Maya module (``.mod`` + ``userSetup.py``), tell a TD where to put it, and publish a
scene headless with ``mayapy``."""

from __future__ import annotations

import glob
import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Optional

from ft_dcc import __version__
from ft_dcc.exceptions import HostError
from ft_dcc.host import bundle, headless
from ft_dcc.host.headless import HeadlessPublish, HeadlessRequest, Outcome
from ft_dcc.host.host_log import publish_and_report
from ft_dcc.host.integrations import executable_status
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


def module_text(version: str) -> str:
    """The Maya ``.mod`` file: paths relative to the file itself (Maya resolves them at start-up
    on each machine), the module root being the payload ``ft_dcc_maya/<version>`` (its ``scripts``
    folder joins PYTHONPATH, so Maya runs our ``userSetup.py``) and ``+:=`` adding the payload's
    vendored ``python`` folder."""
    return (
        f"+ {MODULE_NAME} {version} ./{MODULE_NAME}/{version}\n"
        f"PYTHONPATH+:={bundle.PYTHON_FOLDER}\n"
    )


def _add_user_setup(payload: Path) -> None:
    scripts = payload / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(USER_SETUP, scripts / "userSetup.py")


class MayaIntegration:
    """``ft-dcc host install maya`` and ``ft-dcc publish SCENE.ma --host maya``."""

    name = "maya"

    def install(self, destination: Optional[Path] = None) -> Path:
        """Write the self-contained module ``<destination>/ft_dcc_maya/<version>/`` (userSetup.py
        and the vendored Python packages), then ``<destination>/ft_dcc_maya.mod`` pointing at it:
        a new version goes in beside the old one, and the .mod file switches over last."""
        destination = Path(destination) if destination else Path.cwd()
        bundle.build_payload(destination / MODULE_NAME, __version__, "maya", _add_user_setup)
        mod_file = destination / f"{MODULE_NAME}.mod"
        return bundle.write_atomically(mod_file, module_text(__version__))

    def status(self) -> str:
        return executable_status(
            find_mayapy(), "mayapy", "put it on PATH or set FT_DCC_MAYAPY", "mayapy "
        )

    def install_instructions(self, built: Path) -> str:
        return "\n".join(
            [
                f"Built the Maya module {built} (module folder {built.with_suffix('')}).",
                "Install it: copy the .mod file into ~/maya/modules/ (Windows: "
                "Documents\\maya\\modules), or add its folder to MAYA_MODULE_PATH.",
                "Restart Maya: an 'ftrack' menu appears in the main window with "
                "'Publish for review'.",
                "The module holds ft_dcc and its dependencies (pure Python, any platform; the "
                "Maya Pythons it imports in are named below): copy the .mod file and the "
                "ft_dcc_maya folder to a share and point every artist's MAYA_MODULE_PATH at it.",
                "ffmpeg: IMAGEIO_FFMPEG_EXE, else ft_dcc_maya/<version>/ffmpeg/<platform>/ "
                "(ft-dcc host install maya --ffmpeg fills this machine's), else ffmpeg on PATH.",
                "Set FTRACK_SERVER, FTRACK_API_USER and FTRACK_API_KEY in Maya's environment "
                "(Maya.env or the launcher).",
            ]
        )

    def run_script(
        self,
        script: Path,
        payload: HeadlessRequest,
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
        self, publish: HeadlessPublish, progress: Progress = null_progress
    ) -> Outcome:
        """Publish ``publish.scene`` with mayapy; return ``exit_code``, ``report`` (the
        report's JSON data), ``text`` and ``log`` (mayapy's output)."""
        scene = headless.existing_scene(publish.scene, "Maya scene")
        return headless.publish_in_host(
            publish._replace(scene=scene),
            lambda payload: self.run_script(HEADLESS_SCRIPT, payload, progress=progress),
            "mayapy",
        )

    def publish_headless(self, publish: HeadlessPublish) -> int:
        """Publish ``publish.scene`` headless, print the report, return the exit status."""
        return publish_and_report(self.publish_headless_result, publish)


integration = MayaIntegration()
