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

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Mapping, Optional, Protocol, Set, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.model.parts import ModelTables
from ft_dcc.server.model.side_tables import creator_table
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.rules.doc_table import write_between
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


def managed_among(
    conn: Connection, parts: RoleTables, user_id: object, sessions: Iterable[Mapping[str, object]]
) -> Set[str]:
    """The ids of those of ``sessions`` (rows already read: ``id``, ``project_id``,
    ``created_by_id``) that ``user_id`` manages (:func:`manages_session_row` of each), in a
    handful of statements whatever their number."""
    rows = list(sessions)
    if not rows or not isinstance(user_id, str) or not user_id:
        return set()
    if not is_active_row(parts, conn, user_id):
        return set()
    projects = managed_project_ids(conn, parts, user_id)
    if projects is None:
        return {str(row.get("id")) for row in rows}
    found = {
        str(row.get("id")) for row in rows
        if row.get("created_by_id") == user_id or str(row.get("project_id") or "") in projects
    }  # fmt: skip
    rest = sorted({str(row.get("id")) for row in rows} - found)
    if rest:
        record = creator_table(parts.metadata)
        created = conn.execute(
            sa.select(record.c.entity_id).where(
                record.c.family == parts.model.types[SESSION].family,
                record.c.user_id == user_id,
                record.c.entity_id.in_(rest),
            )
        )
        found |= {str(row[0]) for row in created}
    return found


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


# -- the table of rights (SECURITY.md, generated; tests/server/rules/test_role_rights.py) ---------
YES, NO = "yes", "no"


@dataclass(frozen=True)
class Right:
    """One right on a review session, and who holds it."""

    name: str
    how: str  # the entity or route it writes or reads
    manager: str = YES  # a Supervisor or Project Manager of the session's project
    creator: str = YES  # the session's creator (an artist whose publish made it, say)
    user: str = NO  # any other User
    invitee: str = NO  # an invitee, through their own link
    #: refused to someone, so tested over HTTP both ways (False: open to every User, as reads
    #: are on ftrack)
    enforced: bool = True


RIGHTS: Tuple[Right, ...] = (
    Right("present", "take or hand the lead (`POST /review/<id>/presenter`, a personal link)",
          user="follows; leads when handed", invitee="follows; leads when handed"),
    Right("approve", "a verdict (`POST /review/<id>/status` through a personal link; "
          "`ReviewSessionObjectStatus` for any invitee of the session)",
          invitee="their own verdict"),
    Right("add versions", "create `ReviewSessionObject`", user="to a session that is not private"),
    Right("remove versions", "delete `ReviewSessionObject`", user="what they added"),
    Right("order versions", "`ReviewSessionObject.sort_order`", user="what they added"),
    Right("invite", "create `ReviewSessionInvitee`"),
    Right("invitee links", "`get_widget_url` of a `ReviewSessionInvitee`"),
    Right("client rules", "the session's `EntitySetting` rows (group `review`: downloads, "
          "watermark) and its passphrase and window fields"),
    Right("revoke", "`EntitySetting` `links_revoked_at` / `invitee_links_revoked_at:<id>`"),
    Right("rename", "`ReviewSession.name`, `description`"),
    Right("close and reopen", "`ReviewSession.end_date`"),
    Right("private page", "a personal link to a private session (`get_widget_url`, "
          "`purpose: personal`)", invitee="through their own link"),
    Right("audit", "`ft_dcc.audit` (`ft-dcc review audit`)"),
    Right("delete", "delete `ReviewSession` (its items, notes and verdicts go with it)"),
    Right("export", "reads through the API (`ft-dcc review export`)", user=YES,
          enforced=False),
    Right("publish", "a version, added to the day's session (`may_publish`)", user=YES,
          enforced=False),
)  # fmt: skip

TABLE_START = "<!-- review-rights-table: generated from ft_dcc/server/rules/review_rights.py -->"
TABLE_END = "<!-- /review-rights-table -->"


def rights_table() -> List[str]:
    """The Markdown table of :data:`RIGHTS` (``SECURITY.md``, between its markers; an
    Administrator holds every right)."""
    lines = [
        "| right | what it writes or reads | Administrator | Supervisor or Project Manager of "
        "the session's project | the session's creator | any other User | an invitee's link |",
        "|---|---|---|---|---|---|---|",
    ]
    for right in RIGHTS:
        lines.append(
            f"| {right.name} | {right.how} | {YES} | {right.manager} | {right.creator} | "
            f"{right.user} | {right.invitee} |"
        )
    return lines


def write_rights_table(path: Path) -> bool:
    """Put :func:`rights_table` between the markers of ``path`` (only there); whether it
    changed. ``python -m ft_dcc.server.rules.review_rights SECURITY.md`` runs it."""
    return write_between(path, TABLE_START, TABLE_END, rights_table())


if __name__ == "__main__":  # pragma: no cover - the regeneration command
    import sys

    for name in sys.argv[1:] or ["SECURITY.md"]:
        print(f"{name}: {'regenerated' if write_rights_table(Path(name)) else 'up to date'}")
