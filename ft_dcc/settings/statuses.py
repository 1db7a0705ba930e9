"""The review status settings (``review.status_on_approve``, ...) checked against ftrack's
workflows before they are stored: a name that is no status of the project's version workflow
(or task workflow, for the task keys) is refused with the valid names, so a typo never reaches
the server, which would skip it (``ft_dcc.server.review.feedback.verdict_status``)."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple

from ft_dcc.exceptions import SettingsError
from ft_dcc.protocol.query_text import quote, quoted_list
from ft_dcc.protocol.review_status import DEFAULTS, unknown_statuses
from ft_dcc.session.replies import query_entities
from ft_dcc.settings.document import Document
from ft_dcc.settings.store import find_project

if TYPE_CHECKING:
    from ft_dcc.session.interface import EntityLike, PublishSession

#: (version status names, task status names) a document's values are checked against
Workflows = Tuple[List[str], List[str]]


def project_workflows(session: PublishSession, project: EntityLike) -> Workflows:
    """The status names of ``project``'s version workflow and task workflow (two requests)."""
    schema = query_entities(
        session.call(
            [
                {
                    "action": "query",
                    "expression": "select project_schema.asset_version_workflow_schema_id, "
                    "project_schema.task_workflow_schema_id from Project "
                    f"where id is {quote(project['id'])}",
                }
            ]
        )[0]
    )
    found = schema[0]["project_schema"] if schema else None
    flows = {
        "version": found["asset_version_workflow_schema_id"] if found is not None else None,
        "task": found["task_workflow_schema_id"] if found is not None else None,
    }
    listed = quoted_list(sorted({f for f in flows.values() if f})) or '""'
    links, statuses = (
        query_entities(reply)
        for reply in session.call(
            [
                {
                    "action": "query",
                    "expression": "select workflow_schema_id, status_id from WorkflowSchemaStatus "
                    f"where workflow_schema_id in ({listed})",
                },
                {"action": "query", "expression": "select id, name from Status"},
            ]
        )
    )
    names = {s["id"]: s["name"] for s in statuses}
    result: Dict[str, List[str]] = {"version": [], "task": []}
    for kind, flow in flows.items():
        result[kind] = sorted(
            names[r["status_id"]]
            for r in links
            if r["workflow_schema_id"] == flow and r["status_id"] in names
        )
    return result["version"], result["task"]


def server_statuses(session: PublishSession) -> Workflows:
    """Every status name on the server (a studio document serves every project's workflow)."""
    names = sorted(s["name"] for s in session.query("select name from Status").all())
    return names, names


def _refusal(key: str, name: str, valid: Sequence[str], where: str) -> SettingsError:
    near = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    kind = "task" if "task_" in key else "version"
    listed = ", ".join(valid) or "none"
    hint = f"did you mean {near[0]!r}? " if near else ""
    return SettingsError(
        f"setting {key}: {name!r} is no {kind} status of {where}",
        hint=f"{hint}its {kind} statuses: {listed}",
    )


def check_document(document: Document, workflows: Workflows, where: str) -> None:
    """Refuse ``document`` when a review status setting names no status of ``workflows``."""
    values: Mapping[str, Optional[str]] = {
        k: v
        for k, v in document.settings.items()
        if k in DEFAULTS and (v is None or isinstance(v, str))  # optional text: every one
    }
    problems = unknown_statuses(values, *workflows)
    if problems:
        key, name, valid = problems[0]
        raise _refusal(key, name, valid, where)


def check_pushed(session: PublishSession, document: Document, project: Optional[str]) -> None:
    """Check ``document`` for ``project`` (its workflow) or, without one, the studio (every
    status on the server)."""
    if not any(key in DEFAULTS for key in document.settings):
        return
    if project is None:
        check_document(document, server_statuses(session), "this ftrack server")
        return
    found = find_project(session, project)
    where = f"project {found['name']}'s workflow"
    check_document(document, project_workflows(session, found), where)
