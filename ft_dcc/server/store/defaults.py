"""Server-side defaults a real ftrack server fills in on create (beyond schema ``default``s)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Dict, Mapping, Optional

from sqlalchemy import select

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.model.builtin_data import (
    DEFAULT_PRIORITY_ID,
    DEFAULT_PROJECT_SCHEMA_ID,
    DEFAULT_TASK_STATUS_ID,
    DEFAULT_TYPE_ID,
    DEFAULT_VERSION_STATUS_ID,
    USER_TYPE_ID,
)
from ft_dcc.server.model.schema import EntityType
from ft_dcc.server.rules.registry import BatchView

#: how long a review session stays open when the client gives no end date
REVIEW_SESSION_OPEN_FOR = dt.timedelta(days=30)

#: boolean User settings a real ftrack server answers ``false`` for after a create
USER_FLAGS_OFF = ("is_otp_enabled", "is_totp_enabled", "require_details_update")

COMPONENT_SYSTEM_TYPES = {
    "FileComponent": "file",
    "SequenceComponent": "sequence",
    "ContainerComponent": "container",
    "Component": "file",
}


def _set(values: Dict[str, object], etype: EntityType, name: str, value: object) -> None:
    if name in etype.attributes and values.get(name) is None:
        values[name] = value


def _existing(batch: BatchView, family: str, ident: str) -> Optional[str]:
    return ident if batch.has_key(family, "id", ident) else None


def _first_id(batch: BatchView, family: str) -> Optional[str]:
    table = batch.tables[family]
    return batch.connection.execute(select(table.c.id).order_by(table.c.id).limit(1)).scalar()


def apply_server_defaults(batch: BatchView, etype: EntityType, values: Dict[str, object]) -> None:
    """Fill what the client did not send and the server derives (mutates ``values``)."""
    now = batch.now
    _set(values, etype, "created_at", now)
    _set(values, etype, "created_by_id", batch.acting_user_id)
    family = etype.family
    if family == "Context":
        _context_defaults(batch, etype, values)
    elif family == "Component":
        _set(values, etype, "system_type", COMPONENT_SYSTEM_TYPES.get(etype.name, "file"))
    elif etype.name == "AssetVersion":
        _version_defaults(batch, etype, values)
    elif etype.name == "ReviewSession":
        _set(values, etype, "start_date", now)
        start = values["start_date"]
        if values.get("end_date") is None and isinstance(start, dt.datetime):
            values["end_date"] = start + REVIEW_SESSION_OPEN_FOR
    elif etype.name == "ReviewSessionObject":
        _review_object_defaults(batch, etype, values)
    elif etype.name == "Note":
        _set(values, etype, "date", now)
        _set(values, etype, "thread_activity", now)
        _set(values, etype, "user_id", batch.acting_user_id)
    elif etype.name == "Job":
        _set(values, etype, "user_id", batch.acting_user_id)
    elif etype.name in ("Timer", "Timelog"):
        _set(values, etype, "start", now)
        _set(values, etype, "comment", "")
        _set(values, etype, "duration", 0.0)
        _set(values, etype, "user_id", batch.acting_user_id)
    elif etype.name in ("User", "Status"):
        _set(values, etype, "is_active", True)
        _set(values, etype, "username", str(uuid.uuid4()))  # ftrack generates one too
        for flag in USER_FLAGS_OFF:  # as in a recorded ftrack create reply
            _set(values, etype, flag, False)
        _set(values, etype, "user_type_id", _existing(batch, "UserType", USER_TYPE_ID))
    elif etype.name == "Metadata":
        _set(values, etype, "value", "")
        if values.get("parent_type") is None and values.get("parent_id"):
            values["parent_type"] = batch.type_of(values["parent_id"])
    elif family == "CustomAttributeValue" and values.get("configuration_id"):
        table = batch.tables["CustomAttributeConfiguration"]
        key = batch.connection.execute(
            select(table.c.key).where(table.c.id == values["configuration_id"])
        ).scalar()
        _set(values, etype, "key", key)


def _version_defaults(batch: BatchView, etype: EntityType, values: Dict[str, object]) -> None:
    _set(values, etype, "date", batch.now)
    _set(values, etype, "user_id", batch.acting_user_id)
    _set(values, etype, "status_id", _existing(batch, "Status", DEFAULT_VERSION_STATUS_ID))
    if values.get("version") is None and values.get("asset_id"):
        batch.lock_row("Asset", values["asset_id"])  # PostgreSQL: serialise per asset
        values["version"] = batch.next_number(
            "AssetVersion", "version", "asset_id", values["asset_id"]
        )
    elif values.get("version") is None:
        values["version"] = 1


def _review_object_defaults(batch: BatchView, etype: EntityType, values: Dict[str, object]) -> None:
    if values.get("sort_order") is None:
        if values.get("review_session_id"):  # PostgreSQL: serialise per session (race-free)
            batch.lock_row("ReviewSession", values["review_session_id"])
        values["sort_order"] = batch.next_number(
            "ReviewSessionObject",
            "sort_order",
            "review_session_id",
            values.get("review_session_id"),
            start=0,
        )
    _set(values, etype, "version", "")


def _context_defaults(batch: BatchView, etype: EntityType, values: Dict[str, object]) -> None:
    if etype.name == "Project":
        _set(values, etype, "context_type", "show")
        _set(values, etype, "status", "active")
        _set(values, etype, "full_name", values.get("name"))
        _set(
            values,
            etype,
            "project_schema_id",
            _existing(batch, "ProjectSchema", DEFAULT_PROJECT_SCHEMA_ID)
            or _first_id(batch, "ProjectSchema"),
        )
        _set(values, etype, "start_date", batch.now)
        return
    _set(values, etype, "context_type", "task")
    if values.get("parent_id"):
        values["project_id"] = batch.project_of(values["parent_id"]) or values.get("project_id")
    _set(values, etype, "status_id", _existing(batch, "Status", DEFAULT_TASK_STATUS_ID))
    _set(values, etype, "type_id", _existing(batch, "Type", DEFAULT_TYPE_ID))
    _set(values, etype, "priority_id", _existing(batch, "Priority", DEFAULT_PRIORITY_ID))
    _set(values, etype, "bid", 0.0)
    _set(values, etype, "sort", 0.0)


def set_or_defaulted(echo: JsonObject, sent: Mapping[str, object]) -> JsonObject:
    """ftrack's create reply: what was set plus what the server filled; attributes left empty
    are left out, so the client keeps them ``NOT_SET`` and fetches them when read."""
    return {name: value for name, value in echo.items() if value is not None or name in sent}
