"""Who a review link acts as: the user who made it, or one invitee of the session.

An invitee's link (``get_widget_url`` with ``entity_type="ReviewSessionInvitee"``) records its
feedback as ftrack records client-review feedback: ``ReviewSessionObjectStatus.invitee`` is the
invitee, and ``Note.author`` is a User standing for the invitee. ftrack's client reviews keep
the notes, annotations and approvals of invited "collaborators" who have no login of their own
("Feedback left by the collaborators on the content can be retrieved at any time",
help.ftrack.com/en/articles/1040509-managing-review-sessions); here that User is an existing User
with the invitee's e-mail, or else a new, inactive (it cannot log in) User of the seeded
``collaborator`` user type, made once per e-mail with a stable id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from ft_dcc.server.errors import ApiOperationError
from ft_dcc.server.files.filestore import check_component_id
from ft_dcc.server.model.builtin_data import COLLABORATOR_USER_TYPE_ID, stable_id

Execute = Callable[[List[Dict[str, Any]], str], List[Any]]
#: Server-internal batches run as no user (``permissions.check_write`` lets them through).
SYSTEM = ""


@dataclass(frozen=True)
class Invitee:
    id: str
    name: str
    email: str
    review_session_id: str

    def as_json(self) -> Dict[str, str]:
        return {"invitee_id": self.id, "name": self.name, "email": self.email}


def _query(execute: Execute, expression: str) -> List[Dict[str, Any]]:
    return list(
        execute([{"action": "query", "expression": expression}], SYSTEM)[0].get("data") or []
    )


def _quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def load_invitee(execute: Execute, invitee_id: Any) -> Optional[Invitee]:
    """The invitee ``invitee_id``, or ``None`` when there is none (or the id is not an id)."""
    try:
        ident = check_component_id(invitee_id)
    except Exception:
        return None
    rows = _query(
        execute,
        "select id, name, email, review_session_id from ReviewSessionInvitee "
        f'where id is "{ident}"',
    )
    if not rows:
        return None
    row = rows[0]
    return Invitee(
        id=row["id"],
        name=row.get("name") or "",
        email=row.get("email") or "",
        review_session_id=row.get("review_session_id") or "",
    )


def author_for(execute: Execute, invitee: Invitee) -> str:
    """The id of the User who authors ``invitee``'s notes (found, or created once)."""
    email = invitee.email.strip()
    if not email:
        raise ValueError("This invitee has no e-mail address; ask for a new invitation.")
    found = _find_by_email(execute, email)
    if found:
        return found
    user_id = stable_id("ReviewCollaborator", email.lower())
    first, _, last = (invitee.name or email.split("@")[0]).partition(" ")
    data = {
        "__entity_type__": "User",
        "id": user_id,
        "username": f"collaborator:{email.lower()}",
        "email": email,
        "first_name": first,
        "last_name": last,
        "is_active": False,
        "resource_type": "user",
        "user_type_id": COLLABORATOR_USER_TYPE_ID,
    }
    try:
        execute(
            [
                {
                    "action": "create",
                    "entity_type": "User",
                    "entity_key": [user_id],
                    "entity_data": data,
                }
            ],
            SYSTEM,
        )
    except ApiOperationError:
        # Another request (maybe another worker) made it first; use theirs.
        again = _find_by_email(execute, email)
        if again:
            return again
        raise
    return user_id


def _find_by_email(execute: Execute, email: str) -> Optional[str]:
    wanted = {email, email.lower()}
    rows = _query(
        execute,
        "select id, email, user_type_id from User where email in ("
        + ", ".join(_quote(e) for e in sorted(wanted))
        + ")",
    )
    # A real user with the address wins over a collaborator made earlier for it.
    rows.sort(key=lambda r: (r.get("user_type_id") == COLLABORATOR_USER_TYPE_ID, r["id"]))
    return rows[0]["id"] if rows else None
