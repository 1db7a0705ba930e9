"""Let pyblish UIs (pyblish-lite, pyblish-qml) drive ft_dcc's plugins inside a host.

A host integration calls :func:`install` once (with its :class:`Host` and defaults); when a UI
then runs the registered plugins, ``CollectFtDccState`` builds the publish state from it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, Optional

from ft_dcc.exceptions import PublishError
from ft_dcc.host.interface import Host
from ft_dcc.publish.state import PublishRequest, PublishState

_installed: Dict[str, Any] = {}


def install(
    host: Host, *, session_factory: Optional[Callable[[], Any]] = None, **request: Any
) -> None:
    """Register ft_dcc's plugins and ``host`` for pyblish UIs; ``request`` takes the keyword
    arguments of :func:`ft_dcc.publish.publish` (task, review_session, comment, frames, ...)."""
    from ft_dcc.publish.pipeline import register_plugins

    register_plugins(host.name)
    _installed.clear()
    _installed.update(host=host, request=request, session_factory=session_factory)


def installed_host() -> Optional[Host]:
    return _installed.get("host")


def state_for_ui() -> PublishState:
    """A fresh publish state for the installed host (PublishError when none was installed)."""
    host = installed_host()
    if host is None:
        raise PublishError(
            "no ft_dcc host is installed for this pyblish session",
            hint="call ft_dcc.publish.install(host) in the host's start-up, "
            "or publish with ft_dcc.publish.publish(host, ...)",
        )
    request = PublishRequest(**_installed.get("request", {}))
    work_dir = request.work_dir or Path(tempfile.mkdtemp(prefix="ft_dcc_publish_"))
    return PublishState(
        host=host,
        request=request,
        work_dir=Path(work_dir),
        session_factory=_installed.get("session_factory"),
    )
