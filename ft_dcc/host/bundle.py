"""Self-contained host integrations: what ``ft-dcc host install`` copies into an integration, and
how the integration finds it again when the host starts, on any machine that reads the share.

A built integration holds a *payload* folder::

    <payload>/ft_dcc_integration.json   the marker: version, oldest host Python, contents
    <payload>/python/                   ft_dcc, ft_dcc_hosts, the core's dependencies: pure Python
    <payload>/ffmpeg/<platform>/ffmpeg  optional, one per platform (see :func:`platform_tag`)

Nothing in it names a folder of the machine that built it: the host's start-up code puts
``<payload>/python`` on ``sys.path`` relative to its own file, and :func:`startup` picks the ffmpeg
of the platform it runs on (``IMAGEIO_FFMPEG_EXE`` first, then the payload's ``ffmpeg/<platform>``,
then imageio-ffmpeg's own search, which ends with an ``ffmpeg`` on ``PATH``).

Compiled modules (``charset_normalizer``'s mypyc build) are left out: each has its pure-Python
source beside it, which every Python version and platform imports. imageio-ffmpeg's binary is
per platform and large (165 MB), so it is left out of the Python folder; :func:`add_ffmpeg` copies
this machine's into the payload's platform folder on request. Stdlib only.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import re
import shutil
import sys
import uuid
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from ft_dcc.exceptions import HostError
from ft_dcc.host.pythonpath import PYTHON_PACKAGES, ensure_hosts_package

log = logging.getLogger(__name__)

MARKER = "ft_dcc_integration.json"
#: the oldest host Python the core supports (Maya 2023, Nuke 14)
MIN_PYTHON = (3, 9)
PYTHON_FOLDER = "python"
FFMPEG_FOLDER = "ffmpeg"
#: the vendored packages, with ``attrs`` (the new name of ``attr``'s API) when it is installed
VENDORED = (*PYTHON_PACKAGES, "attrs")
#: never copied: byte code, compiled modules (each has a .py twin), the server, ffmpeg binaries,
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".dylib")
SKIPPED_FOLDERS = {"__pycache__"}
SKIPPED_PATHS = {("ft_dcc", "server")}
#: folders whose Python modules are kept but whose other files are not (imageio-ffmpeg imports
#: its ``binaries`` package to look for a bundled ffmpeg: the package stays, the binary does not)
CODE_ONLY_PATHS = {("imageio_ffmpeg", "binaries")}
#: the add-on's source: the zip holds it at its top (a second blender_manifest.toml in the zip
#: makes Blender refuse it as an extension)
SKIPPED_FOLDERS_3 = {("ft_dcc_hosts", "blender", "addon")}
LICENCE_WORDS = ("LICENSE", "LICENCE", "NOTICE", "COPYING")
#: the distributions whose licence files go with their code (``python/licenses/<name>/``)
DISTRIBUTIONS = {
    "attr": "attrs",
    "pyblish": "pyblish-base",
    "requests": "requests",
    "urllib3": "urllib3",
    "idna": "idna",
    "certifi": "certifi",
    "charset_normalizer": "charset-normalizer",
    "imageio_ffmpeg": "imageio-ffmpeg",
}


def platform_tag(system: Optional[str] = None, machine: Optional[str] = None) -> str:
    """``linux-x86_64``, ``macos-arm64``, ``windows-x86_64``: the ffmpeg folder of a platform."""
    system = (system or platform.system()).lower()
    machine = (machine or platform.machine()).lower()
    system = {"darwin": "macos"}.get(system, system)
    machine = {"amd64": "x86_64", "aarch64": "arm64"}.get(machine, machine)
    return f"{system}-{machine}"


def ffmpeg_name(system: Optional[str] = None) -> str:
    return "ffmpeg.exe" if (system or platform.system()).lower() == "windows" else "ffmpeg"


def package_folders() -> Dict[str, Path]:
    """The folder of each vendored package in this Python (``ft_dcc_hosts`` from a checkout too)."""
    import importlib.util

    ensure_hosts_package()
    found: Dict[str, Path] = {}
    for name in VENDORED:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            if name != "attrs":
                raise HostError(
                    f"{name} is not importable in this Python, so it cannot go into the "
                    "integration.",
                    hint="run 'ft-dcc host install' from the Python where ft-dcc is installed",
                )
            continue
        found[name] = Path(next(iter(spec.submodule_search_locations))).resolve()
    return found


def _skipped(relative: Path) -> bool:
    parts = relative.parts
    if any(part in SKIPPED_FOLDERS for part in parts) or relative.suffix in SKIPPED_SUFFIXES:
        return True
    if tuple(parts[:2]) in CODE_ONLY_PATHS and relative.suffix != ".py":
        return True
    return tuple(parts[:2]) in SKIPPED_PATHS or tuple(parts[:3]) in SKIPPED_FOLDERS_3


def _copy_package(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        relative = Path(target.name) / path.relative_to(source)
        if path.is_dir() or _skipped(relative):
            continue
        destination = target.parent / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)


def _copy_licences(python: Path) -> None:
    from importlib import metadata

    for distribution in DISTRIBUTIONS.values():
        try:
            files = metadata.distribution(distribution).files or []
        except metadata.PackageNotFoundError:
            continue
        for file in files:
            if any(word in file.name.upper() for word in LICENCE_WORDS):
                target = python / "licenses" / distribution / file.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(str(file.locate())), target)


def _lower_bound(requires: str) -> Tuple[int, int]:
    """The lowest Python a ``Requires-Python`` admits (its ``>=X.Y`` / ``>X.Y`` clauses)."""
    bound = (3, 0)
    for clause in requires.split(","):
        match = re.match(r"\s*(>=|>|~=)\s*(\d+)\.(\d+)", clause)
        if match:
            found = (int(match.group(2)), int(match.group(3)) + (match.group(1) == ">"))
            bound = max(bound, found)
    return bound


def python_requirements() -> Dict[str, str]:
    """``Requires-Python`` of each vendored distribution installed here (ft-dcc's own too)."""
    from importlib import metadata

    found: Dict[str, str] = {}
    for distribution in ("ft-dcc", *DISTRIBUTIONS.values()):
        try:
            meta = metadata.distribution(distribution).metadata
            found[distribution] = meta["Requires-Python"] or ""
        except metadata.PackageNotFoundError:
            continue
    return found


def minimum_python(requirements: Dict[str, str]) -> str:
    """The oldest host Python the vendored packages import in, e.g. ``3.10``."""
    bound = max([MIN_PYTHON, *(_lower_bound(r) for r in requirements.values())])
    return f"{bound[0]}.{bound[1]}"


def write_payload(folder: Path, version: str, host: str) -> Path:
    """Fill ``folder`` (created) with the vendored Python packages and the marker; return it."""
    python = folder / PYTHON_FOLDER
    python.mkdir(parents=True, exist_ok=True)
    for name, source in package_folders().items():
        _copy_package(source, python / name)
    _copy_licences(python)
    (folder / FFMPEG_FOLDER).mkdir(exist_ok=True)
    requirements = python_requirements()
    marker = {
        "version": version,
        "host": host,
        "python": minimum_python(requirements),
        "requires_python": requirements,
        "packages": sorted(package_folders()),
    }
    (folder / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
    return folder


def replace_folder(built: Path, final: Path) -> Path:
    """Move the finished ``built`` to ``final``, replacing an earlier build of the same version
    (moved aside first, then removed: a host that has it open keeps what it loaded)."""
    if final.exists():
        aside = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        final.rename(aside)
        shutil.rmtree(aside, ignore_errors=True)
    built.rename(final)
    return final


def build_payload(
    parent: Path, version: str, host: str, fill: Optional[Callable[[Path], None]] = None
) -> Path:
    """Build the payload ``parent/<version>`` (see the module doc), ``fill`` adding the host's
    own files, then put it in place of an earlier build of that version."""
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f".{version}.building-{uuid.uuid4().hex[:8]}"
    try:
        write_payload(staging, version, host)
        if fill is not None:
            fill(staging)
        return replace_folder(staging, parent / version)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def write_atomically(path: Path, text: str) -> Path:
    """Write ``path`` through a temporary file and a rename: a host never reads half of it."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return path


def add_ffmpeg(payload: Path) -> Path:
    """Copy this machine's ffmpeg into ``payload/ffmpeg/<this platform>/``; return its path."""
    from ft_dcc.media.ffmpeg import ffmpeg_executable

    source = Path(ffmpeg_executable())
    target = payload / FFMPEG_FOLDER / platform_tag() / ffmpeg_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o755)
    return target


def payload_of(built: Path) -> Path:
    """The payload of what ``install`` returned: a folder holding ``<version>/`` (Nuke) or a
    ``.mod`` file beside its module folder (Maya). A zip (Blender) has none: ffmpeg in a zip
    would lose its executable bit and weigh 165 MB per artist."""
    from ft_dcc import __version__

    folder = built.with_suffix("") if built.suffix == ".mod" else built
    payload = folder / __version__
    if not (payload / MARKER).is_file():
        raise HostError(
            f"{built} carries no ffmpeg folder (an add-on zip is installed into each artist's "
            "Blender).",
            hint="set IMAGEIO_FFMPEG_EXE on the artists' machines or put ffmpeg on their PATH",
        )
    return payload


def payload_root() -> Optional[Path]:
    """The payload this ft_dcc was loaded from (``<payload>/python/ft_dcc/host/bundle.py``), or
    None for an ordinary install."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / MARKER).is_file() else None


def bundled_ffmpeg(payload: Path) -> Optional[Path]:
    """``payload/ffmpeg/<this platform>/ffmpeg`` when it is there."""
    candidate = payload / FFMPEG_FOLDER / platform_tag() / ffmpeg_name()
    return candidate if candidate.is_file() else None


def python_note() -> str:
    """One line for the TD: the oldest host Python the built integration imports in."""
    requirements = python_requirements()
    needed = minimum_python(requirements)
    if needed == "{}.{}".format(*MIN_PYTHON):
        return f"Its packages import in every host Python from {needed} on."
    newer = ", ".join(n for n, r in sorted(requirements.items()) if _lower_bound(r) > MIN_PYTHON)
    return (
        f"Its packages import in host Pythons from {needed} on ({newer} need it); for hosts on "
        "Python 3.9 (Maya 2023, Nuke 14) run 'ft-dcc host install' from a Python 3.9 environment."
    )


def check_python(marker: Dict[str, object], running: Tuple[int, ...]) -> None:
    """:class:`HostError` when this host's Python is older than the vendored packages need."""
    needed = tuple(int(part) for part in str(marker.get("python", "3.9")).split("."))
    if tuple(running[:2]) >= needed:
        return
    requirements = marker.get("requires_python") or {}
    assert isinstance(requirements, dict)
    newer = ", ".join(
        f"{name} {requires}"
        for name, requires in sorted(requirements.items())
        if _lower_bound(requires) > tuple(running[:2])
    )
    raise HostError(
        f"This ft_dcc integration needs Python {marker.get('python')} or newer ({newer}), but "
        f"this host runs Python {running[0]}.{running[1]}.",
        hint=f"build the integration again with 'ft-dcc host install' run from a Python "
        f"{running[0]}.{running[1]} environment (its packages then suit this host)",
    )


def startup() -> List[str]:
    """Called by each host's start-up code once ft_dcc imports: point imageio-ffmpeg at the
    payload's ffmpeg for this platform unless ``IMAGEIO_FFMPEG_EXE`` is set. Returns what it did
    (for the host's log)."""
    payload = payload_root()
    if payload is None:
        return []
    marker = json.loads((payload / MARKER).read_text(encoding="utf-8"))
    check_python(marker, sys.version_info[:2])
    done = [f"ft_dcc {marker['version']} from {payload}"]
    ffmpeg = bundled_ffmpeg(payload)
    if ffmpeg is not None and not os.environ.get("IMAGEIO_FFMPEG_EXE"):
        os.environ["IMAGEIO_FFMPEG_EXE"] = str(ffmpeg)
        done.append(f"ffmpeg {ffmpeg}")
    for line in done:
        log.info("%s", line)
    return done
