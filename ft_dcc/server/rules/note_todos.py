"""Who completes and reopens a to-do note (``Note.completed_at``, ``completed_by``).

A reviewer's note on a version (or on its review-session object) is an ftrack to-do. Its
completion fields are the one part of someone else's note another User may write
(``ownership_model``: ``open_fields``), and only as this rule says:

- **complete** (``completed_at`` set): the task's publishing artist (a User who published a
  version of the note's task: ``AssetVersion.user_id``; a publish's own new version counts), the
  session's managers (its creator, the project's Supervisors and Project Managers) and
  administrators; only a to-do (``is_todo``), and ``completed_by`` only ever names the caller
  (``self_only``);
- **reopen** (``completed_at`` cleared): the note's author, the session's managers and
  administrators.

The server's own writes (no user) pass.
"""

from __future__ import annotations

from typing import Mapping, Optional

import sqlalchemy as sa

from ft_dcc.server.rules.permissions import PermissionDenied
from ft_dcc.server.rules.registry import ACCESS_ORDER, BatchView, Rule, WriteStep
from ft_dcc.server.rules.review_rights import manages_session_row


def _id(value: object) -> Optional[str]:
    return str(value) if value else None


def _version_of(batch: BatchView, note: Mapping[str, object]) -> Optional[Mapping[str, object]]:
    """The AssetVersion a note is on (directly, or through its review-session object)."""
    parent = _id(note.get("parent_id"))
    obj = batch.row("ReviewSessionObject", parent)
    version_id = _id(obj.get("version_id")) if obj is not None else parent
    return batch.row("AssetVersion", version_id)


def _manages(batch: BatchView, note: Mapping[str, object]) -> bool:
    obj = batch.row("ReviewSessionObject", _id(note.get("parent_id")))
    session = batch.row("ReviewSession", _id(obj.get("review_session_id"))) if obj else None
    return session is not None and manages_session_row(
        batch.connection, batch, batch.user_id, session
    )


def _publishes_task(batch: BatchView, note: Mapping[str, object]) -> bool:
    version = _version_of(batch, note)
    task_id = version.get("task_id") if version is not None else None
    if not task_id:
        return False
    versions = batch.table(batch.model.types["AssetVersion"])
    found = batch.connection.execute(
        sa.select(versions.c.id)
        .where(versions.c.task_id == task_id, versions.c.user_id == batch.user_id)
        .limit(1)
    ).first()
    return found is not None


class NoteTodoRule(Rule):
    """Refuse a completion or reopening of a to-do by someone the table above does not name."""

    name = "note to-dos"
    order = ACCESS_ORDER

    def check_step(self, batch: BatchView, step: WriteStep) -> None:
        if step.etype.name != "Note" or step.action != "update" or step.before is None:
            return
        if not batch.user_id or batch.is_admin or step.row is None:
            return
        before, after = step.before, step.row
        if bool(before.get("completed_at")) == bool(after.get("completed_at")):
            return  # not completed nor reopened: ownership decides the rest
        if after.get("completed_at"):
            if not after.get("is_todo"):
                raise PermissionDenied(
                    "Only a to-do note (is_todo) can be completed; this note is a comment."
                )
            if _publishes_task(batch, after) or _manages(batch, after):
                return
            raise PermissionDenied(
                "Only the task's publishing artist (who published a version of its task), the "
                "review session's managers or an administrator may complete this to-do; "
                "publish the version that addresses it with ft-dcc publish --addresses."
            )
        if after.get("user_id") == batch.user_id or _manages(batch, after):
            return
        raise PermissionDenied(
            "Only the note's author, the review session's managers (its creator, the project's "
            "Supervisors and Project Managers) or an administrator may reopen this to-do."
        )
