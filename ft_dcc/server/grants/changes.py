"""Which committed changes revoke grants: the bus messages a write batch must send.

Called after a batch commits (``ApiContext.execute``), whoever wrote it (``/api``, the review
page, the server itself), so no write path has to remember to revoke.
"""

from __future__ import annotations

import logging
from typing import List, Sequence, Tuple

from ft_dcc.server.grants.bus import INVITEE, PROJECT, SESSION, USER, RevocationBus
from ft_dcc.server.rules.registry import Change

log = logging.getLogger(__name__)

#: A ReviewSession update of one of these ends the grants resting on the session.
SESSION_KEYS = frozenset(
    {
        "shareable_url_enabled", "end_date", "start_date", "availability", "passphrase",
        "passphrase_enabled", "settings", "created_by_id", "project_id", "is_moderated",
    }
)  # fmt: skip
#: A session's settings (download policy, watermark, revoked links...) are EntitySetting rows
#: under it (key: parent id, group, name): any write of one ends the grants resting on it.
SETTING = "EntitySetting"
#: A change of a User's role (given, widened, narrowed or taken back, or one of its projects)
#: re-checks every grant resting on that User: an open page's live stream, its presenter's lead
#: (found through the change's ancestry: the role's User)
ROLE_TYPES = frozenset({"UserSecurityRole", "UserSecurityRoleProject"})
#: A Project update of one of these (closed or opened: its ``status``), or its deletion, ends the
#: grants resting on its review sessions.
PROJECT_KEYS = frozenset({"status"})
#: A ReviewSessionInvitee update of one of these ends the invitee's links.
INVITEE_KEYS = frozenset({"review_session_id", "email", "created_from_shared_url"})


def _touches(change: Change, keys: frozenset) -> bool:
    return change.get("action") == "remove" or bool(keys & set(change.get("keys") or []))


def _user_of(change: Change) -> str:
    """The User a role change is of (``""``: its ancestry does not reach one)."""
    for ancestor in change.get("parents") or []:
        if ancestor.get("entity_type") == "User" and ancestor.get("entity_id"):
            return str(ancestor["entity_id"])
    return ""


def revocations_of(changes: Sequence[Change]) -> List[Tuple[str, str]]:
    """(kind, subject) for each committed change that takes a grant's ground away."""
    found: List[Tuple[str, str]] = []
    for change in changes:
        entity_type, subject = change.get("entity_type"), str(change.get("entity_id") or "")
        if not subject:
            continue
        if entity_type == "User" and _touches(change, frozenset({"is_active", "username"})):
            found.append((USER, subject))
        elif entity_type == "ReviewSession" and _touches(change, SESSION_KEYS):
            found.append((SESSION, subject))
        elif entity_type == "Project" and _touches(change, PROJECT_KEYS):
            found.append((PROJECT, subject))
        elif entity_type == "ReviewSessionInvitee" and _touches(change, INVITEE_KEYS):
            found.append((INVITEE, subject))
        elif entity_type in ROLE_TYPES and _user_of(change):
            found.append((USER, _user_of(change)))
        elif entity_type == SETTING and change.get("entity_key"):
            found.append((SESSION, str(change["entity_key"][0])))  # its parent (a session)
    return list(dict.fromkeys(found))


def revoke_changed(bus: RevocationBus, changes: Sequence[Change]) -> None:
    """Send the revocations of a committed batch (see :func:`revocations_of`)."""
    for kind, subject in revocations_of(changes):
        try:
            bus.revoke(kind, subject)
        except ValueError:  # an id the bus cannot carry (never an ftrack id): nothing held on it
            log.warning("could not revoke the grants of %s %r", kind, subject[:80])
