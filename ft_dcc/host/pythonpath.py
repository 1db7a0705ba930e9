"""Make ft_dcc, the host adapters and their dependencies importable in a host's own Python.

Blender, mayapy and Nuke run their own Python without this project's site-packages: they are
given folders to put on ``sys.path`` (:func:`python_paths`), which a host's headless script adds
with :func:`add_request_python_path` - the one rule for every host: appended after the host's own
folders, so the host's packages (Blender's numpy, Nuke's PySide) stay the ones it loads. The
host adapters are the package
``ft_dcc_hosts``; in a wheel install it is a folder of that name, but in a source checkout (and
an editable install) the folder is ``hosts/`` next to ``ft_dcc/``, which no ``sys.path`` entry
can make importable under its installed name: :func:`ensure_hosts_package` does. Stdlib only,
so a host's bootstrap can call it as soon as ``ft_dcc`` imports.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Iterable, List, Sequence

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


def add_python_path(folders: Iterable[str]) -> List[str]:
    """Append ``folders`` to ``sys.path`` after what is there (skipping those already on it);
    the folders added, in order."""
    added: List[str] = []
    for folder in folders:
        if folder not in sys.path:
            sys.path.append(folder)
            added.append(folder)
    return added


def request_path(argv: Sequence[str]) -> Path:
    """The request file in a headless script's ``argv``: the argument after ``--`` (Blender),
    else the last one (mayapy, ``nuke -t``)."""
    argv = list(argv)
    return Path(argv[argv.index("--") + 1] if "--" in argv else argv[-1])


def request_python_path(argv: Sequence[str]) -> List[str]:
    """The ``python_path`` of the request a headless script was started with."""
    request = json.loads(request_path(argv).read_text(encoding="utf-8"))
    return [str(folder) for folder in request.get("python_path", [])]


def add_request_python_path(argv: Sequence[str]) -> List[str]:
    """A headless script's first step: put its request's ``python_path`` on ``sys.path`` (see
    :func:`add_python_path`), so ft_dcc, ``ft_dcc_hosts`` and their dependencies import."""
    return add_python_path(request_python_path(argv))


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
