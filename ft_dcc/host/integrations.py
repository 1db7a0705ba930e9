"""Find host integrations without importing ``hosts/``: they register under an entry-point group.

A host package declares, in ``pyproject.toml``::

    [project.entry-points."ft_dcc.hosts"]
    blender = "ft_dcc_hosts.blender.integration:integration"

and the object it names satisfies :class:`HostIntegration`. The CLI uses it for
``ft-dcc host install NAME`` and ``ft-dcc publish SCENE --host NAME``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Protocol

from ft_dcc.exceptions import HostError

if TYPE_CHECKING:  # pragma: no cover - the importlib.metadata entry point
    from importlib.metadata import EntryPoint

    from ft_dcc.host.headless import HeadlessPublish

ENTRY_POINT_GROUP = "ft_dcc.hosts"


class HostIntegration(Protocol):
    """What a host package offers the command line."""

    name: str

    def install(self, destination: Optional[Path] = None) -> Path:
        """Build the installable integration (add-on zip, module folder); return where it is."""

    def install_instructions(self, built: Path) -> str:
        """Tell a TD, in a few lines, where to put ``built`` and how to enable it."""

    def status(self) -> str:
        """One line for ``ft-dcc host list``: where the host was found, or how to point at it
        (optional: "installed" is shown when missing)."""

    def publish_headless(self, publish: HeadlessPublish) -> int:
        """Open ``publish.scene`` in the host without a UI and publish ``publish.request`` (the
        typed request, handed over in its one JSON form). Prints the report; returns the
        process exit status.
        """


def executable_status(executable: Optional[str], name: str, how: str, label: str = "") -> str:
    """:meth:`HostIntegration.status` of a host run through ``executable``: ``ready: …`` when it
    was found, else that ``name`` was not found and ``how`` to point at it."""
    if executable is None:
        return f"installed; {name} not found ({how})"
    return f"ready: {label}{executable}"


def _entry_points() -> List[EntryPoint]:
    from importlib import metadata

    if sys.version_info >= (3, 10):
        return list(metadata.entry_points(group=ENTRY_POINT_GROUP))
    return list(metadata.entry_points().get(ENTRY_POINT_GROUP, []))  # Python 3.9


def available_integrations() -> List[str]:
    """Names of the host integrations installed in this Python."""
    return sorted(ep.name for ep in _entry_points())


def find_integration(name: str) -> HostIntegration:
    """The integration called ``name``; a clear error lists the installed ones otherwise."""
    for entry_point in _entry_points():
        if entry_point.name == name:
            return entry_point.load()
    names = ", ".join(available_integrations()) or "none"
    raise HostError(
        f"No ft_dcc integration for host {name!r} is installed (installed: {names}).",
        hint="reinstall ft-dcc (pip install -e .) so its host entry points are registered",
    )
