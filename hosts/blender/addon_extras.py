"""What the Blender add-on zip carries beyond the core's packages: the event hub's client.

``websocket-client`` is an optional dependency of the core (the 'events' extra), so the shared
payload (``ft_dcc.host.bundle``) leaves it out; but an artist cannot pip-install into Blender's
Python, and without it every publish from the sidebar warned that its 'new review content' event
was not sent. It is pure Python; version 0.x imports ``six`` (one module), which goes with it.
Licences: websocket-client is LGPL-2.1 (shipped unmodified as its own importable package, which
an artist may replace), six is MIT; both licence files go into ``python/licenses/<name>/``.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
from importlib import metadata
from pathlib import Path
from typing import Dict

from ft_dcc.exceptions import HostError

log = logging.getLogger(__name__)

#: import name -> distribution, for the event hub's client
EVENT_CLIENT = {"websocket": "websocket-client", "six": "six"}
LICENCE_WORDS = ("LICENSE", "LICENCE", "COPYING", "NOTICE")
_SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo", "*.so", "*.pyd", "tests")


def add_event_client(python: Path) -> Dict[str, str]:
    """Copy websocket-client (and six, when this version imports it) with their licence files
    into ``python`` (the zip's ``python`` folder); returns {import name: distribution version}.
    HostError when websocket-client is not installed in this Python."""
    copied: Dict[str, str] = {}
    for name, distribution in EVENT_CLIENT.items():
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            if name == "six":
                continue  # websocket-client 1.x needs no six
            raise HostError(
                "websocket-client is not installed here, so the Blender add-on would publish "
                "without the event hub's announcement.",
                hint="pip install 'ft-dcc[events]' in this Python, then build the add-on again",
            )
        source = Path(spec.origin)
        if spec.submodule_search_locations:  # a package: its folder
            shutil.copytree(source.parent, python / name, ignore=_SKIPPED, dirs_exist_ok=True)
        else:  # one module
            shutil.copyfile(source, python / source.name)
        _copy_licences(distribution, python / "licenses" / distribution)
        copied[name] = metadata.version(distribution)
    log.info("event hub client in the add-on: %s", copied)
    return copied


def _copy_licences(distribution: str, target: Path) -> None:
    for file in metadata.distribution(distribution).files or []:
        if any(word in file.name.upper() for word in LICENCE_WORDS):
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(str(file.locate())), target / file.name)
