"""Who writes through an invitee's link: that invitee's own record, never an e-mail address.

An invitee's link (``get_widget_url`` with ``entity_type="ReviewSessionInvitee"``, or a room
identity, see :mod:`ft_dcc.server.review.page.room`) records its feedback as ftrack records
client-review feedback: ``ReviewSessionObjectStatus.invitee`` is the invitee, and ``Note.author``
(``user_id``) is a User standing for the invitee. ftrack's client reviews keep the notes,
annotations and approvals of invited "collaborators" who have no login of their own
("Feedback left by the collaborators on the content can be retrieved at any time",
help.ftrack.com/en/articles/1040509-managing-review-sessions); here that User is:

* the User who **claimed** the invitee (:mod:`ft_dcc.server.review.access.claims`: with their own
  API key and the invitee's own link, or by an administrator), while that User is active; else
* the invitee's own **collaborator** User: inactive (it cannot log in), of the seeded
  ``collaborator`` user type, one per invitee with an id derived from the invitee's id, made
  when the invitee first writes. Its name and e-mail are the invitee's, for display only (an
  invitee without a name writes as "Guest": no part of an address names anyone).

So typing someone's address into an invitee, or changing one's own address, re-routes nothing.
The collaborator is made just before the write and removed again when that write is refused:
a refused note leaves no row behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Protocol

from ft_dcc.protocol.feedback import own_invitee_id
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.files.filestore import FileStoreError, check_component_id
from ft_dcc.server.model.builtin_data import COLLABORATOR_USER_TYPE_ID, stable_id
from ft_dcc.server.review.reads.data import rows_of
from ft_dcc.server.store.store import Execute

#: Server-internal batches run as no user (``permissions.check_write`` lets them through).
SYSTEM = ""
#: what a collaborator User's id is derived from (with the invitee's id)
COLLABORATOR_OF = "ReviewInviteeAuthor"
#: The data actions that write (the others only read).
WRITES = ("create", "update", "delete")


class Caller(Protocol):
    """Who asks ``get_widget_url`` and how they reached the server (``api.actions.Caller``)."""

    user_id: str
    base_url: str


@dataclass(frozen=True)
class Invitee:
    id: str
    name: str
    email: str
    review_session_id: str
    #: added by a person through the session's room link (ftrack's ``created_from_shared_url``)
    from_room: bool = False

    def as_json(self) -> Dict[str, str]:
        """The ``me`` of the feedback read."""
        return {"invitee_id": self.id, "name": self.name, "email": self.email}


def query(execute: Execute, expression: str) -> List[JsonObject]:
    """The rows of one query run as the server itself."""
    return rows_of(execute([{"action": "query", "expression": expression}], SYSTEM)[0])


def load_invitee(execute: Execute, invitee_id: object) -> Optional[Invitee]:
    """The invitee ``invitee_id``, or ``None`` when there is none (or the id is not an id)."""
    try:
        ident = check_component_id(invitee_id)
    except FileStoreError:
        return None
    rows = query(
        execute,
        "select id, name, email, review_session_id, created_from_shared_url "
        f"from ReviewSessionInvitee where id is {quote(ident)}",
    )
    return invitee_of(rows[0]) if rows else None


def invitee_of(row: Mapping[str, object]) -> Invitee:
    """The :class:`Invitee` of a ``ReviewSessionInvitee`` row (its text fields as text)."""
    return Invitee(
        id=str(row["id"]),
        name=str(row.get("name") or ""),
        email=str(row.get("email") or ""),
        review_session_id=str(row.get("review_session_id") or ""),
        from_room=row.get("created_from_shared_url") is True,
    )


def collaborator_id(invitee: Invitee) -> str:
    """The id of ``invitee``'s own collaborator User (whether or not it exists yet)."""
    return stable_id(COLLABORATOR_OF, invitee.id)


def ensure_collaborator(execute: Execute, invitee: Invitee) -> bool:
    """Make ``invitee``'s collaborator User unless it exists; ``True`` when made here."""
    user_id = collaborator_id(invitee)
    found = query(execute, f"select id, user_type_id from User where id is {quote(user_id)}")
    if found:
        if found[0].get("user_type_id") != COLLABORATOR_USER_TYPE_ID:
            raise ApiOperationError(
                "This invitee's author record is not a collaborator; ask an administrator.",
                "PermissionError",
            )
        return False
    first, _, last = (invitee.name.strip() or "Guest").partition(" ")  # never the address
    data: JsonObject = {
        "__entity_type__": "User",
        "id": user_id,
        "username": f"collaborator:{invitee.id}",
        "email": invitee.email,
        "first_name": first,
        "last_name": last,
        "is_active": False,
        "resource_type": "user",
        "user_type_id": COLLABORATOR_USER_TYPE_ID,
    }
    operation: JsonObject = {"action": "create", "entity_type": "User", "entity_key": [user_id]}
    try:
        execute([dict(operation, entity_data=data)], SYSTEM)
    except ApiOperationError:
        if query(execute, f"select id from User where id is {quote(user_id)}"):
            return False  # another request (maybe another worker) made it first
        raise
    return True


def remove_collaborator(execute: Execute, user_id: str) -> None:
    """Remove a collaborator made for a write that was then refused (best effort)."""
    try:
        execute([{"action": "delete", "entity_type": "User", "entity_key": [user_id]}], SYSTEM)
    except Exception:  # another write of the same invitee may use it by now: keep it
        pass


def writing_as(execute: Execute, invitee: Invitee, author_id: str) -> Execute:
    """``execute`` that makes ``invitee``'s collaborator User just before its first write (when
    ``author_id`` is that collaborator), and removes it again when that write is refused."""
    made: List[bool] = []

    def run(operations: List[JsonObject], user_id: str) -> List[JsonObject]:
        writes = any(op.get("action") in WRITES for op in operations)
        if not writes or made or author_id != collaborator_id(invitee):
            return execute(operations, user_id)
        made.append(ensure_collaborator(execute, invitee))
        try:
            return execute(operations, user_id)
        except BaseException:
            if made[0]:
                remove_collaborator(execute, author_id)
            made.clear()
            raise

    return run


def owner_invitee_id(review_session_id: str, user_id: str) -> str:
    """The id of the invitee record that holds ``user_id``'s own verdicts in a session (given
    through their personal link; whether or not it exists yet)."""
    return own_invitee_id(review_session_id, user_id)


def own_invitee(execute: Execute, review_session_id: str, user_id: str) -> Invitee:
    """The invitee standing for ``user_id``'s own verdicts in the session, named as the User
    (not stored until :func:`ensure_own_invitee`)."""
    rows = query(execute, "select first_name, last_name, username, email from User where id is "
                 + quote(check_component_id(user_id)))  # fmt: skip
    row = rows[0] if rows else {}
    full = " ".join(str(p) for p in (row.get("first_name"), row.get("last_name")) if p)
    name = full or str(row.get("username") or "")
    email = str(row.get("email") or "")
    return Invitee(owner_invitee_id(review_session_id, user_id), name, email, review_session_id)


def ensure_own_invitee(execute: Execute, invitee: Invitee, user_id: str) -> None:
    """Store ``invitee`` (of :func:`own_invitee`) unless it exists: a User's verdict needs an
    invitee to name, as ftrack's ``ReviewSessionObjectStatus`` does."""
    if query(execute, f"select id from ReviewSessionInvitee where id is {quote(invitee.id)}"):
        return
    data: JsonObject = {
        "__entity_type__": "ReviewSessionInvitee",
        "id": invitee.id,
        "name": invitee.name,
        "email": invitee.email,
        "review_session_id": invitee.review_session_id,
        "created_by_id": user_id,
        "created_from_shared_url": False,
    }
    operation: JsonObject = {"action": "create", "entity_type": "ReviewSessionInvitee"}
    try:
        execute([dict(operation, entity_key=[invitee.id], entity_data=data)], SYSTEM)
    except ApiOperationError:
        found = f"select id from ReviewSessionInvitee where id is {quote(invitee.id)}"
        if not query(execute, found):
            raise  # not made by a racing request of the same User: a real refusal
