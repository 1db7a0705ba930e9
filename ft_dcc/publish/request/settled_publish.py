"""A publish's request settled with the studio settings, once, where the pipeline starts
(:func:`ft_dcc.publish.api.run_publish`, asked by ``PublishRuntime.studio_settings``: a host's
UI publish): read through the same seam as ``ft-dcc publish``
(:mod:`ft_dcc.publish.request.settings_options`: ``resolve_for``, then ``settled``: the typed
request with what the plugins receive and the artist's empty choices filled), with the host's
name, the task and the scene's path (for the path templates): the artist's own task, review
session or asset name wins. A panel calls the same :func:`settle` to show what a publish will
use (``ft_dcc.host.publish_preview``).

The read goes through the publish's own session (``SharedRead``): its start rides with the
settings read, which also reads the task, so a UI publish keeps the CLI's request budget.
Without a server the settings file and the built-in defaults apply, and the report says so once.
"""

from __future__ import annotations

import logging
from typing import Optional, Tuple

import attr

from ft_dcc.exceptions import ConfigurationError
from ft_dcc.publish.request.request import PublishRequest, PublishRuntime
from ft_dcc.publish.request.settings_options import SharedRead, open_session, settle_request
from ft_dcc.session.interface import IntegrateSession
from ft_dcc.settings.resolve import DEFAULT, Resolved

log = logging.getLogger(__name__)


@attr.s(auto_attribs=True, frozen=True)
class SettledPublish:
    """A UI's request with the settings filled in, the runtime that shares the settings read's
    session and task, and the settings themselves (what the panels show)."""

    request: PublishRequest
    runtime: PublishRuntime
    resolved: Resolved
    opened: bool = False  # the session was opened for this publish: close it after

    def close(self) -> None:
        if self.opened and self.runtime.session is not None:
            self.runtime.session.close()

    @property
    def note(self) -> Optional[str]:
        """One line when the server's settings were not read (None when they were)."""
        if not self.resolved.notes:
            return None
        levels = {value.level for value in self.resolved.values.values()} - {DEFAULT}
        used = "the settings file and the built-in defaults" if levels else "the built-in defaults"
        return f"Studio settings: {'; '.join(self.resolved.notes)}; this publish used {used}"


def settle(
    request: PublishRequest, host: str, scene: Optional[str], runtime: PublishRuntime
) -> SettledPublish:
    """``request`` with the resolved settings of ``host``, its task and ``scene`` (the path
    templates' input: :func:`~ft_dcc.publish.request.settings_options.settle_request`), read
    on ``runtime``'s session, else on one opened here (from the runtime's factory or
    ``FTRACK_*``: :meth:`SettledPublish.close` closes it after the publish); the settled
    runtime shares that session and the task the read found, and keeps ``runtime``'s
    progress."""
    session, opened = _session(runtime)
    shared = SharedRead(session)
    try:
        filled, resolved = settle_request(request, host, scene or "", shared=shared)
    except BaseException:
        if opened and session is not None:
            session.close()
        raise
    reading = attr.evolve(runtime, session=session, task=shared.task)
    return SettledPublish(filled, reading, resolved, opened=opened)


def _session(runtime: PublishRuntime) -> Tuple[Optional[IntegrateSession], bool]:
    """``(session, opened here)``: the runtime's own, else a new one (None: not set up)."""
    if runtime.session is not None:
        return runtime.session, False
    if runtime.session_factory is None:
        return open_session(), True
    try:
        return runtime.session_factory(), True
    except ConfigurationError as exc:
        log.info("settings: the ftrack server is not available (%s)", exc)
        return None, False
