"""What a host's UI offers before a publish: the settings' review session name (a prompt's
default) and the panel lines naming the profile that applies, read through the publish's own
seam (:mod:`ft_dcc.publish.request.settings_options`: ``resolve_for``, then ``settled``, for
display only: the publish settles its request itself, once,
``ft_dcc.publish.request.settled_publish``).
"""

from __future__ import annotations

from typing import List, Optional

import attr

from ft_dcc.publish.request.request import PublishRequest
from ft_dcc.publish.request.settings_options import resolve_for, settled


@attr.s(auto_attribs=True, frozen=True)
class Preview:
    """What a UI offers before a publish: the settings' review session name (a prompt's
    default) and the panel lines naming the profile that applies."""

    review_session_name: Optional[str]
    lines: List[str]


def preview(host: str, task: Optional[str], scene: Optional[str]) -> Preview:
    """The :class:`Preview` of a publish from ``host`` to ``task`` (None: the one ``scene``'s
    path gives); a settings problem is one line saying it, with no session name."""
    from ft_dcc.exceptions import FtDccError
    from ft_dcc.host.settings_view import panel_lines

    try:
        resolved, context, found_task = resolve_for(task or None, scene or "", host)
    except FtDccError as exc:
        return Preview(None, [f"Settings: {exc}"])
    filled = settled(PublishRequest(task=task or None), resolved, context, found_task)
    return Preview(filled.review_session_name, panel_lines(resolved))
