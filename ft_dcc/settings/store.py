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

import difflib
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Tuple

import attr

from ft_dcc.exceptions import SettingsError
from ft_dcc.protocol import PROJECT_SETTINGS_KEY
from ft_dcc.protocol.query_text import quote
from ft_dcc.protocol.review_status import STUDIO_SETTING_GROUP, STUDIO_SETTING_NAME
from ft_dcc.session.replies import first_entity, query_entities
from ft_dcc.settings.document import Document, parse_text, read_file
from ft_dcc.settings.resolve import Source

if TYPE_CHECKING:
    from ft_dcc.session.interface import EntityLike, PublishSession

log = logging.getLogger(__name__)

ENV_FILE = "FT_DCC_SETTINGS"
STUDIO_GROUP = STUDIO_SETTING_GROUP
STUDIO_NAME = STUDIO_SETTING_NAME
PROJECT_KEY = PROJECT_SETTINGS_KEY
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
    sources = [Source("studio", origin, attr.evolve(document, projects={}))]
    if project and project in document.projects:
        sources.append(
            Source("project", f"{origin} (projects.{project})", document.projects[project])
        )
    return sources


def file_project_names(path: Optional[Path] = None) -> List[str]:
    """The projects the settings file holds a document for (none without a file)."""
    path = path or settings_file()
    return list(read_file(path).projects) if path is not None else []


def _stored(text: object, where: str) -> Document:
    """A document read from the server; refused (never used half) when someone stored junk."""
    try:
        return parse_text(str(text or "{}"), where, allow_projects=False)
    except SettingsError as error:
        raise SettingsError(
            error.message, hint="push a corrected file with 'ft-dcc settings push'"
        ) from None


def studio_row(session: PublishSession) -> Optional[EntityLike]:
    return session.query(STUDIO_QUERY).first()


#: what a project's settings need of it: its name and its metadata (fetched with it)
PROJECT_FIELDS = "id, name, metadata.key, metadata.value"
#: what a publish's settings need of its task: its type and path, and its project's settings;
#: with what the publish reads of it (``ft_dcc.publish.context.tasks.TASK_PROJECTION``), so the
#: publish can keep the task this read found instead of reading it again
TASK_FIELDS = (
    "id, name, context_type, parent_id, project_id, link, type.name, project.name, "
    "project.metadata.key, project.metadata.value"
)
#: the server's projects with their settings (a path template's ``{project}`` is one of them,
#: and each project's settings may give its own templates)
PROJECTS_QUERY = f"select {PROJECT_FIELDS} from Project"
#: the server's project names (a misspelt one's nearest)
PROJECT_NAMES_QUERY = "select name from Project"


def read(
    session: PublishSession, expression: Optional[str] = None
) -> Tuple[Optional[EntityLike], Optional[EntityLike]]:
    """The studio's ``Setting`` row and the first entity ``expression`` finds (a Project or a
    Task selecting :data:`PROJECT_FIELDS`/:data:`TASK_FIELDS`), in one request."""
    operations = [{"action": "query", "expression": STUDIO_QUERY}]
    if expression:
        operations.append({"action": "query", "expression": expression})
    replies = session.call(operations)
    rows = [first_entity(reply) for reply in replies]
    return rows[0], (rows[1] if expression else None)


def read_with_projects(session: PublishSession) -> Tuple[Optional[EntityLike], List[EntityLike]]:
    """The studio's ``Setting`` row and the server's projects (read with
    :data:`PROJECT_FIELDS`: their settings too), in one request."""
    studio, projects = session.call(
        [
            {"action": "query", "expression": STUDIO_QUERY},
            {"action": "query", "expression": PROJECTS_QUERY},
        ]
    )
    return first_entity(studio), list(query_entities(projects))


def task_type_names(session: PublishSession) -> List[str]:
    """The names of the server's task types (ftrack's ``Type``)."""
    return [str(row["name"]) for row in session.query("select name from Type").all()]


def project_expression(project: str) -> str:
    return (
        f"select {PROJECT_FIELDS} from Project "
        f"where name is {quote(project)} or id is {quote(project)}"
    )


def no_such_project(project: str, session: Optional[PublishSession] = None) -> SettingsError:
    """The error of a ``project`` the server does not have; with ``session``, naming the
    nearest of the server's projects."""
    hint = "check the project's name (ftrack's short name)"
    if session is not None:
        names = [str(row["name"]) for row in session.query(PROJECT_NAMES_QUERY).all()]
        near = difflib.get_close_matches(project, names, n=1, cutoff=0.6)
        hint = f"did you mean {near[0]!r}?" if near else hint
    return SettingsError(f"there is no ftrack project called {project!r}", hint=hint)


def find_project(session: PublishSession, project: str) -> EntityLike:
    """The Project called (or with id) ``project``; SettingsError (naming the nearest) when
    there is none."""
    found = session.query(project_expression(project)).first()
    if found is None:
        raise no_such_project(project, session)
    return found


def server_sources(
    studio: Optional[EntityLike], project: Optional[EntityLike] = None
) -> List[Source]:
    """The studio document of the ``studio`` Setting row and the one in ``project``'s
    metadata (a Project read with :data:`PROJECT_FIELDS`), as far as they exist."""
    sources = []
    if studio is not None:
        sources.append(Source("studio", STUDIO_ORIGIN, _stored(studio["value"], STUDIO_ORIGIN)))
    text = project["metadata"].get(PROJECT_KEY) if project is not None else None
    if project is not None and text is not None:
        origin = f"ftrack Project {project['name']} metadata {PROJECT_KEY}"
        sources.append(Source("project", origin, _stored(text, origin)))
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


def push_project(session: PublishSession, project: EntityLike, document: Document) -> None:
    """Store ``document`` as ``project``'s settings, in the project's metadata."""
    project["metadata"][PROJECT_KEY] = document.to_json()
    _commit(session)


def _commit(session: PublishSession) -> None:
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise
