"""A review session's settings (``EntitySetting`` rows under a ``ReviewSession``) are written by
those who may manage the session only.

ftrack keeps a session's per-session settings as ``ReviewSession.settings``: ``EntitySetting``
rows whose ``parent_id`` is the session. The embedded server reads the rules of its client links
there (group ``review``: ``download_policy``, ``watermark``, ``links_revoked_at``,
``invitee_links_revoked_at:<invitee id>``), so creating, changing or deleting one is managing
the session: its creator, a Supervisor or Project Manager of its project, or an administrator
(:func:`ft_dcc.server.rules.review_rights.manages_session_row`).
Which session a row belongs to is read from the row as stored and as it will be stored (its
key from ``entity_data`` or ``entity_key``, whichever set it), never from ``parent_type``.
The server's own writes (no user) pass. A committed write ends the grants resting on the
session (:mod:`ft_dcc.server.grants.changes`).
"""

from __future__ import annotations

from typing import List

from ft_dcc.server.rules.permissions import PermissionDenied
from ft_dcc.server.rules.registry import ACCESS_ORDER, BatchView, Rule, WriteStep
from ft_dcc.server.rules.review_rights import manages_session_row

SETTING = "EntitySetting"
SESSION = "ReviewSession"


def setting_parents(step: WriteStep) -> List[str]:
    """The ids of the entities an EntitySetting step writes under: the stored row's and the
    row's as it will be stored (its key and defaults filled), never only what was sent."""
    found = {str(row["parent_id"]) for row in step.rows() if row.get("parent_id")}
    return sorted(found)


class ReviewSettingsRule(Rule):
    """Refuse a create, update or delete of a review session's setting by someone who may not
    manage the session."""

    name = "review session settings"
    order = ACCESS_ORDER

    def check_step(self, batch: BatchView, step: WriteStep) -> None:
        if step.etype.name != SETTING or not batch.user_id or batch.is_admin:
            return
        for parent in setting_parents(step):
            session = batch.row(SESSION, parent)
            if session is None or manages_session_row(
                batch.connection, batch, batch.user_id, session
            ):
                continue
            raise PermissionDenied(
                f"Only those who manage the review session (its creator, a Supervisor or Project "
                f"Manager of its project, an administrator) may {step.action} its settings "
                "(EntitySetting under the ReviewSession); ask them to change it."
            )
