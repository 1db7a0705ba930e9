"""Where ft_dcc and its dependencies live, so Maya's own Python can import them."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import List

#: the packages mayapy / Maya must import for a publish
PYTHON_PACKAGES = (
    "ft_dcc",
    "hosts",
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
    """The folders holding :data:`PYTHON_PACKAGES`, in order, without repeats."""
    found: List[str] = []
    for name in PYTHON_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = str(Path(next(iter(spec.submodule_search_locations))).parent)
        if folder not in found:
            found.append(folder)
    return found
