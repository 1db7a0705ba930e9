"""A project's ft_dcc settings are written by administrators only.

The client keeps a project's settings in the ``Metadata`` of the ``Project`` under
``PROJECT_SETTINGS_KEY``: every publish in the project follows them, so an ordinary User who
could write them could stop (or steer) everybody's publishes. Which entity the metadata belongs
to is read from ``parent_id`` of the row as stored and as it will be stored (from
``entity_data`` or ``entity_key``), never from the ``parent_type`` the caller sends. The
embedded server has no project-manager role; on a real ftrack site the same rule is the
project's role settings.
"""

from __future__ import annotations

from ft_dcc.protocol import PROJECT_SETTINGS_KEY
from ft_dcc.server.rules.permissions import PermissionDenied
from ft_dcc.server.rules.registry import ACCESS_ORDER, BatchView, Rule, WriteStep


class ProjectSettingsRule(Rule):
    """Refuse a non-administrator's create, update or delete of a project's settings."""

    name = "project settings"
    order = ACCESS_ORDER

    def check_step(self, batch: BatchView, step: WriteStep) -> None:
        if step.etype.family != "Metadata" or not batch.user_id or batch.is_admin:
            return
        for row in step.rows():  # as stored, and as it will be stored
            parent = row.get("parent_id")
            if row.get("key") == PROJECT_SETTINGS_KEY and batch.type_of(parent) == "Project":
                raise PermissionDenied(
                    f"Only an administrator may {step.action} a project's ft_dcc settings "
                    f"(Metadata '{PROJECT_SETTINGS_KEY}'); ask an administrator to push them "
                    "(ft-dcc settings push FILE --project P)."
                )
