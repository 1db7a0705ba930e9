"""Start Blender without a UI: the ``blender`` executable when it can open the file, else the
``bpy`` module in a fresh Python process (a GL failure aborts the process, so never in ours).

Blender is started once per publish: its version is not asked for (``blender --version`` costs
a whole start) but reported by the started Blender itself and cached per executable (path,
mtime, size); a Blender too old for the file answers so at once and the ``bpy`` module runs.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import os
import re
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

from ft_dcc.exceptions import HostError

# python_paths: the folders Blender's own Python needs for ft_dcc (shared by every host)
from ft_dcc.host.pythonpath import python_paths as python_paths

if TYPE_CHECKING:  # pragma: no cover - a TypedDict, for the signature only
    from ft_dcc.host.headless import Outcome

log = logging.getLogger(__name__)

_HEADER = re.compile(rb"^BLENDER(?:[-_][vV](\d)(\d{2})|\d{2}-\d{2}[vV](\d{2})(\d{2}))")


def blend_file_version(path: Path) -> Optional[Tuple[int, int]]:
    """The Blender version that saved ``path`` (``BLENDER-v304`` is 3.4, ``BLENDER17-01v0500``
    is 5.0), or None when the header cannot be read (e.g. zstd-compressed without ``zstandard``).
    """
    with open(path, "rb") as handle:
        head = handle.read(32)
    if head[:2] == b"\x1f\x8b":
        with gzip.open(path, "rb") as handle:
            head = handle.read(32)
    elif head[:4] == b"\x28\xb5\x2f\xfd":
        try:
            import zstandard  # installed with the bpy wheel; optional
        except ImportError:
            return None
        with open(path, "rb") as handle:
            head = zstandard.ZstdDecompressor().stream_reader(handle).read(32)
    match = _HEADER.match(head)
    if not match:
        return None
    if match.group(1) is not None:
        return int(match.group(1)), int(match.group(2))
    return int(match.group(3)), int(match.group(4))


def find_blender() -> Optional[str]:
    """``$FT_DCC_BLENDER`` (``none`` disables it), else ``blender`` on PATH."""
    configured = os.environ.get("FT_DCC_BLENDER", "").strip()
    if configured.lower() == "none":
        return None
    if configured:
        return configured
    return shutil.which("blender")


def _version_cache() -> Path:
    from ft_dcc.session.schema_cache import default_cache_directory

    return default_cache_directory() / "blender_versions.json"


def _stamp(executable: str) -> Optional[List[int]]:
    """What identifies one build of ``executable``: its (followed) mtime and size."""
    try:
        stat = os.stat(executable)
    except OSError:
        return None
    return [stat.st_mtime_ns, stat.st_size]


def known_version(executable: str) -> Optional[Tuple[int, int]]:
    """The version a Blender reported the last time it ran (cached per path, mtime and size);
    None when unknown. Never starts Blender: a started Blender checks itself (``headless.py``)
    and reports its version, which :func:`remember_version` keeps."""
    try:
        entry = json.loads(_version_cache().read_text(encoding="utf-8")).get(executable)
    except (OSError, ValueError, AttributeError):
        return None
    if not entry or entry.get("stamp") != _stamp(executable):
        return None
    major, minor = entry["version"][:2]
    return int(major), int(minor)


def remember_version(executable: str, version: Sequence[int]) -> None:
    """Keep ``version`` for ``executable`` (until it changes on disk); failures only log."""
    cache = _version_cache()
    try:
        entries = json.loads(cache.read_text(encoding="utf-8")) if cache.is_file() else {}
        entries[executable] = {"stamp": _stamp(executable), "version": list(version[:2])}
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f".{cache.name}.{os.getpid()}")
        partial.write_text(json.dumps(entries), encoding="utf-8")
        os.replace(partial, cache)
    except (OSError, ValueError) as exc:
        log.warning("could not remember %s's version in %s: %s", executable, cache, exc)


def learn_version(outcome: Outcome) -> bool:
    """Remember the version the executable reported in a headless ``outcome``; True when it
    said it is too old for the file (the caller then runs again, on the ``bpy`` module)."""
    blender = outcome.get("blender")
    executable = find_blender()
    if executable is None or not blender or not blender.get("version") or blender.get("module"):
        return False
    remember_version(executable, blender["version"])
    return bool(outcome.get("too_old")) and has_bpy_module()


def has_bpy_module() -> bool:
    """True when this Python can ``import bpy`` (checked without importing it)."""
    return importlib.util.find_spec("bpy") is not None


def script_command(
    script: Path, arguments: Sequence[str], scene: Optional[Path] = None
) -> List[str]:
    """The command that runs ``script`` in a background Blender that can open ``scene``: the
    executable unless it is known to be too old for the file and the bpy module is here."""
    executable = find_blender()
    needed = blend_file_version(scene) if scene is not None and scene.is_file() else None
    if executable:
        version = known_version(executable)
        if version is None or needed is None or needed <= version or not has_bpy_module():
            return [
                executable,
                "-b",
                "--factory-startup",
                "--python-exit-code",
                "2",
                "--python",
                str(script),
                "--",
                *arguments,
            ]
        log.info(
            "%s is Blender %d.%d, too old for %s (saved by %d.%d): using the bpy module",
            executable,
            *version,
            scene,
            *needed,
        )
    if has_bpy_module():
        return [sys.executable, str(script), "--", *arguments]
    wanted = f" {needed[0]}.{needed[1]} or newer" if needed else ""
    raise HostError(
        f"No Blender{wanted} was found to open {scene or 'the scene'}.",
        hint="put a blender executable on PATH (or set FT_DCC_BLENDER), or pip install bpy",
    )
