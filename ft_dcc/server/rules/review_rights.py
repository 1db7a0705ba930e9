"""Who manages a review session: ftrack's project-scoped roles, read from ftrack's own rows.

ftrack gives roles through ``UserSecurityRole`` rows (a user, a ``SecurityRole``, and the
projects it covers: ``is_all_projects``, ``is_all_open_projects`` — projects whose ``status`` is
``active`` — or the ``UserSecurityRoleProject`` rows listing projects). A review session is
managed (presented, approved, its versions added, removed and ordered, invited to, its client
rules set, its links revoked, closed and reopened, exported, its audit trail read) by:

- an **Administrator** (every session);
- the session's **creator** (the server's creator record, or ``created_by_id``, which a
  non-administrator may only set to themselves and never change);
- a **Supervisor** or **Project Manager** whose role covers the session's project, whoever
  created the session.

An artist (a **User**) publishes into sessions and manages the sessions they created.
Every function reads inside the caller's connection, so a batch decides on its own transaction
and a page's next request sees a role taken back at once.
"""

from __future__ import annotations

from typing import Iterable, List, Mapping, Optional, Protocol, Set

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.model.parts import ModelTables
from ft_dcc.server.model.side_tables import creator_table
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.rules.permissions import (
    ADMINISTRATOR,
    MANAGING_ROLES,
    ROLE_IDS,
    is_active_row,
    role_of,
)

#: ftrack's ``Project.status`` of an open project (a closed one is ``hidden``)
OPEN_STATUS = "active"
SESSION = "ReviewSession"


class RoleTables(ModelTables, Protocol):
    """The model, tables and metadata (a store's ``StoreParts``, or a batch)."""

    metadata: sa.MetaData


def _table(parts: ModelTables, type_name: str) -> sa.Table:
    return parts.tables[parts.model.types[type_name].family]


def _managing_role_rows(
    conn: Connection, parts: ModelTables, user_id: str
) -> List[Mapping[str, object]]:
    """The user's ``UserSecurityRole`` rows of a role that manages review sessions."""
    links = _table(parts, "UserSecurityRole")
    ids = [ROLE_IDS[name] for name in MANAGING_ROLES]
    rows = conn.execute(
        sa.select(links).where(links.c.user_id == user_id, links.c.security_role_id.in_(ids))
    ).mappings()
    return [dict(row) for row in rows]


def _listed_projects(conn: Connection, parts: ModelTables, role_ids: Iterable[str]) -> Set[str]:
    ids = [str(i) for i in role_ids]
    if not ids:
        return set()
    listed = _table(parts, "UserSecurityRoleProject")
    rows = conn.execute(
        sa.select(listed.c.project_id).where(listed.c.user_security_role_id.in_(ids))
    )
    return {str(row[0]) for row in rows if row[0]}


def open_project_ids(
    conn: Connection, parts: ModelTables, among: Optional[List[str]] = None
) -> Set[str]:
    """The ids of the projects that are open (``status`` ``active``), ``among`` some only."""
    projects = _table(parts, "Project")
    query = sa.select(projects.c.id).where(
        projects.c[DISCRIMINATOR] == "Project", projects.c.status == OPEN_STATUS
    )
    if among is not None:
        query = query.where(projects.c.id.in_(among))
    return {str(row[0]) for row in conn.execute(query)}


def managed_project_ids(conn: Connection, parts: RoleTables, user_id: str) -> Optional[Set[str]]:
    """None: ``user_id`` manages the review sessions of every project (an Administrator, or a
    Supervisor / Project Manager on all projects); else the ids of the projects whose review
    sessions they manage (empty for a User). Sessions they created are
    :func:`created_session_ids`."""
    if not user_id or not is_active_row(parts, conn, user_id):
        return set()
    if role_of(parts, conn, user_id) == ADMINISTRATOR:
        return None
    rows = _managing_role_rows(conn, parts, user_id)
    if any(row.get("is_all_projects") for row in rows):
        return None
    found = _listed_projects(conn, parts, (str(row["id"]) for row in rows))
    if any(row.get("is_all_open_projects") for row in rows):
        found |= open_project_ids(conn, parts)
    return found


def created_session_ids(conn: Connection, parts: RoleTables, user_id: str) -> Set[str]:
    """The ids of the review sessions ``user_id`` created (creator record or
    ``created_by_id``)."""
    if not user_id:
        return set()
    sessions = _table(parts, SESSION)
    found = {
        str(row[0])
        for row in conn.execute(sa.select(sessions.c.id).where(sessions.c.created_by_id == user_id))
    }
    record = creator_table(parts.metadata)
    family = parts.model.types[SESSION].family
    rows = conn.execute(
        sa.select(record.c.entity_id)
        .select_from(record.join(sessions, sessions.c.id == record.c.entity_id))
        .where(record.c.family == family, record.c.user_id == user_id)
    )
    return found | {str(row[0]) for row in rows}


def _created(conn: Connection, parts: RoleTables, user_id: str, session: Mapping[str, object]
             ) -> bool:  # fmt: skip
    if session.get("created_by_id") == user_id:
        return True
    record = creator_table(parts.metadata)
    creator = conn.execute(
        sa.select(record.c.user_id).where(
            record.c.family == parts.model.types[SESSION].family,
            record.c.entity_id == str(session.get("id")),
        )
    ).scalar()
    return creator is not None and creator == user_id


def manages_session(conn: Connection, parts: RoleTables, user_id: str, session_id: str) -> bool:
    """Whether ``user_id`` manages review session ``session_id`` (see the module's words)."""
    if not isinstance(user_id, str) or not user_id or not session_id:
        return False
    sessions = _table(parts, SESSION)
    found = (
        conn.execute(sa.select(sessions).where(sessions.c.id == str(session_id))).mappings().first()
    )
    if found is None:
        return False
    return manages_session_row(conn, parts, user_id, dict(found))


def manages_session_row(
    conn: Connection, parts: RoleTables, user_id: object, session: Mapping[str, object]
) -> bool:
    """:func:`manages_session` for a session row already read (``id``, ``project_id``,
    ``created_by_id``)."""
    if not isinstance(user_id, str) or not user_id:
        return False
    if not is_active_row(parts, conn, user_id):
        return False
    if _created(conn, parts, user_id, session):
        return True
    projects = managed_project_ids(conn, parts, user_id)
    if projects is None:
        return True
    project_id = session.get("project_id")
    return bool(project_id) and str(project_id) in projects


def project_manager_ids(conn: Connection, parts: ModelTables, project_id: object) -> Set[str]:
    """The active users whose Supervisor or Project Manager role covers ``project_id`` (all
    projects; all open projects while it is open; or listed), administrators aside."""
    if not project_id:
        return set()
    links = _table(parts, "UserSecurityRole")
    listed = _table(parts, "UserSecurityRoleProject")
    users = _table(parts, "User")
    covers = [
        links.c.is_all_projects.is_(True),
        links.c.id.in_(
            sa.select(listed.c.user_security_role_id).where(listed.c.project_id == str(project_id))
        ),
    ]
    if str(project_id) in open_project_ids(conn, parts, [str(project_id)]):
        covers.append(links.c.is_all_open_projects.is_(True))
    rows = conn.execute(
        sa.select(links.c.user_id)
        .select_from(links.join(users, users.c.id == links.c.user_id))
        .where(
            links.c.security_role_id.in_([ROLE_IDS[name] for name in MANAGING_ROLES]),
            sa.or_(*covers),
            sa.or_(users.c.is_active.is_(None), users.c.is_active.isnot(False)),
        )
    )
    return {str(row[0]) for row in rows}


def may_publish(conn: Connection, parts: RoleTables, user_id: str, project_id: str) -> bool:
    """Whether ``user_id`` may publish into ``project_id``'s review sessions: any active User
    (ftrack's User role), as today."""
    return bool(user_id) and is_active_row(parts, conn, user_id)
