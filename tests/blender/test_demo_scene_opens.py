"""The scene ``ft-dcc demo`` hands a user opens in every Blender the README supports: Debian's
``blender`` 3.4 (the oldest) as well as the ``bpy`` 5.0.1 module."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from blender_helpers import needs_bpy
from support import free_port

pytestmark = [pytest.mark.slow, pytest.mark.blender, needs_bpy]

CHECK = (
    "import bpy, json; s = bpy.context.scene; "
    "print('RESULT ' + json.dumps({'version': list(bpy.app.version[:2]), "
    "'file_version': list(bpy.data.version[:2]), 'frames': [s.frame_start, s.frame_end], "
    "'camera': s.camera.name if s.camera else None, "
    "'size': [s.render.resolution_x, s.render.resolution_y], "
    "'objects': sorted(o.name for o in s.objects)}))"
)


def _opened_by(command, scene: Path, env) -> dict:
    done = subprocess.run(
        [*command, str(scene), "--python-exit-code", "2", "--python-expr", CHECK],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "not a blend file" not in output and "Error" not in output, output[-3000:]
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    return json.loads(line[len("RESULT ") :])


@pytest.mark.skipif(not shutil.which("blender"), reason="Debian's blender is not installed")
def test_the_demo_scene_opens_in_blender_3_4_and_in_bpy_5(tmp_path, blender_env) -> None:
    data = tmp_path / "demo-data"
    args = ["--data", str(data), "--port", str(free_port()), "--frames", "12", "--size", "320x180"]
    only_bpy = dict(blender_env, FT_DCC_BLENDER="none")  # as where only the bpy module is
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ft_dcc", "demo", *args],
            env=only_bpy, capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
    finally:
        subprocess.run([sys.executable, "-m", "ft_dcc", "demo", "--stop", "--data", str(data)],
                       env=blender_env, capture_output=True, timeout=120, check=False)  # fmt: skip
    scene = data / "demo" / "ft_dcc_demo.blend"
    old = _opened_by(["blender", "-b", "--factory-startup"], scene, blender_env)
    assert old["version"] == [3, 4], old
    assert old["frames"] == [1001, 1012] and old["camera"] == "shotCam", old
    assert old["size"] == [320, 180], old
    assert {"hero", "floor", "shotCam", "sun"} <= set(old["objects"]), old
    module = subprocess.run(
        [sys.executable, "-c", "import bpy, sys; bpy.ops.wm.open_mainfile(filepath=sys.argv[1]);"
         + CHECK.replace("import bpy, json", "import json"), str(scene)],
        env=blender_env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert module.returncode == 0, module.stderr[-3000:]
    (line,) = [x for x in module.stdout.splitlines() if x.startswith("RESULT ")]
    new = json.loads(line[len("RESULT ") :])
    assert new["version"][0] >= 5 and new["frames"] == [1001, 1012], new


def test_the_shipped_template_was_written_by_the_oldest_supported_blender() -> None:
    from ft_dcc_hosts.blender.demo_template import TEMPLATE, TEMPLATE_BLENDER
    from ft_dcc_hosts.blender.runner import blend_file_version

    assert blend_file_version(TEMPLATE) == TEMPLATE_BLENDER == (3, 4)
