"""``ft-dcc host install blender`` builds one zip that installs as a 4.2+ extension and as a legacy
add-on, in bpy 5.0.1 and in Debian's Blender 3.4."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from blender_helpers import install_addon_zip, needs_bpy, needs_gui_blender, run_blender, run_bpy

pytestmark = [pytest.mark.slow, pytest.mark.blender]


@pytest.fixture
def addon_zip(tmp_path: Path) -> Path:
    built, output = install_addon_zip(tmp_path / "dist")
    assert str(built) in output
    assert "Install from Disk" in output and "Add-ons > Install" in output
    return built


def test_zip_holds_extension_manifest_and_legacy_bl_info(addon_zip):
    with zipfile.ZipFile(addon_zip) as archive:
        names = set(archive.namelist())
        manifest = archive.read("ft_dcc_blender/blender_manifest.toml").decode()
        init = archive.read("ft_dcc_blender/__init__.py").decode()
    assert {"ft_dcc_blender/__init__.py", "ft_dcc_blender/python/ft_dcc/__init__.py"} <= names
    assert not any("__pycache__" in n for n in names)
    assert 'id = "ft_dcc_blender"' in manifest and 'type = "add-on"' in manifest
    assert "bl_info" in init and '"blender": (3, 4, 0)' in init


@needs_bpy
@pytest.mark.parametrize("mode", ["extension", "legacy"])
def test_bpy_installs_the_zip(addon_zip, blender_env, mode):
    result = run_bpy("install_addon.py", [addon_zip, mode], blender_env)
    assert result["installed"] == ["FINISHED"]
    assert result["blender"].startswith("5.0")
    assert result["enabled"] and result["operator"]
    assert result["panel_category"] == "ftrack"
    assert result["settings"] == [True, "", True]
    home = blender_env["HOME"]
    assert result["module_file"].startswith(home), "installed into the temp user folder"


@needs_gui_blender
def test_debian_blender_installs_the_legacy_addon(addon_zip, blender_env):
    env = dict(blender_env)
    env.pop("PYTHONPATH")  # Blender's own Python must find ft_dcc through the zip's paths
    result = run_blender("install_addon.py", [addon_zip, "legacy"], env)
    assert result["blender"].startswith("3.4")
    assert result["enabled"] and result["operator"]
    assert result["panel_category"] == "ftrack"
    assert result["ft_dcc_found"]
    # from the add-on's own copy, installed into the artist's Blender: not this machine's venv
    assert result["ft_dcc_file"].startswith(env["HOME"]), result["ft_dcc_file"]
