"""A project's ft_dcc settings are written by administrators only.

The client keeps a project's settings in the ``Metadata`` of the ``Project`` under
``PROJECT_SETTINGS_KEY``: every publish in the project follows them, so an ordinary User who
could write them could stop (or steer) everybody's publishes. Which entity the metadata belongs
to is read from the stored ``parent_id``, never from the ``parent_type`` the caller sends. The
embedded server has no project-manager role; on a real ftrack site the same rule is the
project's role settings.
"""

from __future__ import annotations

from typing import Mapping, Optional, Tuple

from ft_dcc.protocol import PROJECT_SETTINGS_KEY
from ft_dcc.server.rules.permissions import PermissionDenied
from ft_dcc.server.rules.registry import ACCESS_ORDER, BatchView, Key, Rule, WriteStep


class ProjectSettingsRule(Rule):
    """Refuse a non-administrator's create, update or delete of a project's settings."""

    name = "project settings"
    order = ACCESS_ORDER

    def check_step(self, batch: BatchView, step: WriteStep) -> None:
        if step.etype.family != "Metadata" or not batch.user_id or batch.is_admin:
            return
        key, parent = _key_and_parent(step.data, step.before, step.key)
        if key == PROJECT_SETTINGS_KEY and batch.type_of(parent) == "Project":
            raise PermissionDenied(
                f"Only an administrator may {step.action} a project's ft_dcc settings (Metadata "
                f"'{PROJECT_SETTINGS_KEY}'); ask an administrator to push them "
                "(ft-dcc settings push FILE --project P)."
            )


def _key_and_parent(
    data: Mapping[str, object], before: Optional[Mapping[str, object]], key: Key
) -> Tuple[object, object]:
    """The metadata key and parent id this step writes (what is stored, else what is sent)."""
    stored = before or {}
    parent = stored.get("parent_id") or data.get("parent_id") or (key[0] if key else None)
    name = stored.get("key") or data.get("key") or (key[1] if len(key) > 1 else None)
    return name, parent
