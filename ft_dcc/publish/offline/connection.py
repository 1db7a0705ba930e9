"""Open the ftrack session for a publish, deciding between "online" and "queue offline"."""

from __future__ import annotations

import logging
from typing import Optional, Tuple

from ft_dcc.exceptions import (
    ApiConnectionError,
    AuthenticationError,
    ConfigurationError,
    ValidationError,
)
from ft_dcc.publish.context.tasks import parse_task_ref, resolve_task
from ft_dcc.publish.shared.state import Connection, Data, publish_of_data
from ft_dcc.session.interface import EntityLike, IntegrateSession, PublishSession

log = logging.getLogger(__name__)

CREDENTIALS_HINT = (
    "set FTRACK_SERVER (your studio's ftrack address), FTRACK_API_USER and FTRACK_API_KEY "
    "(from your ftrack account's security settings) in the environment before starting the "
    "application, e.g. export FTRACK_API_KEY=... (setx on Windows); or ask your TD"
)


def default_session() -> IntegrateSession:
    """An ``ft_dcc.Session`` configured from the ``FTRACK_*`` environment; its start rides
    with the publish's first read (the task's)."""
    from ft_dcc.session import Session

    return Session(defer_start=True)


def _read_task(
    data: Data, session: PublishSession
) -> Tuple[Optional[EntityLike], Optional[Exception]]:
    """The publish's task as read (or the error for its validator to say), or any cheap row
    read when none is given."""
    task_id, task_path = parse_task_ref(publish_of_data(data).request.task)
    if not (task_id or task_path):
        session.query('select id from Location where name is "ftrack.server"').first()
        return None, None
    try:
        return resolve_task(session, task_id, task_path), None
    except ValidationError as exc:  # reported by the task's validator
        return None, exc


def _warm_event_hub(session: PublishSession) -> None:
    """Open the event hub connection now, in the background, so the announcement at the end
    of the publish finds it ready instead of waiting for the handshake."""
    hub = getattr(session, "event_hub", None)
    if hub is not None and not getattr(hub, "connected", True):
        hub.connect_in_background()


def connect(data: Data) -> Connection:
    """Decide the publish's :class:`Connection` (``CollectFtrackConnection`` records it):
    online with a session, offline when the server cannot be reached, or the refused
    credentials' ValidationError for ValidateFtrackServer to say. The task is read on the way
    (its one round trip proves the server answers and accepts us)."""
    try:
        return _open(data)
    except ValidationError as error:
        return Connection(error=error)


def _open(data: Data) -> Connection:
    publish = publish_of_data(data)
    try:
        session = publish.session or (publish.session_factory or default_session)()
        task, error = (
            (publish.task, None) if publish.task is not None else _read_task(data, session)
        )
        _warm_event_hub(session)
        return Connection(session=session, online=True, task=task, task_error=error)
    except ConfigurationError as exc:
        raise ValidationError(
            f"ftrack is not configured. {exc.message}",
            hint=CREDENTIALS_HINT,
        ) from exc
    except AuthenticationError as exc:
        raise ValidationError(
            f"the ftrack server refused the credentials: {exc.message}",
            hint=exc.hint or CREDENTIALS_HINT,
        ) from exc
    except ApiConnectionError as exc:  # ValidateFtrackServer tells the artist, in one line
        log.info("ftrack server unreachable, publishing to the offline queue: %s", exc.message)
        return Connection(offline=True, offline_reason=exc.message)
