"""The host adapters install under a name of their own, ``ft_dcc_hosts``: a DCC's Python often has
a studio module called ``hosts`` of its own, which must neither shadow ours nor be shadowed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ft_dcc.host.pythonpath import python_paths

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_wheel_installs_ft_dcc_and_ft_dcc_hosts_and_no_generic_name(tmp_path):
    source = tmp_path / "source"  # a copy: building writes build/ and *.egg-info next to it
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for name in ("ft_dcc", "hosts"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("ft_dcc-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        entry_text = archive.read(entry_points).decode()
    top_level = {name.split("/", 1)[0] for name in names if "/" in name}
    assert "hosts" not in top_level
    assert {"ft_dcc", "ft_dcc_hosts"} <= top_level
    assert "ft_dcc_hosts/nuke/init.py" in names and "ft_dcc_hosts/maya/userSetup.py" in names
    assert "ft_dcc_hosts/blender/addon/blender_manifest.toml" in names
    assert "blender = ft_dcc_hosts.blender.integration:integration" in entry_text


def test_a_studio_hosts_module_does_not_shadow_the_adapters(tmp_path):
    """A DCC whose path holds a studio ``hosts`` package still gets our adapters."""
    studio = tmp_path / "studio"
    (studio / "hosts").mkdir(parents=True)
    (studio / "hosts" / "__init__.py").write_text("STUDIO = True\n", encoding="utf-8")
    probe = (
        "import sys; sys.path[:0] = sys.argv[1:]\n"
        "import hosts; assert hosts.STUDIO\n"
        "from ft_dcc.host.pythonpath import ensure_hosts_package\n"
        "ensure_hosts_package()\n"
        "import ft_dcc_hosts.maya.integration, hosts\n"
        "assert hosts.STUDIO, 'the studio module is still the one called hosts'\n"
        "print(ft_dcc_hosts.maya.integration.__file__)"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-I", "-c", probe, str(studio), *python_paths()],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == ROOT / "hosts" / "maya" / "integration.py"
