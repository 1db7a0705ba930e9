"""Resolve the settings for a project/host/task type: the file's and the server's layers."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Callable, Iterable, List, Mapping, Optional

from ft_dcc.exceptions import (
    ApiConnectionError,
    AuthenticationError,
    ConfigurationError,
    SettingsError,
)
from ft_dcc.settings import store
from ft_dcc.settings.resolve import Filters, Resolved, Source, resolve

if TYPE_CHECKING:
    from ft_dcc.session.interface import PublishSession

log = logging.getLogger(__name__)

SessionFactory = Callable[[], "PublishSession"]


def default_session() -> PublishSession:
    from ft_dcc.session import Session

    return Session()


def ordered(file_sources: List[Source], server_sources: List[Source]) -> List[Source]:
    """Studio below project; at each level the file below the server."""
    return [
        source
        for level in ("studio", "project")
        for source in (*file_sources, *server_sources)
        if source.level == level
    ]


def load(
    project: Optional[str] = None,
    filters: Optional[Filters] = None,
    artist: Optional[Mapping[str, object]] = None,
    session: Optional[PublishSession] = None,
    session_factory: Optional[SessionFactory] = None,
    offline: bool = False,
) -> Resolved:
    """The resolved settings. ``session`` (or one from ``session_factory``/``FTRACK_*``) reads
    the server's layers; when the server cannot be reached the file's apply alone (and
    ``notes`` says so). An invalid file or stored document raises SettingsError."""
    store.file_sources(project)  # an invalid file fails before anything is sent
    notes: List[str] = []
    server: List[Source] = []
    if not offline:
        server = _server_sources(project, session, session_factory, notes)
    return with_file(project, server, filters, artist, notes)


def with_file(
    project: Optional[str],
    server: List[Source],
    filters: Optional[Filters] = None,
    artist: Optional[Mapping[str, object]] = None,
    notes: Iterable[str] = (),
) -> Resolved:
    """Resolve the ``$FT_DCC_SETTINGS`` file's layers for ``project`` with the ``server``'s."""
    return resolve(ordered(store.file_sources(project), server), filters, artist, notes=notes)


def _server_sources(
    project: Optional[str],
    session: Optional[PublishSession],
    session_factory: Optional[SessionFactory],
    notes: List[str],
) -> List[Source]:
    own = session is None
    try:
        if session is None:
            session = (session_factory or default_session)()
        studio, found = store.read(session, store.project_expression(project) if project else None)
        if project and found is None:
            raise store.no_such_project(project)
        return store.server_sources(studio, found)
    except SettingsError:
        raise
    except (ApiConnectionError, AuthenticationError, ConfigurationError) as exc:
        notes.append(unread(exc))
    finally:
        if own and session is not None:
            session.close()
    return []


def unread(error: Exception) -> str:
    """The note of settings that could not be read from the server."""
    return f"the ftrack server's settings were not read ({getattr(error, 'message', error)})"
