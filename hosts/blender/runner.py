"""Start Blender without a UI: the ``blender`` executable when it can open the file, else the
``bpy`` module in a fresh Python process (a GL failure aborts the process, so never in ours)."""

from __future__ import annotations

import gzip
import importlib.util
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from ft_dcc.exceptions import HostError

# python_paths: the folders Blender's own Python needs for ft_dcc (shared by every host)
from ft_dcc.host.pythonpath import python_paths as python_paths

log = logging.getLogger(__name__)

_HEADER = re.compile(rb"^BLENDER(?:[-_][vV](\d)(\d{2})|\d{2}-\d{2}[vV](\d{2})(\d{2}))")
_VERSION = re.compile(r"Blender (\d+)\.(\d+)")


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


def blender_version(executable: str) -> Optional[Tuple[int, int]]:
    try:
        output = subprocess.run(
            [executable, "--version"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("could not run %s --version: %s", executable, exc)
        return None
    match = _VERSION.search(output)
    return (int(match.group(1)), int(match.group(2))) if match else None


def has_bpy_module() -> bool:
    """True when this Python can ``import bpy`` (checked without importing it)."""
    return importlib.util.find_spec("bpy") is not None


def script_command(
    script: Path, arguments: Sequence[str], scene: Optional[Path] = None
) -> List[str]:
    """The command that runs ``script`` in a background Blender that can open ``scene``."""
    executable = find_blender()
    needed = blend_file_version(scene) if scene is not None and scene.is_file() else None
    if executable:
        version = blender_version(executable)
        if version is not None and (needed is None or needed <= version):
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
        if version is not None and needed is not None:
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
