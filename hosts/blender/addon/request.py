"""The publish request of the panel's choices: what the click publishes (``ops.py``) and what
the panel's preview resolves before it (``preview.py``), built once here so they agree."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

from . import cameras, open_notes

if TYPE_CHECKING:  # ft_dcc is importable only once the add-on found it (paths.py)
    from ft_dcc.publish.request.request import PublishRequest


def publish_request(
    context, new_review_session: bool = False, repair: bool = False
) -> PublishRequest:
    """One reviewable per ticked camera, else the panel's camera (None: the scene camera);
    ``repair``: run the repairs a failed check offers, then check again once."""
    from ft_dcc.publish.request.request import PublishRequest, Reviewable

    settings = context.scene.ftrack_publish
    camera = settings.camera.name if settings.camera else None
    sources: List[Optional[str]] = list(cameras.ticked(context.scene)) or [camera]
    return PublishRequest(
        reviewables=[Reviewable(source=name) for name in sources],
        task=settings.task.strip() or None,
        review_session_name=settings.review_session.strip() or None,
        comment=settings.comment,
        new_review_session=new_review_session,
        repair=repair,
        addresses=open_notes.ticked(settings),  # as ft-dcc publish --addresses
        frames=None if settings.use_scene_range else (settings.frame_start, settings.frame_end),
    )
