"""``ft-dcc host install`` builds integrations a TD copies to a share for a studio:
ft_dcc, its adapters and the core's dependencies travel inside them, nothing names a folder of the
machine that built them, a clean Python (3.9 here) imports everything from the share alone, ffmpeg
is picked per platform at start-up, and a new version goes in beside the old one."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

import pytest
from support.cli import run_ft_dcc

from ft_dcc import __version__
from ft_dcc.host import bundle
from ft_dcc.host.pythonpath import ensure_hosts_package

ROOT = Path(__file__).resolve().parents[1]
FAKES = ROOT / "tests" / "fakes"
VERSION = __version__

ensure_hosts_package()
from ft_dcc_hosts.blender.integration import integration as blender  # noqa: E402
from ft_dcc_hosts.maya import integration as maya_module  # noqa: E402
from ft_dcc_hosts.nuke import integration as nuke_module  # noqa: E402


def other_python(version: str) -> str:
    """A Python ``version`` interpreter that is not this one (pyenv's, or on PATH)."""
    pattern = f"~/.pyenv/versions/{version}*/bin/python{version}"
    found = sorted(glob.glob(os.path.expanduser(pattern)))
    on_path = shutil.which(f"python{version}") or ""
    if "shims" in on_path:  # pyenv's shim refuses a version that is not selected
        on_path = ""
    return found[-1] if found else on_path


#: the Python 3.9 venv with only the core's four dependencies that `make check` keeps
PY39_CORE = ROOT / ".cache" / "py39-core" / "bin" / "python"


def build_machine_paths() -> List[str]:
    """Folders of this machine that a built integration must not name."""
    paths = {str(ROOT), sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"]}
    return sorted(p for p in paths if len(p) > 4)


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All three integrations built into one share folder, as a TD would."""
    folder = tmp_path_factory.mktemp("share")
    maya_module.integration.install(folder)
    nuke_module.integration.install(folder)
    blender.install(folder)
    return folder


def built_files(share: Path) -> Iterator[Tuple[str, bytes]]:
    for path in sorted(share.rglob("*")):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    yield f"{path.name}:{name}", archive.read(name)
        elif path.is_file():
            yield str(path.relative_to(share)), path.read_bytes()


def test_no_built_file_names_a_folder_of_the_build_machine(share):
    seen = 0
    for name, content in built_files(share):
        seen += 1
        for folder in build_machine_paths():
            assert folder.encode() not in content, f"{name} names {folder}"
    assert seen > 100  # the packages themselves are in there


def test_the_share_holds_the_packages_without_compiled_modules_or_binaries(share):
    for payload in (share / "ft_dcc_maya" / VERSION, share / "ft_dcc_nuke" / VERSION):
        python = payload / "python"
        names = {p.name for p in python.iterdir()}
        assert {"ft_dcc", "ft_dcc_hosts", "attr", "pyblish", "requests", "imageio_ffmpeg"} <= names
        assert not (python / "ft_dcc" / "server").exists()
        assert not [p for p in python.rglob("*") if p.suffix in (".so", ".pyd", ".pyc")]
        assert not (python / "imageio_ffmpeg" / "binaries" / "README.md").exists() or not [
            p for p in (python / "imageio_ffmpeg" / "binaries").iterdir() if "ffmpeg-" in p.name
        ]
        assert (python / "licenses" / "requests").is_dir()
    with zipfile.ZipFile(share / f"ft_dcc_blender-{VERSION}.zip") as archive:
        names = set(archive.namelist())
    assert "ft_dcc_blender/python/ft_dcc/__init__.py" in names
    assert "ft_dcc_blender/python/ft_dcc_hosts/blender/host.py" in names
    assert [n for n in names if n.endswith("blender_manifest.toml")] == [
        "ft_dcc_blender/blender_manifest.toml"  # one: Blender refuses an extension with two
    ]
    assert "ft_dcc_blender/ft_dcc_integration.json" in names


PROBE = r"""
import importlib, json, os, pkgutil, sys
sys.path[:] = [p for p in sys.path if 'site-packages' not in p and 'dist-packages' not in p]
sys.path.append(sys.argv[1])
from ft_dcc.host.pythonpath import ensure_hosts_package
assert ensure_hosts_package()
host_apis = ("bpy", "maya", "nuke", "mathutils", "gpu", "bl_ui", "PySide2", "PySide6")
imported, skipped = {}, []
names = ["requests", "attr", "pyblish.api", "pyblish.util", "imageio_ffmpeg",
         "imageio_ffmpeg.binaries", "charset_normalizer.md", "urllib3", "idna", "certifi"]
for package in ("ft_dcc", "ft_dcc_hosts"):  # every module of ours, the dependencies' entry points
    top = importlib.import_module(package)
    names += [package] + [m.name for m in pkgutil.walk_packages(top.__path__, package + ".")]
if True:
    for name in names:
        if name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name.split(".")[0] in host_apis:
                skipped.append(name)
                continue
            raise
        imported[name] = getattr(module, "__file__", "") or ""
from ft_dcc.host import bundle
done = bundle.startup()
print("RESULT " + json.dumps({"imported": imported, "skipped": skipped, "done": done,
      "ffmpeg": os.environ.get("IMAGEIO_FFMPEG_EXE", ""), "version": list(sys.version_info[:2])}))
"""


def run_probe(python: str, folder: Path, env: Dict[str, str]) -> dict:
    import json

    done = subprocess.run(
        [python, "-S", "-I", "-c", PROBE, str(folder)],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(folder),
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT ") :])


def test_a_clean_other_python_imports_everything_from_the_moved_share_alone(share, tmp_path):
    needed = bundle.minimum_python(bundle.python_requirements())
    interpreter = other_python(needed)
    if not interpreter:
        pytest.skip(f"no python{needed} (pyenv install {needed}) to stand for a host's Python")
    elsewhere = tmp_path / "mounted" / "studio_share"  # another machine mounts it elsewhere
    shutil.copytree(share, elsewhere)
    payload = elsewhere / "ft_dcc_nuke" / VERSION
    fake_ffmpeg = payload / "ffmpeg" / bundle.platform_tag() / bundle.ffmpeg_name()
    fake_ffmpeg.parent.mkdir(parents=True)
    fake_ffmpeg.write_text("#!/bin/sh\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "IMAGEIO"))}

    result = run_probe(interpreter, payload / "python", env)

    assert result["version"] == [int(x) for x in needed.split(".")]
    assert "ft_dcc_hosts.maya.integration" in result["imported"]
    assert "ft_dcc.publish" in result["imported"] and "ft_dcc.session" in result["imported"]
    outside = {n: f for n, f in result["imported"].items() if not f.startswith(str(elsewhere))}
    assert outside == {}, "every module comes from the share"
    assert not any(n.startswith("ft_dcc.server") for n in result["imported"])
    assert result["ffmpeg"] == str(fake_ffmpeg)  # this platform's folder, found at start-up
    assert any(VERSION in line for line in result["done"])


def test_a_host_python_too_old_for_the_packages_gets_one_clear_line(share):
    marker = {"python": "3.10", "requires_python": {"urllib3": ">=3.10", "attrs": ">=3.9"}}
    bundle.check_python(marker, (3, 10))
    with pytest.raises(bundle.HostError, match=r"needs Python 3.10 .*urllib3 >=3.10.* 3\.9\.") as e:
        bundle.check_python(marker, (3, 9))
    assert "attrs" not in str(e.value) and "Python 3.9 environment" in e.value.hint


def test_a_share_built_from_python39_imports_in_python39(tmp_path):
    """A TD whose hosts include Python 3.9 builds from a Python 3.9 environment (here the core's
    own 3.9 venv that `make check` keeps): the share then imports in a clean Python 3.9."""
    if not PY39_CORE.is_file():
        pytest.skip("no .cache/py39-core (made by make check)")
    build = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from ft_dcc.host.pythonpath import ensure_hosts_package; ensure_hosts_package()\n"
        "from ft_dcc_hosts.nuke.integration import integration\n"
        "print(integration.install(__import__('pathlib').Path(sys.argv[2])))"
    )
    share = tmp_path / "share39"
    done = subprocess.run(
        [str(PY39_CORE), "-c", build, str(ROOT), str(share)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "IMAGEIO"))}
    result = run_probe(str(PY39_CORE.resolve()), share / "ft_dcc_nuke" / VERSION / "python", env)
    assert result["version"] == [3, 9]
    assert "ft_dcc_hosts.nuke.integration" in result["imported"]
    assert "requests" in result["imported"] and "urllib3" in result["imported"]


def test_the_environment_s_ffmpeg_wins_over_the_share_s(share, tmp_path):
    payload = share / "ft_dcc_maya" / VERSION
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["IMAGEIO_FFMPEG_EXE"] = "/opt/studio/ffmpeg"
    ffmpeg = payload / "ffmpeg" / bundle.platform_tag() / bundle.ffmpeg_name()
    ffmpeg.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg.write_text("#!/bin/sh\n", encoding="utf-8")
    try:
        result = run_probe(sys.executable, payload / "python", env)
    finally:
        shutil.rmtree(ffmpeg.parent)
    assert result["ffmpeg"] == "/opt/studio/ffmpeg"


def maya_module_paths(mod_file: Path) -> Tuple[Path, List[Path]]:
    """What Maya makes of a .mod file (Autodesk's module rules): the module root, relative to the
    .mod file's folder unless absolute, and ``PYTHONPATH+:=`` entries relative to that root; the
    root's ``scripts`` folder joins PYTHONPATH by itself."""
    lines = mod_file.read_text(encoding="utf-8").splitlines()
    plus, name, _version, where = lines[0].split(" ", 3)
    assert plus == "+" and name == "ft_dcc_maya"
    root = Path(where) if os.path.isabs(where) else (mod_file.parent / where)
    paths = [root / "scripts"]
    for line in lines[1:]:
        key, _, value = line.partition("+:=")
        assert key == "PYTHONPATH" and value, line
        paths.append(root / value)
    return root.resolve(), [p.resolve() for p in paths]


def test_maya_finds_the_module_relative_to_the_mod_file_on_another_machine(share, tmp_path):
    elsewhere = tmp_path / "other_machine" / "share"
    shutil.copytree(share, elsewhere)
    root, paths = maya_module_paths(elsewhere / "ft_dcc_maya.mod")
    assert root == (elsewhere / "ft_dcc_maya" / VERSION).resolve()
    probe = (
        "import runpy, sys; sys.path[:0] = sys.argv[1:]\n"
        "from maya import cmds\n"
        "runpy.run_path(sys.argv[2] + '/userSetup.py')\n"
        "import ft_dcc, ft_dcc_hosts.maya.startup as startup\n"
        "print(ft_dcc.__file__); print(startup.__file__)"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-I", "-c", probe, str(FAKES / "maya"), *map(str, paths)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "not available" not in done.stdout, done.stdout
    for line in done.stdout.strip().splitlines()[-2:]:
        assert Path(line).resolve().is_relative_to(root), line


def test_nuke_init_loads_the_payload_next_to_itself_on_another_machine(share, tmp_path):
    elsewhere = tmp_path / "other_machine" / "share"
    shutil.copytree(share, elsewhere)
    folder = elsewhere / "ft_dcc_nuke"
    probe = (
        "import runpy, sys; sys.path[:0] = sys.argv[1:]\n"
        "sys.path.append(sys.argv[3])\n"  # the fake's own attrs; no .pth: ft_dcc is not there
        "import nuke; nuke._fake.reset(gui=False)\n"
        "runpy.run_path(sys.argv[2] + '/init.py')\n"
        "import ft_dcc\n"
        "print(ft_dcc.__file__)\n"
        "print(bool(nuke._fake.state.callbacks['afterRender']['Write']))"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-S",
            "-I",
            "-c",
            probe,
            str(FAKES / "nuke"),
            str(folder),
            sysconfig.get_paths()["purelib"],
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    ft_dcc_file, registered = done.stdout.strip().splitlines()[-2:]
    assert Path(ft_dcc_file).is_relative_to(folder / VERSION / "python")
    assert registered == "True"


def test_an_update_goes_in_beside_the_old_version_and_switches_last(tmp_path, monkeypatch):
    share = tmp_path / "share"
    maya_module.integration.install(share)
    nuke_module.integration.install(share)
    monkeypatch.setattr(maya_module, "__version__", "9.9.9")
    monkeypatch.setattr(nuke_module, "__version__", "9.9.9")
    maya_module.integration.install(share)
    nuke_module.integration.install(share)
    nuke_module.integration.install(share)  # the same version again replaces it in place

    root, _paths = maya_module_paths(share / "ft_dcc_maya.mod")
    assert root == (share / "ft_dcc_maya" / "9.9.9").resolve()
    assert 'FT_DCC_PAYLOAD = "9.9.9"' in (share / "ft_dcc_nuke" / "init.py").read_text("utf-8")
    for host in ("ft_dcc_maya", "ft_dcc_nuke"):
        kept = sorted(p.name for p in (share / host).iterdir() if p.is_dir())
        assert kept == sorted([VERSION, "9.9.9"])  # the old one: for sessions still running
    assert not [p for p in share.rglob(".*")], "no staging or moved-aside leftovers"


def test_cli_ffmpeg_copies_this_machine_s_ffmpeg_into_the_platform_folder(tmp_path):
    system_ffmpeg = shutil.which("ffmpeg")
    if not system_ffmpeg:
        pytest.skip("no ffmpeg on PATH")
    env = dict(os.environ, IMAGEIO_FFMPEG_EXE=system_ffmpeg)  # a small one to copy
    command = ["host", "install", "nuke", "--dest", str(tmp_path)]
    done = run_ft_dcc([*command, "--ffmpeg"], env=env, timeout=None)
    assert done.returncode == 0, done.stderr
    copied = tmp_path / "ft_dcc_nuke" / VERSION / "ffmpeg" / bundle.platform_tag() / "ffmpeg"
    assert copied.is_file() and os.access(copied, os.X_OK)
    assert str(copied) in done.stdout
    done = run_ft_dcc([*command[:2], "blender", "--dest", str(tmp_path), "--ffmpeg"], env=env)
    assert done.returncode != 0
    assert "IMAGEIO_FFMPEG_EXE" in done.stderr and "Traceback" not in done.stderr


def test_platform_tags_name_the_usual_studio_platforms():
    assert bundle.platform_tag("Linux", "x86_64") == "linux-x86_64"
    assert bundle.platform_tag("Darwin", "arm64") == "macos-arm64"
    assert bundle.platform_tag("Windows", "AMD64") == "windows-x86_64"
    assert bundle.ffmpeg_name("Windows") == "ffmpeg.exe"
