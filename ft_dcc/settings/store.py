"""Where settings live: on the ftrack server (every artist and farm node reaches it), with the
``$FT_DCC_SETTINGS`` file as the fallback and for offline work.

- studio: ftrack's ``Setting`` entity (group ``ft_dcc``, name ``settings``), a server-wide
  row every ftrack site has; only administrators may write ``Setting`` rows;
- project: the ``Metadata`` of the ``Project`` (key ``ft_dcc_settings``), so it travels with
  the project; who may write it is the server's rule for the project's metadata;
- the file: a document whose ``settings``/``profiles`` are studio-level and whose
  ``projects`` hold per-project documents; the server's document wins over the file's.

Everything is read through an ``ft_dcc.Session`` (the client), never from the server's code,
and every document is validated before it is stored.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, List, Optional

from ft_dcc.exceptions import SettingsError
from ft_dcc.session.interface import PublishSession
from ft_dcc.session.query import quote
from ft_dcc.settings.document import Document, parse_text, read_file
from ft_dcc.settings.resolve import Source

log = logging.getLogger(__name__)

ENV_FILE = "FT_DCC_SETTINGS"
STUDIO_GROUP = "ft_dcc"
STUDIO_NAME = "settings"
PROJECT_KEY = "ft_dcc_settings"
STUDIO_ORIGIN = f"ftrack Setting {STUDIO_GROUP}/{STUDIO_NAME}"
STUDIO_QUERY = (
    "select group, name, value from Setting "
    f"where group is {quote(STUDIO_GROUP)} and name is {quote(STUDIO_NAME)}"
)


def settings_file() -> Optional[Path]:
    text = os.environ.get(ENV_FILE, "").strip()
    return Path(text).expanduser() if text else None


def file_sources(project: Optional[str], path: Optional[Path] = None) -> List[Source]:
    """The studio and ``project`` documents of the settings file (none without one)."""
    path = path or settings_file()
    if path is None:
        return []
    document = read_file(path)
    origin = f"file {path}"
    sources = [Source("studio", origin, Document(document.settings, document.profiles))]
    if project and project in document.projects:
        sources.append(
            Source("project", f"{origin} (projects.{project})", document.projects[project])
        )
    return sources


def _stored(text: Any, where: str) -> Document:
    """A document read from the server; refused (never used half) when someone stored junk."""
    try:
        return parse_text(str(text or "{}"), where, allow_projects=False)
    except SettingsError as error:
        raise SettingsError(
            error.message, hint="push a corrected file with 'ft-dcc settings push'"
        ) from None


def studio_row(session: PublishSession) -> Any:
    return session.query(STUDIO_QUERY).first()


def find_project(session: PublishSession, project: str) -> Any:
    """The Project called (or with id) ``project``; SettingsError when there is none."""
    found = session.query(
        "select id, name, full_name from Project "
        f"where name is {quote(project)} or id is {quote(project)}"
    ).first()
    if found is None:
        raise SettingsError(
            f"there is no ftrack project called {project!r}",
            hint="check the project's name (ftrack's short name)",
        )
    return found


def project_row(session: PublishSession, project_id: str) -> Any:
    return session.query(
        "select parent_id, key, value from Metadata "
        f"where parent_id is {quote(project_id)} and key is {quote(PROJECT_KEY)}"
    ).first()


def server_sources(session: PublishSession, project: Any = None) -> List[Source]:
    """The studio and (when ``project``, an entity with id and name, is given) project
    documents stored on the server."""
    sources = []
    row = studio_row(session)
    if row is not None:
        sources.append(Source("studio", STUDIO_ORIGIN, _stored(row["value"], STUDIO_ORIGIN)))
    if project is not None:
        meta = project_row(session, project["id"])
        if meta is not None:
            origin = f"ftrack Project {project['name']} metadata {PROJECT_KEY}"
            sources.append(Source("project", origin, _stored(meta["value"], origin)))
    return sources


def push_studio(session: PublishSession, document: Document) -> None:
    """Store ``document`` as the studio's settings (administrators only, the server says)."""
    text = document.to_json()
    row = studio_row(session)
    if row is None:
        session.create("Setting", {"group": STUDIO_GROUP, "name": STUDIO_NAME, "value": text})
    else:
        row["value"] = text
    _commit(session)


def push_project(session: PublishSession, project: Any, document: Document) -> None:
    """Store ``document`` as ``project``'s settings, in the project's metadata."""
    text = document.to_json()
    row = project_row(session, project["id"])
    if row is None:
        session.create(
            "Metadata",
            {
                "parent_id": project["id"],
                "parent_type": "Project",
                "key": PROJECT_KEY,
                "value": text,
            },
        )
    else:
        row["value"] = text
    _commit(session)


def _commit(session: PublishSession) -> None:
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise
