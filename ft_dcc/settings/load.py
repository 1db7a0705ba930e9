"""Resolve the settings for a project/host/task type: the file's and the server's layers."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Callable, Iterable, List, Mapping, Optional, Tuple

import attr

from ft_dcc.exceptions import (
    ApiConnectionError,
    AuthenticationError,
    ConfigurationError,
    SettingsError,
)
from ft_dcc.settings import layers, store, task_types
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
    known: Optional[List[str]] = None  # the server's task types, when a task type is given
    task_type = filters.task_type if filters is not None else None
    if not offline:
        server, known = _server_sources(project, session, session_factory, notes, task_type)
    resolved = with_file(project, server, filters, artist, notes)
    if task_type:
        files = file_layers(project)[0]
        task_types.check(task_type, known, ordered(files, server), resolved)
    return resolved


def with_file(
    project: Optional[str],
    server: List[Source],
    filters: Optional[Filters] = None,
    artist: Optional[Mapping[str, object]] = None,
    notes: Iterable[str] = (),
) -> Resolved:
    """Resolve the ``$FT_DCC_SETTINGS`` file's layers for ``project`` with the ``server``'s."""
    files, unused = file_layers(project)
    return resolve(ordered(files, server), filters, artist, notes=notes, unused=unused)


def file_layers(project: Optional[str]) -> Tuple[List[Source], List[str]]:
    """The settings file's sources for ``project`` without the keys only the server's documents
    may give (:func:`ft_dcc.settings.layers.server_only`), and a note for each left out."""
    sources, unused = [], []
    for source in store.file_sources(project):
        note = layers.unused_in_file(list(source.document.settings), source.origin)
        if note is not None:
            unused.append(note)
            kept = {k: v for k, v in source.document.settings.items() if not layers.server_only(k)}
            source = attr.evolve(source, document=attr.evolve(source.document, settings=kept))
        sources.append(source)
    return sources, unused


def _server_sources(
    project: Optional[str],
    session: Optional[PublishSession],
    session_factory: Optional[SessionFactory],
    notes: List[str],
    task_type: Optional[str] = None,
) -> Tuple[List[Source], Optional[List[str]]]:
    """The server's sources for ``project`` and, with a ``task_type``, the server's task
    types (None: not read); ``([], None)`` and a note when the server cannot be reached."""
    own = session is None
    try:
        if session is None:
            session = (session_factory or default_session)()
        studio, found = store.read(session, store.project_expression(project) if project else None)
        if project and found is None:
            raise store.no_such_project(project, session)
        known = store.task_type_names(session) if task_type else None
        return store.server_sources(studio, found), known
    except SettingsError:
        raise
    except AuthenticationError as exc:
        raise refused(exc, session) from None
    except (ApiConnectionError, ConfigurationError) as exc:
        notes.append(unread(exc))
    finally:
        if own and session is not None:
            session.close()
    return [], None


def refused(error: AuthenticationError, session: Optional[PublishSession]) -> AuthenticationError:
    """The error of settings the server would not give: its credentials were refused. Never
    the defaults in their place (they would look like the studio's)."""
    url = session.server_url if session is not None else os.environ.get("FTRACK_SERVER", "")
    user = os.environ.get("FTRACK_API_USER") or "the API user"
    return AuthenticationError(
        f"the ftrack server at {url} refused the credentials of {user!r}, so its settings "
        f"cannot be read ({error.message})",
        exception=error.exception,
        hint="check FTRACK_API_USER and FTRACK_API_KEY (or use --offline for the file's only)",
    )


def unread(error: Exception) -> str:
    """The note of settings that could not be read from the server."""
    return f"the ftrack server's settings were not read ({getattr(error, 'message', error)})"
