"""Let pyblish UIs (pyblish-lite, pyblish-qml) drive ft_dcc's plugins inside a host.

A host integration calls :func:`install` once (with its :class:`Host` and defaults); when a UI
then runs the registered plugins, ``CollectFtDccState`` builds the publish context from it. The
plugins a UI discovers carry the settings given to :func:`install` (a pyblish discovery filter:
each plugin receives the keys it owns, one turned off is not offered), as a publish's do.
"""

from __future__ import annotations

import atexit
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, TypedDict

import attr
import pyblish.api

from ft_dcc.exceptions import PublishError
from ft_dcc.publish.common.work_dir import WorkDir
from ft_dcc.publish.host_port import Host
from ft_dcc.publish.request.request import PublishRequest
from ft_dcc.publish.request.studio_settings import StudioSettings
from ft_dcc.publish.shared.state import PublishContext
from ft_dcc.session.interface import IntegrateSession
from ft_dcc.settings.plugins import apply as with_settings


class _Installed(TypedDict, total=False):
    host: Host
    request: Dict[str, object]  # PublishRequest's fields
    session_factory: Optional[Callable[[], IntegrateSession]]


#: what :func:`install` was given (one host per process; install again to replace it)
_installed: _Installed = {}
#: the work folder of this process's pyblish UI publish (one at a time, like its host)
_ui_work: List[WorkDir] = []


def install(
    host: Host,
    *,
    session_factory: Optional[Callable[[], IntegrateSession]] = None,
    **request: object,
) -> None:
    """Register ft_dcc's plugins and ``host`` for pyblish UIs; ``request`` takes the fields of
    :class:`ft_dcc.publish.request.request.PublishRequest` (task, review_session_name, comment,
    ...)."""
    from ft_dcc.publish.pipeline.stages import register_plugins

    unknown = sorted(set(request) - {field.name for field in attr.fields(PublishRequest)})
    if unknown:
        raise PublishError(
            f"ft_dcc.publish.install got unknown publish option(s): {', '.join(unknown)}",
            hint="pass the fields of ft_dcc.publish.request.request.PublishRequest "
            "(task, comment, ...)",
        )
    register_plugins(host.name)
    _installed.update({"host": host, "request": request, "session_factory": session_factory})
    _filter_with_settings(bool(request.get("settings")))


def _installed_settings(plugins: List[type]) -> None:
    """pyblish's discovery filter: the discovered ``plugins`` (edited in place) with the
    settings given to :func:`install` (a former field reaching the plugin that owns it now)."""
    settings = StudioSettings.of(_installed.get("request", {}).get("settings"))  # type: ignore[arg-type]
    plugins[:] = with_settings(plugins, settings.plugins)


def _filter_with_settings(wanted: bool) -> None:
    registered = _installed_settings in pyblish.api.registered_discovery_filters()
    if wanted and not registered:
        pyblish.api.register_discovery_filter(_installed_settings)
    elif registered and not wanted:
        pyblish.api.deregister_discovery_filter(_installed_settings)


def installed_host() -> Optional[Host]:
    return _installed.get("host")


def context_for_ui() -> PublishContext:
    """A fresh publish context for the installed host (PublishError when none was installed)."""
    host = installed_host()
    if host is None:
        raise PublishError(
            "no ft_dcc host is installed for this pyblish session",
            hint="call ft_dcc.publish.install(host) in the host's start-up, "
            "or publish with ft_dcc.publish.publish(host, ...)",
        )
    given: Dict[str, Any] = dict(_installed.get("request", {}))  # install() checked the names
    request = PublishRequest(**given)
    return PublishContext(
        host=host,
        request=request,
        work_dir=_fresh_work_dir(request.work_dir),
        session_factory=_installed.get("session_factory"),
    )


def _fresh_work_dir(given: Optional[Path]) -> Path:
    """The new UI publish's work folder; the previous one's goes (a pyblish UI collects a new
    context for each publish, after the previous one ended or was reset)."""
    release_work_dir()
    _ui_work.append(WorkDir.for_publish(given))
    return _ui_work[-1].path


@atexit.register
def release_work_dir() -> None:
    """Remove the pyblish UI publish's temporary work folder (a given ``work_dir`` stays); the
    next UI publish and this process's exit do it too, the next publish if the process dies."""
    while _ui_work:
        _ui_work.pop().release()
