"""Prove the core runs inside a DCC's Python: import ``ft_dcc`` (minus the server) and
``ft_dcc_hosts`` (the folder ``hosts/``)
on Python 3.9 with nothing installed but the four core dependencies.

Usage: ``python tests/tools/check_py39_imports.py --python /path/to/python3.9``

A venv with exactly ``requests``, ``attrs``, ``pyblish-base`` and ``imageio-ffmpeg`` is made (and
reused) under ``.cache/py39-core``; every module is then imported in that interpreter. A module that
needs its host's own API (``bpy``, ``maya``, ``nuke``) is reported as skipped, never as passed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]
HOST_APIS = ("bpy", "maya", "nuke", "mathutils", "bl_ui", "gpu", "PySide2", "PySide6", "hou")
EXCLUDED = ("ft_dcc.server",)

PROBE = r"""
import importlib, pkgutil, sys
sys.path.insert(0, {root!r})
host_apis = {host_apis!r}
excluded = {excluded!r}
failed, skipped, ok = [], [], []
from ft_dcc.host.pythonpath import ensure_hosts_package
ensure_hosts_package()  # the adapters' folder hosts/ imports as ft_dcc_hosts
for package in ("ft_dcc", "ft_dcc_hosts"):
    top = importlib.import_module(package)
    names = [package] + [m.name for m in pkgutil.walk_packages(top.__path__, package + ".")]
    for name in names:
        if name.startswith(excluded) or name.endswith("__main__"):
            continue
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] in host_apis:
                skipped.append(name + " (needs " + exc.name + ")")
            else:
                failed.append(name + ": " + repr(exc))
        except Exception as exc:
            failed.append(name + ": " + repr(exc))
        else:
            ok.append(name)
print("python", sys.version.split()[0], "- imported", len(ok), "modules")
for s in skipped:
    print("skipped", s)
for f in failed:
    print("FAILED", f)
sys.exit(1 if failed or not ok else 0)
"""


def core_requirements() -> list[str]:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return list(tomllib.load(fh)["project"]["dependencies"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", required=True, help="a Python 3.9 interpreter")
    args = parser.parse_args()
    if not args.python:
        print("check_py39_imports: no python3.9 found; install one (e.g. pyenv) to run this check")
        return 1
    venv = ROOT / ".cache" / "py39-core"
    py = venv / "bin" / "python"
    requirements = core_requirements()
    stamp = venv / "requirements.txt"
    if not py.exists() or not stamp.exists() or stamp.read_text() != "\n".join(requirements):
        subprocess.run([args.python, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", *requirements], check=True)
        stamp.write_text("\n".join(requirements))
    code = PROBE.format(root=str(ROOT), host_apis=HOST_APIS, excluded=EXCLUDED)
    return subprocess.run([str(py), "-I", "-c", code], cwd=str(venv)).returncode


if __name__ == "__main__":
    sys.exit(main())
