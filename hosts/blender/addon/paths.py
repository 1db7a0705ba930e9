"""Make ``ft_dcc`` importable in Blender's own Python.

Looked up, in order: the add-on's "ft_dcc path" preference, ``FT_DCC_PYTHONPATH`` (os.pathsep
separated), and the ``python`` folder next to this file, where ``ft-dcc host install blender``
puts ft_dcc and its dependencies (so the zip works on any machine).
Each folder is added with :func:`site.addsitedir`, so editable installs (``.pth`` files) work.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import site
import sys
from pathlib import Path
from typing import List

log = logging.getLogger(__name__)

VENDORED = Path(__file__).with_name("python")


def candidate_paths(preference: str = "") -> List[str]:
    """Folders that may hold ft_dcc and its dependencies, most specific first."""
    paths: List[str] = []
    for value in (preference, os.environ.get("FT_DCC_PYTHONPATH", "")):
        paths.extend(p for p in value.split(os.pathsep) if p.strip())
    paths.append(str(VENDORED))
    return paths


#: ft_dcc, the Blender adapter (installed as ``ft_dcc_hosts``), and the core's dependencies
REQUIRED = ("ft_dcc", "ft_dcc_hosts", "attr", "pyblish", "requests", "imageio_ffmpeg")


def _importable() -> bool:
    if importlib.util.find_spec("ft_dcc") is not None:
        from ft_dcc.host.pythonpath import ensure_hosts_package

        ensure_hosts_package()  # from a source checkout, whose adapters folder is hosts/
    return all(importlib.util.find_spec(name) is not None for name in REQUIRED)


def startup(preference: str = "") -> bool:
    """At register: make ft_dcc importable, then let it pick this platform's ffmpeg."""
    if not ensure_ft_dcc(preference):
        return False
    from ft_dcc.host.bundle import startup as bundle_startup

    bundle_startup()
    return True


def ensure_ft_dcc(preference: str = "") -> bool:
    """True when ``ft_dcc`` (and ``ft_dcc_hosts``) can be imported, adding paths if needed."""
    try:
        if _importable():
            return True
    except (ImportError, ValueError):
        pass
    for path in candidate_paths(preference):
        path = os.path.expanduser(path.strip())
        if os.path.isdir(path) and path not in sys.path:
            site.addsitedir(path)
    importlib.invalidate_caches()
    try:
        return _importable()
    except (ImportError, ValueError):
        return False
