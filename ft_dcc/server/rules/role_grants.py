"""Give and take back ftrack's roles on the embedded server (``ft-dcc user add|role``).

A role is ftrack's own rows, as an ftrack client reads and writes them: a ``UserSecurityRole``
(the user, the ``SecurityRole``, ``is_all_projects``, ``is_all_open_projects``) and, for a role
on listed projects, one ``UserSecurityRoleProject`` per project. Giving a role replaces the
user's earlier grant of that same role (its projects with it); the other roles stay. Every user
keeps the User role (on all projects); the last active Administrator cannot be taken back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.server.model.parts import ModelTables
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.rules.permissions import (
    ADMINISTRATOR,
    MANAGING_ROLES,
    PROJECT_MANAGER,
    ROLE_IDS,
    SUPERVISOR,
    USER,
    ensure_role,
)

#: ``--role`` spellings -> ftrack's role names
ROLE_CHOICES: Dict[str, str] = {
    "administrator": ADMINISTRATOR,
    "project-manager": PROJECT_MANAGER,
    "supervisor": SUPERVISOR,
    "user": USER,
}


class RoleError(ValueError):
    """A role that cannot be given or taken back as asked (the message says what to do)."""


@dataclass(frozen=True)
class Scope:
    """The projects a role covers: all, all open, or the listed ones (names or ids)."""

    all_projects: bool = False
    all_open_projects: bool = False
    projects: Tuple[str, ...] = ()

    def words(self) -> str:
        if self.all_projects:
            return "all projects"
        if self.all_open_projects:
            return "all open projects"
        return "projects " + ", ".join(self.projects)


def _table(store: ModelTables, type_name: str) -> sa.Table:
    return store.tables[store.model.types[type_name].family]


def role_name(choice: str) -> str:
    """ftrack's name of a ``--role`` choice (``supervisor`` -> ``Supervisor``)."""
    try:
        return ROLE_CHOICES[choice.strip().lower()]
    except KeyError:
        raise RoleError(f"no role {choice!r}: use one of {', '.join(ROLE_CHOICES)}") from None


def project_ids(store: ModelTables, connection: Connection, names: Sequence[str]) -> List[str]:
    """The ids of the projects named (by ``name``, ``full_name`` or id), in order."""
    projects = _table(store, "Project")
    found: List[str] = []
    for name in names:
        rows = connection.execute(
            sa.select(projects.c.id).where(
                projects.c[DISCRIMINATOR] == "Project",
                sa.or_(projects.c.id == name, projects.c.name == name,
                       projects.c.full_name == name),
            )
        ).all()  # fmt: skip
        ids = sorted({str(row[0]) for row in rows})
        if len(ids) != 1:
            why = "no project is" if not ids else f"{len(ids)} projects are"
            raise RoleError(
                f"{why} named {name!r}: give the project's name or id as ftrack shows it"
            )
        found.append(ids[0])
    return found


def check(store: ModelTables, connection: Connection, name: str, scope: Scope) -> List[str]:
    """The ids of the projects ``scope`` lists, or :class:`RoleError` when role ``name`` cannot
    be given over ``scope`` (checked before anything is written)."""
    listed = project_ids(store, connection, scope.projects)
    if name in MANAGING_ROLES and not (scope.all_projects or scope.all_open_projects or listed):
        raise RoleError(
            f"say which projects the {name} role covers: --project P (repeatable), "
            "--all-projects or --all-open-projects"
        )
    if name in (ADMINISTRATOR, USER) and (scope.all_open_projects or listed):
        raise RoleError(f"the {name} role covers all projects; leave out --project and "
                        "--all-open-projects")  # fmt: skip
    return listed


def grant(store: ModelTables, connection: Connection, user_id: str, name: str, scope: Scope) -> str:
    """Give ``user_id`` the role ``name`` over ``scope`` (replacing their earlier grant of it);
    says what was given."""
    listed = check(store, connection, name, scope)
    ensure_role(store, connection, user_id)  # the built-in roles exist; the user has one
    _remove(store, connection, user_id, name)
    links = _table(store, "UserSecurityRole")
    link_id = str(uuid.uuid4())
    every = name in (ADMINISTRATOR, USER) or scope.all_projects
    connection.execute(sa.insert(links).values(**{
        "id": link_id, "user_id": user_id, "security_role_id": ROLE_IDS[name],
        "is_all_projects": every, "is_all_open_projects": scope.all_open_projects and not every,
        DISCRIMINATOR: "UserSecurityRole",
    }))  # fmt: skip
    rows = _table(store, "UserSecurityRoleProject")
    for project_id in [] if every else listed:
        connection.execute(sa.insert(rows).values(**{
            "id": str(uuid.uuid4()), "user_security_role_id": link_id, "project_id": project_id,
            DISCRIMINATOR: "UserSecurityRoleProject",
        }))  # fmt: skip
    return f"{name} on {Scope(all_projects=True).words() if every else scope.words()}"


def take_back(store: ModelTables, connection: Connection, user_id: str, name: str) -> bool:
    """Take the role ``name`` from ``user_id``; whether they had it. The User role stays, and
    the last active Administrator stays one."""
    if name == USER:
        raise RoleError("every user keeps the User role; deactivate the user instead")
    if name == ADMINISTRATOR and _administrators(store, connection) == [user_id]:
        raise RoleError("this is the server's last administrator: make another one first "
                        "(ft-dcc user role NAME --role administrator)")  # fmt: skip
    return _remove(store, connection, user_id, name) > 0


def _remove(store: ModelTables, connection: Connection, user_id: str, name: str) -> int:
    links = _table(store, "UserSecurityRole")
    rows = _table(store, "UserSecurityRoleProject")
    ids = [
        str(row[0])
        for row in connection.execute(
            sa.select(links.c.id).where(
                links.c.user_id == user_id, links.c.security_role_id == ROLE_IDS[name]
            )
        )
    ]
    if ids:
        connection.execute(sa.delete(rows).where(rows.c.user_security_role_id.in_(ids)))
        connection.execute(sa.delete(links).where(links.c.id.in_(ids)))
    return len(ids)


def _administrators(store: ModelTables, connection: Connection) -> List[str]:
    links, users = _table(store, "UserSecurityRole"), _table(store, "User")
    rows = connection.execute(
        sa.select(links.c.user_id)
        .select_from(links.join(users, users.c.id == links.c.user_id))
        .where(links.c.security_role_id == ROLE_IDS[ADMINISTRATOR], users.c.is_active.isnot(False))
    )
    return sorted({str(row[0]) for row in rows})


def describe_roles(store: ModelTables, connection: Connection, user_id: str) -> List[str]:
    """The user's roles in words ("Supervisor on projects a, b"), sorted."""
    links = _table(store, "UserSecurityRole")
    names = {ident: name for name, ident in ROLE_IDS.items()}
    lines = []
    for row in connection.execute(sa.select(links).where(links.c.user_id == user_id)).mappings():
        name = names.get(str(row["security_role_id"]), str(row["security_role_id"]))
        lines.append(f"{name} on {_scope_of(store, connection, dict(row)).words()}")
    return sorted(lines)


def _scope_of(store: ModelTables, connection: Connection, row: Mapping[str, object]) -> Scope:
    if row.get("is_all_projects"):
        return Scope(all_projects=True)
    if row.get("is_all_open_projects"):
        return Scope(all_open_projects=True)
    rows, projects = _table(store, "UserSecurityRoleProject"), _table(store, "Project")
    found = connection.execute(
        sa.select(projects.c.name)
        .select_from(rows.join(projects, projects.c.id == rows.c.project_id))
        .where(rows.c.user_security_role_id == row["id"])
    )
    return Scope(projects=tuple(sorted(str(r[0]) for r in found)) or ("(none)",))


def user_id_named(store: ModelTables, connection: Connection, username: str) -> Optional[str]:
    """The id of the User ``username`` (None when there is none)."""
    users = _table(store, "User")
    found = connection.execute(sa.select(users.c.id).where(users.c.username == username)).first()
    return str(found[0]) if found is not None else None
