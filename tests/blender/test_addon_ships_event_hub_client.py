"""The add-on zip carries the event hub's client (websocket-client, with ``six`` which it
imports, and both licences): an artist cannot pip-install into Blender's Python, and without it
every publish from the sidebar warned that the 'new review content' event was not sent. Debian's
Blender 3.4, with nothing but the zip, imports it from the installed add-on."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from blender_helpers import build_addon_zip, needs_gui_blender, run_blender

pytestmark = [pytest.mark.slow, pytest.mark.blender]

PYTHON = "ft_dcc_blender/python"


def test_the_zip_holds_websocket_client_six_and_their_licences(tmp_path: Path) -> None:
    with zipfile.ZipFile(build_addon_zip(tmp_path / "dist")) as archive:
        names = set(archive.namelist())
        licence = archive.read(f"{PYTHON}/licenses/websocket-client/LICENSE").decode()
    assert {f"{PYTHON}/websocket/__init__.py", f"{PYTHON}/websocket/_core.py"} <= names
    assert f"{PYTHON}/six.py" in names  # websocket-client 0.x imports six
    assert f"{PYTHON}/licenses/six/LICENSE" in names
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in licence
    assert f"{PYTHON}/licenses/websocket-client/COPYING.LESSER" in names
    assert not any(name.endswith((".pyc", ".so")) for name in names)


@needs_gui_blender
def test_blender_34_imports_the_event_hub_client_from_the_addon(tmp_path, blender_env):
    env = dict(blender_env)
    env.pop("PYTHONPATH")  # only what the zip brings
    zipped = build_addon_zip(tmp_path / "dist")
    result = run_blender("event_hub_client.py", [zipped], env)
    assert result["blender"].startswith("3.4"), result["blender"]
    assert result.get("error") is None, result["_output"][-3000:]
    assert result["websocket_file"].startswith(env["HOME"]), result["websocket_file"]
    assert result["ft_dcc_file"].startswith(env["HOME"]), result["ft_dcc_file"]
    assert result["create_connection"] is True
