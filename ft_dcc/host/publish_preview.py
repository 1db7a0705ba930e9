"""What a host panel shows before the click: the task, review session and settings lines the
publish will use, read by the publish's own resolver
(:func:`ft_dcc.publish.request.settled_publish.settle`, the call the pipeline makes for a UI's
publish), so the panel and the publish agree.

It reads the server (or, without one, the settings file and the defaults, saying so): a host
calls it off its UI thread.
"""

from __future__ import annotations

from typing import List, Optional

import attr

from ft_dcc.exceptions import FtDccError
from ft_dcc.publish.request.request import PublishRequest, PublishRuntime
from ft_dcc.session.interface import IntegrateSession


@attr.s(auto_attribs=True, frozen=True)
class PublishPreview:
    """What the publish of a request will use; ``problem`` when it would fail before sending."""

    task: Optional[str] = None  # the artist's, else the one the scene's path gives
    review_session_name: Optional[str] = None  # the artist's, else the settings' name
    lines: List[str] = attr.Factory(list)  # the settings lines (settings_view.panel_lines)
    note: Optional[str] = None  # why the server's settings were not read (None: they were)
    problem: Optional[str] = None  # e.g. the scene's path matches no template


def preview_publish(
    request: PublishRequest,
    host: str,
    scene: Optional[str],
    session: Optional[IntegrateSession] = None,
) -> PublishPreview:
    """The :class:`PublishPreview` of ``request`` from ``host`` with ``scene``: on ``session``
    (left open), else on one opened from ``FTRACK_*`` and closed here."""
    from ft_dcc.host.settings_view import panel_lines
    from ft_dcc.publish.request.settled_publish import settle

    try:
        found = settle(request, host, scene, PublishRuntime(session=session))
    except FtDccError as exc:
        return PublishPreview(lines=[f"Settings: {exc}"], note=None, problem=str(exc))
    try:
        return PublishPreview(
            task=found.request.task,
            review_session_name=found.request.review_session_name,
            lines=list(dict.fromkeys(panel_lines(found.resolved))),  # a note read twice: once
            note="; ".join(dict.fromkeys(found.resolved.notes)) or None,
        )
    finally:
        found.close()
