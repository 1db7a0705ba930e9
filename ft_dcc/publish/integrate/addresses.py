"""The notes a new version addresses (``ft-dcc publish --addresses NOTE_ID ...``).

A reviewer's note is an ftrack to-do (``Note.is_todo``) on one of the task's versions or on its
review-session object (where the review page stores it). The publish names the open ones the new
version answers; they are read in the publish's one planned read (no request of their own), an
id that is not an open to-do of the task is refused by name before anything is written, and the
version's own commit completes each (``completed_at``, ``completed_by`` = the publisher) and
answers it with a reply naming the new version (a reply, not a to-do).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import attr

from ft_dcc.exceptions import PublishError
from ft_dcc.protocol.note_state import addressed_reply
from ft_dcc.protocol.query_text import quote, quoted_list
from ft_dcc.review.sessions import derived_id

Query = Tuple[str, str]  # (what, expression), as the planned read's

#: where ftrack keeps a version's notes: on the version, or on its review-session objects
NOTE_PARENTS = ("AssetVersion", "ReviewSessionObject")


@attr.s(auto_attribs=True, kw_only=True)
class AddressedView:
    """What the planned read found of the notes a publish addresses."""

    notes: Dict[str, Any] = attr.Factory(dict)  # note id -> its row
    parents: Set[str] = attr.Factory(set)  # ids of the task's versions and their review objects
    publisher_id: Optional[str] = None  # the publishing User's id


def address_queries(task_id: str, note_ids: Sequence[str], api_user: Optional[str]) -> List[Query]:
    """The planned read's queries for ``note_ids`` (none when there are none)."""
    if not note_ids:
        return []
    queries = [
        (
            "addressed",
            "select id, content, is_todo, completed_at, parent_id, parent_type "
            f"from Note where id in ({quoted_list(list(note_ids))})",
        ),
        ("task_versions", f"select id from AssetVersion where task_id is {quote(task_id)}"),
        (
            "task_objects",
            f"select id from ReviewSessionObject where asset_version.task_id is {quote(task_id)}",
        ),
    ]
    if api_user:
        queries.append(("publisher", f"select id from User where username is {quote(api_user)}"))
    return queries


def addressed_view(rows: Dict[str, List[Any]]) -> AddressedView:
    view = AddressedView(notes={str(r["id"]): r for r in rows.get("addressed", [])})
    view.parents = {
        str(r["id"]) for what in ("task_versions", "task_objects") for r in rows.get(what, [])
    }
    publisher = rows.get("publisher") or []
    view.publisher_id = str(publisher[0]["id"]) if publisher else None
    return view


def _why_not(note_id: str, view: AddressedView) -> Optional[str]:
    note = view.notes.get(note_id)
    if note is None:
        return "no such note"
    if str(note["parent_id"] or "") not in view.parents:
        return "not a note on this task's versions"
    if not note["is_todo"]:
        return "a comment or reply, not a to-do"
    if note["completed_at"]:
        return "already addressed"
    return None


def check_addresses(note_ids: Sequence[str], view: AddressedView, task_label: str) -> None:
    """Refuse, naming each, the ids that are not open to-dos of the task (nothing is written)."""
    wrong = [(i, _why_not(i, view)) for i in note_ids]
    wrong = [(i, why) for i, why in wrong if why]
    if wrong:
        listed = "; ".join(f"{i}: {why}" for i, why in wrong)
        raise PublishError(
            f"--addresses names notes that are not open to-dos of {task_label}: {listed}; "
            "nothing was written",
            hint=f"list the open ones with: ft-dcc review notes --task {task_label} --open",
        )
    if note_ids and view.publisher_id is None:
        raise PublishError(
            "--addresses: the publishing user was not found on the server; nothing was written",
            hint="check FTRACK_API_USER",
        )


def reply_id(version_id: str, note_id: str) -> str:
    """The reply's id: the same for a replay of the same publish (nothing made twice)."""
    return derived_id("Note", "addressed", version_id, note_id)


def address_operations(
    note_ids: Sequence[str], view: AddressedView, version_id: str, version_name: str
) -> List[Dict[str, Any]]:
    """The commit's operations: each note completed by the publisher and answered."""
    now = _dt.datetime.now(_dt.timezone.utc)
    operations: List[Dict[str, Any]] = []
    for note_id in note_ids:
        note = view.notes[note_id]
        operations.append({
            "action": "update",
            "entity_type": "Note",
            "entity_key": [note_id],
            "entity_data": {"__entity_type__": "Note", "completed_at": now,
                            "completed_by_id": view.publisher_id},
        })  # fmt: skip
        ident = reply_id(version_id, note_id)
        reply = {
            "__entity_type__": "Note", "id": ident, "content": addressed_reply(version_name),
            "parent_id": note["parent_id"], "parent_type": note["parent_type"],
            "in_reply_to_id": note_id, "is_todo": False, "user_id": view.publisher_id,
        }  # fmt: skip
        operations.append(
            {"action": "create", "entity_type": "Note", "entity_key": [ident], "entity_data": reply}
        )
    return operations
