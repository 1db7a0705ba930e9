"""A studio verdict moves the version's workflow status (and, when configured, its task's).

There are two verdicts (:mod:`ft_dcc.server.review.reads.sight`): the studio's **internal** one,
given on a studio member's own page (a personal link: their own invitee record), and a **client's**,
given through an invitee's link or the room: the client's ``ReviewSessionObjectStatus``, shown to
the studio beside the internal one. A client's verdict never moves the version's status unless
the session's client rule ``client_verdict_sets_status`` is ``"true"`` (off by default); then it
counts as a studio verdict does.

When a verdict that counts is given on the review page, the writer
(:mod:`ft_dcc.server.review.feedback.writes`) adds the operations made here to the same batch as the
verdict, so both are stored or neither (run as the invitee's User: the server's rules apply
to the status change as to any ``/api`` update; a refused change refuses the verdict, with the
rule's message).

- The verdict on the version is every counting reviewer's current one taken together
  (:func:`ft_dcc.protocol.review_status.overall_verdict`): one "require changes" holds it.
- The status names come from the settings (``review.status_on_approve``, ...; defaults
  "Approved" / "Requires Changes", the task left alone), the studio's ``Setting`` row
  overlaid with the project's ``ft_dcc_settings`` metadata, read here from the database
  through the protocol's one reader of those keys.
- Only a status of the project's workflow is applied (the schema's version workflow for the
  version, its task workflow for the task); an unknown name is skipped with a warning in the
  server's log (``ft-dcc settings push`` refuses it before it is stored).
- The task moves only when the version is the latest of its asset in that task.
"""

from __future__ import annotations

import logging
from typing import Dict, List, Optional, Set

from ft_dcc.protocol import PROJECT_SETTINGS_KEY
from ft_dcc.protocol.feedback import latest_statuses, status_rows
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.protocol.query_text import quote, quoted_list
from ft_dcc.protocol.review_status import (
    KEYS_OF_VERDICT,
    STUDIO_SETTING_GROUP,
    STUDIO_SETTING_NAME,
    find_status,
    overall_verdict,
    status_settings,
)
from ft_dcc.server.review.reads.data import Ask, ReplyRow, asker
from ft_dcc.server.store.store import Execute

log = logging.getLogger(__name__)


def _one(rows: List[ReplyRow]) -> Optional[ReplyRow]:
    return rows[0] if rows else None


def _update(entity_type: str, ident: str, status_id: str) -> JsonObject:
    return {
        "action": "update",
        "entity_type": entity_type,
        "entity_key": [ident],
        "entity_data": {"status_id": status_id, "__entity_type__": entity_type},
    }


def _verdict(
    ask: Ask, object_id: str, invitee_id: str, verdict: str, counted: Optional[Set[str]]
) -> Optional[str]:
    """The verdicts of the invitees ``counted`` (None: all) taken together."""
    current = {
        row["review_session_invitee_id"]: str(row["status"] or "")
        for row in latest_statuses(status_rows(ask, [object_id]))
        if counted is None or row["review_session_invitee_id"] in counted
    }
    current[invitee_id] = verdict  # the one being given replaces the invitee's earlier one
    return overall_verdict(current.values())


def _workflow_statuses(ask: Ask, schema: Optional[ReplyRow]) -> Dict[str, Dict[str, str]]:
    """{"version": {status id: name}, "task": {...}} of the project's schema."""
    flows = {
        "version": (schema or {}).get("asset_version_workflow_schema_id"),
        "task": (schema or {}).get("task_workflow_schema_id"),
    }
    wanted = sorted({f for f in flows.values() if f})
    if not wanted:
        return {"version": {}, "task": {}}
    links, names = ask(
        [
            "select workflow_schema_id, status_id from WorkflowSchemaStatus "
            f"where workflow_schema_id in ({quoted_list(wanted)})",
            "select id, name from Status",
        ]
    )
    name_of = {r["id"]: str(r.get("name") or "") for r in names}
    result: Dict[str, Dict[str, str]] = {"version": {}, "task": {}}
    for kind, flow in flows.items():
        for link in links:
            if flow and link["workflow_schema_id"] == flow and link["status_id"] in name_of:
                result[kind][link["status_id"]] = name_of[link["status_id"]]
    return result


def _task_is_current(ask: Ask, version: ReplyRow) -> bool:
    """Whether ``version`` is the latest of its asset in its task."""
    newer = ask(
        [
            f"select id from AssetVersion where asset_id is {quote(version['asset_id'])} "
            f"and task_id is {quote(version['task_id'])} "
            f"and version > {int(version['version'] or 0)}"
        ]
    )[0]
    return not newer


def status_operations(
    execute: Execute, user_id: str, object_id: str, invitee_id: str, verdict: str,
    counted: Optional[Set[str]] = None,
) -> List[JsonObject]:  # fmt: skip
    """The updates that move ``object_id``'s version (and task) after ``invitee_id``'s
    ``verdict``, read as ``user_id``, taking the current verdicts of ``counted`` invitees (None:
    every one) with it; none when nothing is configured, valid or different."""
    ask = asker(execute, user_id)
    expression = "select version_id, review_session_id from ReviewSessionObject where id is "
    item = _one(ask([f"{expression}{quote(object_id)}"])[0])
    if item is None or not item.get("version_id"):
        return []
    overall = _verdict(ask, object_id, invitee_id, verdict, counted)
    if overall is None:
        return []
    sessions, versions = ask(
        [
            f"select project_id from ReviewSession where id is {quote(item['review_session_id'])}",
            "select id, status_id, task_id, asset_id, version from AssetVersion "
            f"where id is {quote(item['version_id'])}",
        ]
    )
    project_id = (_one(sessions) or {}).get("project_id")
    version = _one(versions)
    if not project_id or version is None:
        return []
    projects, studio, stored = ask(
        [
            f"select project_schema_id from Project where id is {quote(project_id)}",
            "select value from Setting "
            f"where group is {quote(STUDIO_SETTING_GROUP)} "
            f"and name is {quote(STUDIO_SETTING_NAME)}",
            "select value from Metadata "
            f"where parent_id is {quote(project_id)} and key is {quote(PROJECT_SETTINGS_KEY)}",
        ]
    )
    settings = status_settings([r.get("value") for r in studio + stored])
    schema_id = (_one(projects) or {}).get("project_schema_id")
    schemas = ask(
        [
            "select id, asset_version_workflow_schema_id, task_workflow_schema_id "
            f"from ProjectSchema where id is {quote(schema_id)}"
        ]
    )[0]
    workflow = _workflow_statuses(ask, _one(schemas))
    version_key, task_key = KEYS_OF_VERDICT[overall]
    operations: List[JsonObject] = []
    status_id = _applicable(settings[version_key], workflow["version"], version_key)
    if status_id and status_id != version.get("status_id"):
        operations.append(_update("AssetVersion", version["id"], status_id))
    task_status = _applicable(settings[task_key], workflow["task"], task_key)
    if task_status and version.get("task_id") and _task_is_current(ask, version):
        tasks = ask([f"select id, status_id from Task where id is {quote(version['task_id'])}"])[0]
        task = _one(tasks)
        if task is not None and task.get("status_id") != task_status:
            operations.append(_update("Task", task["id"], task_status))
    return operations


def _applicable(name: Optional[str], statuses: Dict[str, str], key: str) -> Optional[str]:
    if not name:
        return None
    found = find_status(name, statuses)
    if found is None:
        log.warning(
            "setting %s names %r, which is no status of the project's workflow (%s): skipped",
            key,
            name,
            ", ".join(sorted(statuses.values())) or "none",
        )
    return found
