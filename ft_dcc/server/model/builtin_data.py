"""Built-in data every ftrack server has: locations, states, statuses, types, object types…

Ids that a real server fixes (built-in locations, object types, the default priority, the
"Not started" status and state) are the real ones; the rest are stable uuid5 values, so seeding
is idempotent and two embedded servers agree.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Dict, List, Tuple

from sqlalchemy import Table, insert, select, tuple_
from sqlalchemy.engine import Connection

from ft_dcc.protocol import BUILTIN_LOCATIONS
from ft_dcc.protocol.feedback import ID_NAMESPACE
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.model.storage import DISCRIMINATOR

_NAMESPACE = ID_NAMESPACE


def stable_id(kind: str, name: str) -> str:
    """A fixed id for built-in row ``name`` of ``kind``."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


# -- fixed ids (real where ftrack fixes them) --------------------------------------------------
STATE_NOT_STARTED_ID = "6c59abf8-4dbf-11e1-9902-f23c91df25eb"
DEFAULT_TASK_STATUS_ID = "014a40a6-4e65-11e1-b8af-f23c91df25eb"  # "Not started"
DEFAULT_PRIORITY_ID = "9661b320-3a0c-11e2-81c1-0800200c9a66"
DEFAULT_TYPE_ID = stable_id("Type", "Generic")
DEFAULT_VERSION_STATUS_ID = stable_id("Status", "Pending Review")
DEFAULT_PROJECT_SCHEMA_ID = stable_id("ProjectSchema", "VFX Scheme")
TASK_WORKFLOW_ID = stable_id("WorkflowSchema", "Task workflow")
VERSION_WORKFLOW_ID = stable_id("WorkflowSchema", "Version workflow")
TASK_TYPE_SCHEMA_ID = stable_id("TaskTypeSchema", "Task types")
USER_TYPE_ID = "ac9fa5aa-4361-11e0-b7cc-0019bb4983d8"  # ftrack's user type of a new User
#: The user type of the Users standing for review-session invitees (ftrack keeps client-review
#: feedback as the collaborators'; see ft_dcc.server.review.access.identity).
COLLABORATOR_USER_TYPE_ID = stable_id("UserType", "collaborator")
UPLOAD_ASSET_TYPE_ID = "8f4144e0-a8e6-11e2-9e96-0800200c9a66"  # ftrack's "Upload" asset type

OBJECT_TYPES: List[Tuple[str, str, Dict[str, Any]]] = [
    (
        "11c137c0-ee7e-4f9c-91c5-8c77cec22b2c",
        "Task",
        {"is_leaf": True, "is_taskable": False, "is_time_reportable": True, "is_schedulable": True},
    ),
    ("bad911de-3bd6-47b9-8b46-3476e237cb36", "Shot", {}),
    ("e5139355-61da-4c8f-9db4-3abc870166bc", "Sequence", {}),
    ("22139355-61da-4c8f-9db4-3abc870166bc", "Episode", {}),
    (
        "3c133785-51cb-11e3-980a-20c9d0831e59",
        "Folder",
        {"is_statusable": False, "is_typeable": False},
    ),
    ("4be63b64-5010-42fb-bf1f-428af9d638f0", "AssetBuild", {}),
    (
        "01decdd1-51cb-11e3-9d5b-20c9d0831e59",
        "Milestone",
        {"is_leaf": True, "is_schedulable": True},
    ),
]
OBJECT_TYPE_IDS = {name: ident for ident, name, _ in OBJECT_TYPES}

STATES = [
    (STATE_NOT_STARTED_ID, "Not started", "NOT_STARTED"),
    (stable_id("State", "In progress"), "In progress", "IN_PROGRESS"),
    (stable_id("State", "Blocked"), "Blocked", "BLOCKED"),
    (stable_id("State", "Done"), "Done", "DONE"),
]
# (id, name, state short, color, sort)
STATUSES = [
    (DEFAULT_TASK_STATUS_ID, "Not started", "NOT_STARTED", "#C1C1C1", 0),
    (stable_id("Status", "In progress"), "In progress", "IN_PROGRESS", "#3B8BD8", 1),
    (DEFAULT_VERSION_STATUS_ID, "Pending Review", "IN_PROGRESS", "#F6C342", 2),
    (stable_id("Status", "Requires Changes"), "Requires Changes", "BLOCKED", "#E53935", 3),
    (stable_id("Status", "On Hold"), "On Hold", "BLOCKED", "#FF9800", 4),
    (stable_id("Status", "Approved"), "Approved", "DONE", "#1CBC90", 5),
    (stable_id("Status", "Completed"), "Completed", "DONE", "#1CBC90", 6),
    (stable_id("Status", "Omitted"), "Omitted", "DONE", "#777777", 7),
]
TYPES = [
    "Generic",
    "Animation",
    "Compositing",
    "Lighting",
    "Modeling",
    "Rigging",
    "Layout",
    "FX",
    "Editing",
]
# (name, short): a stock ftrack site's asset types, found by ``short`` as ftrack's own tools
# look them up (``AssetType where short is "script"``: the framework's Nuke script and standalone
# file publishers; "scene": its Maya, Max, Houdini, Photoshop and Premiere publishers; "cam",
# "geo", "anim", "rig", "cache": the Maya and Houdini loaders and publishers). A database made by
# an older release gains the missing ones when the server starts (``ensure_builtin_data``).
ASSET_TYPES = [
    ("Upload", "upload"),
    ("Review", "review"),
    ("Geometry", "geo"),
    ("Animation", "anim"),
    ("Compositing", "comp"),
    ("Render", "render"),
    ("Image Sequence", "img"),
    ("Scene", "scene"),
    ("Script", "script"),
    ("Camera", "cam"),
    ("Rig", "rig"),
    ("Cache", "cache"),
    ("Audio", "audio"),
]
# (key, label, entity_type, object type name or None, hierarchical, default)
CUSTOM_ATTRIBUTES = [
    ("fps", "FPS", "show", None, True, 25.0),
    ("fstart", "Frame start", "task", "Shot", False, 1001.0),
    ("fend", "Frame end", "task", "Shot", False, 1100.0),
    ("handles", "Handles", "task", "Shot", False, 0.0),
]


def ensure_builtin_data(store: StoreParts, connection: Connection, api_user_name: str) -> str:
    """Insert whatever built-in rows are missing; return the API user's id."""
    ensure_builtin_rows(store, connection)
    return _Seeder(store, connection).ensure_user(api_user_name)


def ensure_builtin_rows(store: StoreParts, connection: Connection) -> None:
    """Insert whatever built-in rows are missing: those every database has (not its users)."""
    seeder = _Seeder(store, connection)
    for ident, name in BUILTIN_LOCATIONS:
        seeder.ensure(
            "Location", ident, name=name, label=name, description=f"Built-in {name} location"
        )
    _ensure_statuses(seeder)
    seeder.ensure("Priority", DEFAULT_PRIORITY_ID, name="None", color="#CCCCCC", sort=0, value=0.0)
    seeder.ensure("UserType", USER_TYPE_ID, name="user")
    seeder.ensure("UserType", COLLABORATOR_USER_TYPE_ID, name="collaborator")
    _ensure_types(seeder)
    _ensure_workflows(seeder)
    _ensure_asset_types(seeder)
    _ensure_custom_attributes(seeder)
    seeder.flush()


def _ensure_statuses(seeder: _Seeder) -> None:
    """The States and the Statuses in them."""
    for ident, name, short in STATES:
        seeder.ensure("State", ident, name=name, short=short)
    state_ids = {short: ident for ident, _name, short in STATES}
    for ident, name, short, color, sort in STATUSES:
        seeder.ensure(
            "Status",
            ident,
            name=name,
            color=color,
            sort=sort,
            is_active=True,
            _state_id=state_ids[short],
        )


def _ensure_types(seeder: _Seeder) -> None:
    """Task types and object types."""
    for sort, name in enumerate(TYPES):
        seeder.ensure(
            "Type", stable_id("Type", name), name=name, color="#510100", sort=sort, is_billable=True
        )
    for sort, (ident, name, flags) in enumerate(OBJECT_TYPES):
        values = {
            "name": name,
            "icon": name.lower(),
            "sort": sort,
            "is_leaf": False,
            "is_time_reportable": False,
            "is_taskable": True,
            "is_typeable": True,
            "is_statusable": True,
            "is_schedulable": False,
        }
        values.update(flags)
        seeder.ensure("ObjectType", ident, **values)


def _ensure_asset_types(seeder: _Seeder) -> None:
    """The stock asset types, but none whose ``short`` a studio has already given a type of its
    own (an upgraded database keeps the studio's "script" type; no second one is added)."""
    table = seeder.store.tables[seeder.store.model.types["AssetType"].family]
    rows = seeder.connection.execute(select(table.c.short))
    taken = {str(short).lower() for (short,) in rows}
    for name, short in ASSET_TYPES:
        ident = UPLOAD_ASSET_TYPE_ID if name == "Upload" else stable_id("AssetType", name)
        if short in taken:  # ours from an earlier start, or the studio's own
            continue
        seeder.ensure("AssetType", ident, name=name, short=short, component="main")


def _ensure_custom_attributes(seeder: _Seeder) -> None:
    """The custom attribute types and the shot's frame and rate attributes."""
    number_type = stable_id("CustomAttributeType", "number")
    seeder.ensure("CustomAttributeType", number_type, name="number", core=True, form_config="{}")
    seeder.ensure(
        "CustomAttributeType",
        stable_id("CustomAttributeType", "text"),
        name="text",
        core=True,
        form_config="{}",
    )
    for sort, (key, label, entity_type, object_type, hierarchical, default) in enumerate(
        CUSTOM_ATTRIBUTES
    ):
        seeder.ensure(
            "CustomAttributeConfiguration",
            stable_id("CustomAttributeConfiguration", key),
            key=key,
            label=label,
            entity_type=entity_type,
            object_type_id=OBJECT_TYPE_IDS.get(object_type or ""),
            is_hierarchical=hierarchical,
            default=json.dumps(default),
            config=json.dumps({"isdecimal": True}),
            core=False,
            sort=sort,
            type_id=number_type,
            project_id=None,
        )


#: statuses of the version workflow (the rest serve tasks and other typed contexts)
VERSION_STATUSES = ("Pending Review", "Requires Changes", "Approved", "On Hold", "Omitted")


def _ensure_workflows(seeder: _Seeder) -> None:
    """Workflow schemas, task types and per-object-type schemas of the default ProjectSchema."""
    status_ids = {name: ident for ident, name, _short, _color, _sort in STATUSES}
    seeder.ensure("WorkflowSchema", TASK_WORKFLOW_ID, name="Task workflow")
    seeder.ensure("WorkflowSchema", VERSION_WORKFLOW_ID, name="Version workflow")
    for name, ident in status_ids.items():
        seeder.ensure_row(
            "WorkflowSchemaStatus", workflow_schema_id=TASK_WORKFLOW_ID, status_id=ident
        )
        if name in VERSION_STATUSES:
            seeder.ensure_row(
                "WorkflowSchemaStatus", workflow_schema_id=VERSION_WORKFLOW_ID, status_id=ident
            )
    seeder.ensure("TaskTypeSchema", TASK_TYPE_SCHEMA_ID, name="Task types")
    for name in TYPES:
        seeder.ensure_row(
            "TaskTypeSchemaType",
            task_type_schema_id=TASK_TYPE_SCHEMA_ID,
            type_id=stable_id("Type", name),
        )
    seeder.ensure(
        "ProjectSchema",
        DEFAULT_PROJECT_SCHEMA_ID,
        name="VFX Scheme",
        task_workflow_schema_id=TASK_WORKFLOW_ID,
        asset_version_workflow_schema_id=VERSION_WORKFLOW_ID,
        task_type_schema_id=TASK_TYPE_SCHEMA_ID,
    )
    for object_type_id, name, _flags in OBJECT_TYPES:
        seeder.ensure_row(
            "ProjectSchemaObjectType",
            project_schema_id=DEFAULT_PROJECT_SCHEMA_ID,
            object_type_id=object_type_id,
        )
        if name == "Task":
            continue
        schema_id = stable_id("Schema", name)
        seeder.ensure(
            "Schema",
            schema_id,
            project_schema_id=DEFAULT_PROJECT_SCHEMA_ID,
            type_id=object_type_id,
            object_type_id=object_type_id,
        )
        for sort, (status_id, _n, _s, _c, _o) in enumerate(STATUSES):
            seeder.ensure_row("SchemaStatus", schema_id=schema_id, status_id=status_id, sort=sort)
        seeder.ensure_row("SchemaType", schema_id=schema_id, type_id=DEFAULT_TYPE_ID, sort=0)


class _Seeder:
    """Collects the built-in rows; ``flush`` then looks up which exist with one SELECT per table
    and inserts the missing ones with one INSERT per table (many rows to the driver at once), in
    the order they were asked for (a query without an order returns them in that order): a SELECT
    and an INSERT per row cost a new database some 80 round trips through SQLAlchemy."""

    def __init__(self, store: StoreParts, connection: Connection) -> None:
        self.store = store
        self.connection = connection
        #: table -> primary key values -> row, in the order asked for
        self.pending: Dict[Table, Dict[Tuple[object, ...], Dict[str, object]]] = {}

    def ensure(self, type_name: str, ident: str, **values: object) -> None:
        """Row ``ident`` of ``type_name`` with ``values``, unless one with that id exists."""
        self.ensure_row(type_name, id=ident, **values)

    def ensure_row(self, type_name: str, **values: object) -> None:
        """A row keyed by its (composite) primary key, unless one with that key exists."""
        table = self.store.tables[self.store.model.types[type_name].family]
        row: Dict[str, object] = {k: v for k, v in values.items() if k in table.c}
        row[DISCRIMINATOR] = type_name
        key = tuple(row[column.name] for column in table.primary_key.columns)
        self.pending.setdefault(table, {}).setdefault(key, row)

    def flush(self) -> None:
        """Insert the pending rows that do not exist yet."""
        for table, rows in self.pending.items():
            columns = list(table.primary_key.columns)
            key = columns[0] if len(columns) == 1 else tuple_(*columns)
            wanted = [k[0] for k in rows] if len(columns) == 1 else list(rows)
            found = self.connection.execute(select(*columns).where(key.in_(wanted)))
            existing = {tuple(r) for r in found}
            missing = [row for k, row in rows.items() if k not in existing]
            for same_columns in _runs_of_same_columns(missing):
                self.connection.execute(insert(table), same_columns)
        self.pending.clear()

    def ensure_user(self, username: str) -> str:
        table = self.store.tables["User"]
        found = self.connection.execute(
            select(table.c.id).where(table.c.username == username)
        ).scalar()
        if found is not None:
            return found
        ident = stable_id("User", username)
        first, _, last = username.partition(".")
        self.ensure(
            "User",
            ident,
            username=username,
            first_name=first or username,
            last_name=last,
            email=f"{username}@localhost" if "@" not in username else username,
            is_active=True,
            is_otp_enabled=False,
            is_totp_enabled=False,
            require_details_update=False,
            resource_type="user",
        )
        self.flush()
        return ident


def _runs_of_same_columns(rows: List[Dict[str, object]]) -> List[List[Dict[str, object]]]:
    """``rows`` cut where the next row sets other columns (one INSERT's rows set the same)."""
    runs: List[List[Dict[str, object]]] = []
    for row in rows:
        if runs and runs[-1][0].keys() == row.keys():
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs
