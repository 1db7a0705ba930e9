"""The Nuke integration the ``ft-dcc`` command finds through the ``ft_dcc.hosts`` entry point:
build a NUKE_PATH folder (init.py + menu.py), tell a TD how to install it, publish headless
through ``nuke -t``."""

from __future__ import annotations

import glob
import json
import logging
import os
import shutil
from pathlib import Path
from typing import List, Optional

from ft_dcc import __version__
from ft_dcc.exceptions import HostError
from ft_dcc.host import bundle, headless
from ft_dcc.host.headless import HeadlessPublish, Outcome
from ft_dcc.host.host_log import publish_and_report
from ft_dcc.host.integrations import executable_status
from ft_dcc.progress import Progress, null_progress

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
HEADLESS_SCRIPT = HERE / "headless.py"
FOLDER_NAME = "ft_dcc_nuke"
#: where Foundry's installers put Nuke on Linux, macOS and Windows
INSTALL_GLOBS = (
    "/usr/local/Nuke*/Nuke[0-9]*",
    "/opt/Nuke*/Nuke[0-9]*",
    "/Applications/Nuke*/Nuke*.app/Contents/MacOS/Nuke[0-9]*",
    "C:/Program Files/Nuke*/Nuke[0-9]*.exe",
)


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
        """Write the self-contained NUKE_PATH folder ``<destination>/ft_dcc_nuke/``: the payload
        ``<version>/`` (ft_dcc and its dependencies), then menu.py and init.py, which loads that
        payload relative to itself (written last: a new version goes in beside the old one)."""
        destination = Path(destination) if destination else Path.cwd()
        folder = destination / FOLDER_NAME
        bundle.build_payload(folder, __version__, "nuke")
        init = (HERE / "init.py").read_text(encoding="utf-8")
        marker = 'FT_DCC_PAYLOAD = ""'
        if marker not in init:
            raise HostError(
                "hosts/nuke/init.py lost its FT_DCC_PAYLOAD line", hint="reinstall ft-dcc"
            )
        init = init.replace(marker, f"FT_DCC_PAYLOAD = {json.dumps(__version__)}", 1)
        bundle.write_atomically(folder / "menu.py", (HERE / "menu.py").read_text(encoding="utf-8"))
        bundle.write_atomically(folder / "init.py", init)
        return folder

    def status(self) -> str:
        return executable_status(find_nuke(), "Nuke", "put nuke on PATH or set FT_DCC_NUKE")

    def install_instructions(self, built: Path) -> str:
        return "\n".join(
            [
                f"Built {built}",
                f"Add it to NUKE_PATH (e.g. export NUKE_PATH={built}{os.pathsep}$NUKE_PATH), or "
                f"add nuke.pluginAddPath({str(built)!r}) to ~/.nuke/init.py.",
                "The folder holds ft_dcc and its dependencies (pure Python, any platform): copy "
                "it to a share and put that on every artist's NUKE_PATH.",
                "ffmpeg: IMAGEIO_FFMPEG_EXE, else <folder>/<version>/ffmpeg/<platform>/ "
                "(ft-dcc host install nuke --ffmpeg fills this machine's), else ffmpeg on PATH.",
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
        self,
        publish: HeadlessPublish,
        timeout: Optional[float] = None,
        progress: Progress = null_progress,
    ) -> Outcome:
        """Publish ``publish.scene`` under ``nuke -t``; return its outcome dict:
        ``exit_code``, ``report`` (the report's data), ``text`` and ``log`` (Nuke's output)."""
        script = headless.existing_scene(publish.scene, "Nuke script")
        return headless.publish_in_host(
            publish._replace(scene=script),
            lambda payload: headless.run_with_request(
                payload, self.command, "Nuke", timeout, progress
            ),
            "Nuke",
        )

    def publish_headless(self, publish: HeadlessPublish) -> int:
        """Publish ``publish.scene`` headless, print the report, return the exit status."""
        return publish_and_report(self.publish_headless_result, publish)


integration = NukeIntegration()
