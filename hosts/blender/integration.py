"""The Blender integration the ``ft-dcc`` command finds through the ``ft_dcc.hosts`` entry point:
build the add-on zip, tell a TD how to install it, and publish a .blend headless."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ft_dcc import __version__
from ft_dcc.exceptions import HostError
from ft_dcc.host import bundle, headless
from ft_dcc.host.headless import HeadlessPublish, HeadlessRequest, Outcome
from ft_dcc.host.host_log import publish_and_report
from ft_dcc.host.integrations import executable_status
from ft_dcc.progress import Progress, null_progress

from . import addon_extras, demo_template, runner

if TYPE_CHECKING:  # pragma: no cover - Unpack is typing's from Python 3.11
    from typing_extensions import Unpack

    from ft_dcc.demo import DemoSceneOptions

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ADDON_SOURCE = HERE / "addon"
ADDON_NAME = "ft_dcc_blender"
HEADLESS_SCRIPT = HERE / "headless.py"
DEMO_SCENE_SCRIPT = HERE / "demo_scene.py"


class BlenderIntegration:
    """``ft-dcc host install blender`` and ``ft-dcc publish SCENE.blend --host blender``."""

    name = "blender"

    def install(self, destination: Optional[Path] = None) -> Path:
        """Build ``ft_dcc_blender-<version>.zip`` (extension and legacy add-on in one), holding
        ft_dcc and its dependencies in ``ft_dcc_blender/python`` (see ``ft_dcc.host.bundle``),
        with the event hub's client (``addon_extras``)."""
        destination = Path(destination) if destination else Path.cwd()
        destination.mkdir(parents=True, exist_ok=True)
        built = destination / f"{ADDON_NAME}-{__version__}.zip"
        manifest = (ADDON_SOURCE / "blender_manifest.toml").read_text(encoding="utf-8")
        manifest = manifest.replace('version = "0.1.0"', f'version = "{__version__}"', 1)
        with tempfile.TemporaryDirectory(prefix="ft_dcc-addon-") as tmp:
            payload = bundle.write_payload(Path(tmp) / ADDON_NAME, __version__, "blender")
            addon_extras.add_event_client(payload / bundle.PYTHON_FOLDER)
            staging = Path(tmp) / built.name
            with zipfile.ZipFile(staging, "w", zipfile.ZIP_DEFLATED) as archive:
                for source in sorted(ADDON_SOURCE.glob("*.py")):
                    archive.write(source, f"{ADDON_NAME}/{source.name}")
                archive.writestr(f"{ADDON_NAME}/blender_manifest.toml", manifest)
                for path in sorted(payload.rglob("*")):
                    if path.is_file():
                        name = path.relative_to(payload.parent).as_posix()
                        archive.write(path, name)
            shutil.copyfile(staging, built.with_name(f".{built.name}.part"))
        os.replace(built.with_name(f".{built.name}.part"), built)
        return built

    def status(self) -> str:
        blender = runner.find_blender()
        if blender is None and runner.has_bpy_module():
            return "ready: the bpy module (background publishing only)"
        return executable_status(
            blender, "Blender", "put blender on PATH, set FT_DCC_BLENDER or pip install bpy"
        )

    def install_instructions(self, built: Path) -> str:
        return "\n".join(
            [
                f"Built {built}",
                "Blender 4.2+: Edit > Preferences > Get Extensions > (menu) Install from Disk...",
                "  or: blender --command extension install-file -r user_default -e " + str(built),
                "Blender 3.4-4.1: Edit > Preferences > Add-ons > Install..., then enable "
                "'ftrack review publish (ft_dcc)'.",
                "The zip holds ft_dcc and its dependencies (pure Python: any Blender from 3.4, "
                "any platform); copy it to a share for every artist. A newer zip installed the "
                "same way replaces it.",
                "ffmpeg: IMAGEIO_FFMPEG_EXE, else an ffmpeg on PATH.",
                "Then: 3D Viewport > Sidebar (N) > ftrack > Publish for review.",
            ]
        )

    def run_script(
        self,
        script: Path,
        payload: HeadlessRequest,
        scene: Optional[Path] = None,
        timeout: Optional[float] = None,
        progress: Progress = null_progress,
    ) -> subprocess.CompletedProcess:
        """Run ``script`` in a background Blender with ``payload`` as its JSON argument file."""
        return headless.run_with_request(
            payload,
            lambda request_file: runner.script_command(script, [str(request_file)], scene),
            "Blender",
            timeout,
            progress,
        )

    def publish_headless_result(
        self, publish: HeadlessPublish, progress: Progress = null_progress
    ) -> Outcome:
        """Publish ``publish.scene`` in a background Blender; return its outcome dict:
        ``exit_code``, ``report`` (the report's JSON data), ``text`` and ``log`` (Blender's output).
        """
        scene = headless.existing_scene(publish.scene, "Blender scene")
        publish = publish._replace(scene=scene)
        version: HeadlessRequest = {"scene_version": runner.blend_file_version(scene)}
        for _attempt in range(2):  # a Blender that is too old for the file says so at once
            outcome = headless.publish_in_host(
                publish,
                lambda payload: self.run_script(HEADLESS_SCRIPT, payload, scene, progress=progress),
                "Blender",
                version,
            )
            if not runner.learn_version(outcome):
                break
        return outcome

    def publish_headless(self, publish: HeadlessPublish) -> int:
        """Publish ``publish.scene`` headless, print the report, return the exit status."""
        return publish_and_report(self.publish_headless_result, publish)

    def build_demo_scene(self, path: Path, **options: Unpack[DemoSceneOptions]) -> Path:
        """Build the animated demo scene at ``path`` (options: see ``demo_scene.build``): from
        the shipped Blender 3.4 template (``demo_template.py``), which every supported Blender
        opens, else in the Blender at hand."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if demo_template.available():
            return demo_template.write_demo_scene(path, **options)
        log.warning(
            "blender-asset-tracer is not installed: building the demo scene in this Blender "
            "(older Blenders may not open it; pip install blender-asset-tracer)"
        )
        with tempfile.TemporaryDirectory(prefix="ft_dcc-scene-") as tmp:
            arguments = Path(tmp) / "scene.json"
            arguments.write_text(json.dumps({**options, "path": str(path)}), encoding="utf-8")
            process = subprocess.run(
                runner.script_command(DEMO_SCENE_SCRIPT, [str(arguments)]),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                check=False,
            )
        if process.returncode != 0 or not path.is_file():
            raise HostError(
                f"Blender could not build the demo scene {path} (exit status "
                f"{process.returncode}):\n{headless.tail(process.stdout, 20)}",
                hint="run 'ft-dcc -v demo' for Blender's full output",
            )
        return path


integration = BlenderIntegration()
