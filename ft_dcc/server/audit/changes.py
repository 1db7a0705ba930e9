"""The trail entries of a committed batch: a review session changed, a link revoked.

Called after a batch commits (``ApiContext.execute``, beside the revocations), whoever wrote it:

* ``session.changed``: a ReviewSession created, updated or removed (the keys sent; new values
  of anything not secret: a passphrase is named, never shown), an invitee added, a
  ``review`` setting (download policy, watermark) written;
* ``link.revoked``: the ``review`` setting ``links_revoked_at`` (every client link of the
  session) or ``invitee_links_revoked_at:<invitee id>`` (one invitee's) written, or an invitee
  removed.
"""

from __future__ import annotations

import logging
from typing import Dict, List, Optional, Sequence, Tuple

from ft_dcc.server.audit.entry import is_secret_name
from ft_dcc.server.grants.changes import SESSION_KEYS
from ft_dcc.server.rules.registry import Change

log = logging.getLogger(__name__)

#: the group of the per-session settings of client review
REVIEW_GROUP = "review"
REVOKE_ALL = "links_revoked_at"
REVOKE_ONE = "invitee_links_revoked_at:"
#: (act, review session id, detail)
Act = Tuple[str, str, Dict[str, object]]


def _plain(value: object) -> object:
    """A wire value as plain JSON: a typed one (``{"__type__": "datetime", "value": …}``) as
    its value (clients decode typed values, and the trail reads the same everywhere)."""
    if isinstance(value, dict) and "__type__" in value:
        return value.get("value")
    return value


def _session_change(change: Change) -> Optional[Act]:
    subject = str(change.get("entity_id") or "")
    if change.get("action") == "remove":
        return "session.changed", subject, {"removed": True}
    keys = sorted(set(change.get("keys") or []) & SESSION_KEYS)
    if not keys:
        return None
    values = change.get("values") or {}
    shown = {k: _plain(values.get(k)) for k in keys if k in values and not is_secret_name(k)}
    detail: Dict[str, object] = {"keys": keys, "values": shown}
    if change.get("action") == "add":
        detail["created"] = True
    return "session.changed", subject, detail


def _setting_fields(change: Change) -> Tuple[str, str, str]:
    """(parent_id, group, name) of an EntitySetting change (its key is those three)."""
    values = change.get("values") or {}
    key = [str(part) for part in change.get("entity_key") or []] + ["", "", ""]
    return (
        str(values.get("parent_id") or key[0]),
        str(values.get("group") or key[1]),
        str(values.get("name") or key[2]),
    )


def _setting_change(change: Change) -> Optional[Act]:
    session, group, name = _setting_fields(change)
    if group != REVIEW_GROUP or not session:
        return None
    value = _plain((change.get("values") or {}).get("value"))
    if change.get("action") == "remove":
        return "session.changed", session, {"setting": name, "removed": True}
    if name == REVOKE_ALL:
        return "link.revoked", session, {"links": "all client links", "before": value}
    if name.startswith(REVOKE_ONE):
        return "link.revoked", session, {"invitee_id": name[len(REVOKE_ONE) :], "before": value}
    return "session.changed", session, {"setting": name, "value": value}


def _invitee_change(change: Change) -> Optional[Act]:
    session = str(change.get("parent_id") or "")
    invitee = str(change.get("entity_id") or "")
    if not session:
        return None
    if change.get("action") == "remove":
        return "link.revoked", session, {"invitee_id": invitee, "removed": True}
    if change.get("action") == "add":
        return "session.changed", session, {"invitee_added": invitee}
    return None


def acts_of(changes: Sequence[Change]) -> List[Act]:
    """The trail entries a committed batch's changes make."""
    readers = {
        "ReviewSession": _session_change,
        "EntitySetting": _setting_change,
        "ReviewSessionInvitee": _invitee_change,
    }
    found = []
    for change in changes:
        reader = readers.get(str(change.get("entity_type")))
        act = reader(change) if reader is not None else None
        if act is not None:
            found.append(act)
    return found
