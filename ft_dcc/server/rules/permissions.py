"""Who may do what: ftrack's security roles on the embedded server.

Roles are ftrack's own entities: ``SecurityRole`` rows (built in: **Administrator** and **User**,
both of ftrack's role type ``PROJECT``) given to users through ``UserSecurityRole`` rows (valid on
all projects). The first user of a server is an Administrator; later ones are Users unless made
administrators (``ft-dcc user add NAME --admin``). A user without any role is a User.

- Only an Administrator creates, changes or deletes users and their roles, locations, asset and
  task types, statuses, priorities and the project schemas, resets another user's API key,
  invites users, opens or closes a project (``Project.status``: it decides what a role over "all
  open projects" covers, so it is changed only by those who give roles), or deletes a project.
- A User may change their own name and e-mail, and reset their own API key.
- Media already committed to ``ftrack.server`` may only be deleted (through the API) by an
  Administrator or by whoever published its version; who may change or delete published work
  and review data at all, and upload to or remove a component's file, is the ownership model's
  (:mod:`ft_dcc.server.rules.ownership_model`).

A refusal is ftrack's ``PermissionError`` (HTTP 403 for strict clients), saying what to do.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Optional, Protocol, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ft_dcc.protocol import SERVER_LOCATION_ID
from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.builtin_data import stable_id
from ft_dcc.server.model.database import one_statement
from ft_dcc.server.model.parts import ModelTables, StoreParts
from ft_dcc.server.model.schema import EntityType
from ft_dcc.server.model.storage import DISCRIMINATOR
from ft_dcc.server.rules.registry import ACCESS_ORDER, BatchView, Change, Key, Rule, WriteStep

PERMISSION_ERROR = "PermissionError"
ADMINISTRATOR = "Administrator"
USER = "User"
SUPERVISOR = "Supervisor"
PROJECT_MANAGER = "Project Manager"
#: the roles that manage every review session of the projects they cover
MANAGING_ROLES = (SUPERVISOR, PROJECT_MANAGER)
ROLE_TYPE = "PROJECT"
ROLE_IDS = {
    name: stable_id("SecurityRole", name)
    for name in (ADMINISTRATOR, USER, SUPERVISOR, PROJECT_MANAGER)
}

#: entity types only an Administrator may create, update or delete
ADMIN_ONLY_TYPES = frozenset(
    {
        "User", "UserSecurityRole", "UserSecurityRoleProject", "SecurityRole", "UserType",
        "Location", "AssetType", "Type", "Status", "State", "Priority", "ObjectType",
        "ProjectSchema", "ProjectSchemaObjectType", "ProjectSchemaOverride", "WorkflowSchema",
        "WorkflowSchemaStatus", "TaskTypeSchema", "TaskTypeSchemaType", "Schema",
        "SchemaStatus", "SchemaType", "CustomAttributeConfiguration", "CustomAttributeType",
        "CustomAttributeGroup", "Setting", "Group", "Membership",
    }
)  # fmt: skip
#: what a User may change on their own User entity
SELF_EDITABLE = frozenset({"first_name", "last_name", "email", "thumbnail_id", "thumbnail"})


class ForgetsKeys(Protocol):
    """The server's API keys as far as deleted users concern them (``http.auth``)."""

    def forget(self, user_id: str) -> None: ...


class PermissionDenied(ApiOperationError):
    """ftrack's ``PermissionError``."""

    def __init__(self, message: str) -> None:
        super().__init__(message, PERMISSION_ERROR)


# -- roles -----------------------------------------------------------------------------------
def _table(store: ModelTables, type_name: str) -> sa.Table:
    return store.tables[store.model.types[type_name].family]


def ensure_role(
    store: ModelTables, connection: Connection, user_id: str, admin: Optional[bool] = None
) -> str:
    """Give ``user_id`` a role if it has none (or Administrator when ``admin``); its role name.

    ``admin=None`` makes the user an Administrator only when the server has none yet.
    """
    roles = _table(store, "SecurityRole")
    for name, ident in ROLE_IDS.items():
        if connection.execute(sa.select(roles.c.id).where(roles.c.id == ident)).first() is None:
            connection.execute(
                sa.insert(roles).values(
                    **{"id": ident, "name": name, "type": ROLE_TYPE, DISCRIMINATOR: "SecurityRole"}
                )
            )
    current = role_of(store, connection, user_id)
    if current == ADMINISTRATOR or (current is not None and not admin):
        return current
    if admin is None:
        admin = not _any_administrator(store, connection)
    name = ADMINISTRATOR if admin else USER
    links = _table(store, "UserSecurityRole")
    values: Dict[str, object] = {
        "id": stable_id("UserSecurityRole", f"{user_id}:{name}"),
        "user_id": user_id,
        "security_role_id": ROLE_IDS[name],
        DISCRIMINATOR: "UserSecurityRole",
    }
    for flag in ("is_all_projects", "is_all_open_projects"):
        if flag in links.c:
            values[flag] = True
    connection.execute(sa.insert(links).values(**values))
    return name


def role_of(store: ModelTables, connection: Connection, user_id: Optional[str]) -> Optional[str]:
    """``"Administrator"``, ``"User"`` or ``None`` (no role given: treated as a User)."""
    if not user_id:
        return None
    links = _table(store, "UserSecurityRole")
    names = {
        row[0]
        for row in connection.execute(
            sa.select(links.c.security_role_id).where(links.c.user_id == user_id)
        )
    }
    if ROLE_IDS[ADMINISTRATOR] in names:
        return ADMINISTRATOR
    return USER if names else None


def _any_administrator(store: ModelTables, connection: Connection) -> bool:
    links = _table(store, "UserSecurityRole")
    users = _table(store, "User")
    query = (
        sa.select(links.c.id)
        .select_from(links.join(users, users.c.id == links.c.user_id))
        .where(links.c.security_role_id == ROLE_IDS[ADMINISTRATOR])
        .limit(1)
    )
    return connection.execute(query).first() is not None


def is_admin(store: StoreParts, user_id: Optional[str]) -> bool:
    """Whether ``user_id`` holds the Administrator role (one read)."""
    with store.engine.connect() as connection:
        return role_of(store, connection, user_id) == ADMINISTRATOR


def user_table(store: ModelTables) -> sa.Table:
    """The table that holds Users (``id``, ``is_active``): the key ring joins it."""
    return _table(store, "User")


def is_active_row(store: ModelTables, connection: Connection, user_id: object) -> bool:
    """Whether ``user_id`` is an existing, active User (inside ``connection``)."""
    if not isinstance(user_id, str) or not user_id:
        return False
    users = user_table(store)
    row = connection.execute(sa.select(users.c.is_active).where(users.c.id == user_id)).first()
    return row is not None and row[0] is not False


def is_active_user(store: StoreParts, user_id: object) -> bool:
    """Whether ``user_id`` is an existing, active User (review links die with their user)."""
    if not isinstance(user_id, str) or not user_id:
        return False
    users = user_table(store)
    with one_statement(store.engine) as connection:
        row = connection.execute(sa.select(users.c.is_active).where(users.c.id == user_id)).first()
    return row is not None and row[0] is not False


# -- data operations (inside the batch's transaction) ------------------------------------------
class AccessRule(Rule):
    """Refuse a create/update/delete the caller's role does not allow (before each step)."""

    name = "access"
    order = ACCESS_ORDER

    def check_step(self, batch: BatchView, step: WriteStep) -> None:
        check_write(batch, step.action, step.etype, step.key, step.data)
        check_project_status(batch, step)


def check_project_status(batch: BatchView, step: WriteStep) -> None:
    """Refuse a non-administrator's change of a project's ``status`` (opening or closing it
    widens or narrows every role over "all open projects": the role givers' decision)."""
    if not batch.user_id or batch.is_admin or step.action != "update" or step.before is None:
        return
    if step.before.get(DISCRIMINATOR) != "Project" or step.row is None:
        return
    if step.row.get("status") != step.before.get("status"):
        raise PermissionDenied(
            "Only an administrator may open or close a project (Project.status): it decides "
            "which projects the roles over all open projects cover. Ask an administrator."
        )


def check_write(
    batch: BatchView, action: str, etype: EntityType, key: Key, data: Mapping[str, object]
) -> None:
    """Refuse a create/update/delete the caller's role does not allow."""
    if not batch.user_id or batch.is_admin:
        return
    if etype.name == "User" and action == "update" and list(key) == [batch.user_id]:
        changed = {name for name in (data or {}) if name != "__entity_type__"}
        if changed <= SELF_EDITABLE:
            return
        raise PermissionDenied(
            "You may only change your own first_name, last_name and email; ask an "
            f"administrator to change {', '.join(sorted(changed - SELF_EDITABLE))}."
        )
    if etype.name in ADMIN_ONLY_TYPES or etype.family in ADMIN_ONLY_TYPES:
        raise PermissionDenied(
            f"Only an administrator may {action} {etype.name} entities; ask an administrator "
            "of this server (ft-dcc user add NAME --admin makes one)."
        )
    if action == "delete":
        _check_delete(batch, etype, key)


def _check_delete(batch: BatchView, etype: EntityType, key: Key) -> None:
    if etype.name == "Project":
        raise PermissionDenied("Only an administrator may delete a project; ask an administrator.")
    publishers = _publishers_of_deleted_media(batch, etype, key)
    others = sorted(str(p) for p in publishers if p != batch.user_id)
    if others:
        raise PermissionDenied(
            f"You may not delete this {etype.name}: it holds media committed to ftrack.server "
            "that another user published. Ask that user or an administrator to delete it."
        )


def _publishers_of_deleted_media(
    batch: BatchView, etype: EntityType, key: Key
) -> List[Optional[str]]:
    """Publishers (AssetVersion.user_id) of committed media the delete would remove."""
    tables = batch.tables
    versions = tables["AssetVersion"]
    ident = key[0] if len(key) == 1 else None
    if etype.family == "Component":
        components = tables["Component"]
        if not _committed(batch, [ident]):
            return []
        row = batch.connection.execute(
            sa.select(versions.c.user_id)
            .select_from(components.outerjoin(versions, versions.c.id == components.c.version_id))
            .where(components.c.id == ident)
        ).first()
        return [row[0] if row is not None else None]
    if etype.name == "AssetVersion":
        condition = versions.c.id == ident
    elif etype.name == "Asset":
        condition = versions.c.asset_id == ident
    else:
        return []
    rows = batch.connection.execute(sa.select(versions.c.id, versions.c.user_id).where(condition))
    publishers = {row[0]: row[1] for row in rows}
    if not publishers:
        return []
    components = tables["Component"]
    media = [
        row[0]
        for row in batch.connection.execute(
            sa.select(components.c.id, components.c.version_id).where(
                components.c.version_id.in_(list(publishers))
            )
        )
    ]
    if not _committed(batch, media):
        return []
    return list(publishers.values())


def _committed(batch: BatchView, component_ids: Iterable[object]) -> bool:
    ids = [i for i in component_ids if i]
    if not ids:
        return False
    locations = batch.tables["ComponentLocation"]
    found = batch.connection.execute(
        sa.select(locations.c.component_id)
        .where(locations.c.component_id.in_(ids), locations.c.location_id == SERVER_LOCATION_ID)
        .limit(1)
    ).first()
    return found is not None


def forget_deleted_users(keys: ForgetsKeys, changes: Sequence[Change]) -> None:
    """After a commit: deleted or deactivated users' keys stop working at once."""
    for change in changes:
        if change.get("entity_type") != "User":
            continue
        if change.get("action") == "remove" or "is_active" in (change.get("keys") or []):
            keys.forget(str(change.get("entity_id")))


# -- files and non-data actions ---------------------------------------------------------------
def check_action(store: StoreParts, operation: Mapping[str, object], user_id: str) -> Optional[str]:
    """Why ``user_id`` may not run this non-data action, or ``None`` when it may."""
    action = operation.get("action")
    if action == "reset_remote":
        target = operation.get("entity_key") or user_id
        if isinstance(target, list):
            target = target[0] if target else user_id
        if target == user_id or is_admin(store, user_id):
            return None
        return (
            "You may only reset your own API key; ask an administrator to reset another user's key."
        )
    if action == "send_user_invite" and not is_admin(store, user_id):
        return "Only an administrator may invite users; ask an administrator."
    return None
