"""Make ft_dcc, the host adapters and their dependencies importable in a host's own Python.

Blender, mayapy and Nuke run their own Python without this project's site-packages: they are
given folders to put on ``sys.path`` (:func:`python_paths`). The host adapters are the package
``ft_dcc_hosts``; in a wheel install it is a folder of that name, but in a source checkout (and
an editable install) the folder is ``hosts/`` next to ``ft_dcc/``, which no ``sys.path`` entry
can make importable under its installed name: :func:`ensure_hosts_package` does. Stdlib only,
so a host's bootstrap can call it as soon as ``ft_dcc`` imports.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import List

#: the import name of the host adapters, unique to this project (a studio may have a ``hosts``)
HOSTS_PACKAGE = "ft_dcc_hosts"
#: the adapters' folder in a source checkout, next to ``ft_dcc/``
HOSTS_FOLDER = "hosts"

#: the packages a host's own Python must import for a publish (all pure Python)
PYTHON_PACKAGES = (
    "ft_dcc",
    HOSTS_PACKAGE,
    "attr",
    "pyblish",
    "requests",
    "urllib3",
    "idna",
    "certifi",
    "charset_normalizer",
    "imageio_ffmpeg",
)


def python_paths() -> List[str]:
    """The folders holding :data:`PYTHON_PACKAGES` in this Python, in order, without repeats:
    put them on a host Python's ``sys.path``, call :func:`ensure_hosts_package`, and ft_dcc
    and ``ft_dcc_hosts`` import there."""
    found: List[str] = []
    for name in PYTHON_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = str(Path(next(iter(spec.submodule_search_locations))).parent)
        if folder not in found:
            found.append(folder)
    return found


def ensure_hosts_package() -> bool:
    """Make ``import ft_dcc_hosts`` work; True when it does.

    When nothing on ``sys.path`` provides it, the ``hosts/`` folder next to the imported
    ``ft_dcc`` package is loaded under that name (a source checkout). A module called ``hosts``
    elsewhere on the path is left alone.
    """
    if HOSTS_PACKAGE in sys.modules or importlib.util.find_spec(HOSTS_PACKAGE) is not None:
        return True
    folder = Path(__file__).resolve().parents[2] / HOSTS_FOLDER
    init = folder / "__init__.py"
    if not init.is_file():
        return False
    spec = importlib.util.spec_from_file_location(
        HOSTS_PACKAGE, init, submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        return False
    module = importlib.util.module_from_spec(spec)
    sys.modules[HOSTS_PACKAGE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[HOSTS_PACKAGE]
        raise
    return True
