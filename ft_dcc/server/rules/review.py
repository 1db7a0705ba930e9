"""What a review session allows, for every client (the review page and the ``/api`` alike).

* **Closed**: a ``ReviewSession`` whose ``end_date`` has passed (``is_open`` false;
  ``ft_dcc.review.close_review_session`` sets it to now) takes nothing new: creating a
  ``ReviewSessionObject`` (or moving one into it), a ``Note`` on one of its objects (a drawing
  is such a note), a ``NoteComponent`` on such a note or a ``ReviewSessionObjectStatus`` (or
  changing one) fails the whole batch with ftrack's ``PermissionError``; so does taking an
  item out of it (deleting a ``ReviewSessionObject``, or moving it into another session), for
  everyone, administrators too: reopen it first. Deleting the closed session itself, or its
  project, deletes it with its items.
  :func:`check_review_rules` runs at the end of every batch, inside its transaction, so it
  holds on every backend and every worker. A session created in the same batch is exempt (a
  past session may be recorded whole).
* **Private**: ``shareable_url_enabled`` false (``ft_dcc.review.make_private``). Its page and
  media open only to its invitees' links and to links made by users who may manage it.
* **Managing** a session (minting invitee links, a link to a private session, changing or
  reopening it, presenting, approving) is for its creator, administrators, and the Supervisors
  and Project Managers of its project (:mod:`ft_dcc.server.rules.review_rights`).
"""

from __future__ import annotations

import datetime as dt
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ft_dcc.server.common.errors import SessionClosed
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.query.values import StoredRow
from ft_dcc.server.rules.permissions import ADMINISTRATOR, role_of
from ft_dcc.server.rules.registry import REVIEW_ORDER, BatchView, Change, Operation, Rule
from ft_dcc.server.rules.review_rights import manages_session

#: what a closed session refuses: entity type -> actions (an update counts when it moves the
#: row: changes one of ``MOVES``)
GUARDED = {
    "ReviewSessionObject": ("add", "update", "remove"),
    "Note": ("add",),
    "NoteComponent": ("add",),
    "ReviewSessionObjectStatus": ("add", "update"),
}
#: the attributes whose change moves a row into another session (or onto another item)
MOVES = {
    "ReviewSessionObject": ("review_session_id", "review_session"),
}


def _row(batch: BatchView, type_name: str, ident: object) -> Optional[StoredRow]:
    if not ident:
        return None
    return batch.load(batch.model.types[type_name], (str(ident),))  # the batch's reads kept


def _id(value: object) -> Optional[str]:
    """A stored id column's value (``None`` when empty)."""
    return str(value) if value else None


def _session_id_of(batch: BatchView, type_name: str, row: Mapping[str, object]) -> Optional[str]:
    """The ReviewSession a review object, status, note or note component belongs to."""
    if type_name == "ReviewSessionObject":
        return _id(row.get("review_session_id"))
    if type_name == "ReviewSessionObjectStatus":
        parent = _row(batch, "ReviewSessionObject", row.get("review_session_object_id"))
    elif type_name == "Note":
        parent = _row(batch, "ReviewSessionObject", row.get("parent_id"))
    else:  # NoteComponent
        note = _row(batch, "Note", row.get("note_id"))
        return _session_id_of(batch, "Note", note) if note else None
    return _id(parent.get("review_session_id")) if parent else None


def now() -> dt.datetime:
    """The time sessions are held open or closed at (naive UTC, as stored); tests replace it."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def is_closed(end_date: object, now: dt.datetime) -> bool:
    """Whether a stored ``end_date`` (naive UTC, as the Store keeps it) has passed at ``now``."""
    if not isinstance(end_date, dt.datetime):
        return False
    if end_date.tzinfo is not None:
        end_date = end_date.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return end_date <= now


class ClosedSessionRule(Rule):
    """A closed review session takes nothing new (checked on the batch's final state)."""

    name = "closed review sessions"
    order = REVIEW_ORDER

    def check_batch(self, batch: BatchView, operations: Sequence[Operation]) -> None:
        check_review_rules(batch, operations)


def check_review_rules(batch: BatchView, operations: Sequence[Operation]) -> None:
    """Refuse a batch that adds to (or changes a status of) a closed review session, or takes
    an item out of one (deletes it, or moves it into another session). A session the batch
    deletes (itself, or with its project) goes with its items."""
    # A session created in this batch is being set up (e.g. a past session recorded whole): only
    # sessions that existed before the batch are held closed.
    checked: Dict[str, bool] = {
        str(c.get("entity_id")): False
        for c in batch.changes
        if c.get("entity_type") == "ReviewSession" and c.get("action") == "add"
    }
    for change in batch.changes:
        type_name = change.get("entity_type")
        action = change.get("action")
        if action not in GUARDED.get(str(type_name), ()):
            continue
        moves = MOVES.get(str(type_name))
        moved = set(change.get("keys") or ()) & set(moves or ())
        if action == "update" and not moved:
            continue
        etype = batch.model.types[str(type_name)]
        touched: List[Tuple[Optional[str], str]] = []  # (session, what it would do to it)
        if action == "remove":  # its session: the parent its change names (read before)
            touched.append((_removed_from(change), "removed from"))
        else:
            row = batch.load(etype, tuple(change.get("entity_key") or ()))
            session_id = _session_id_of(batch, etype.name, row) if row is not None else None
            touched.append((session_id, "added to"))
        if action == "update":  # the session it leaves
            changed = change.get("changes") or {}
            touched += [(_id(changed[name].get("old")), "removed from")
                        for name in sorted(moved) if name in changed]  # fmt: skip
        for session_id, verb in touched:
            if not session_id or session_id in checked:
                continue
            session = _row(batch, "ReviewSession", session_id)  # None: deleted in the batch
            checked[session_id] = session is not None and is_closed(session.get("end_date"),
                                                                     now())  # fmt: skip
            if session is not None and checked[session_id]:
                verb_action = "delete" if action == "remove" else str(action)
                raise _closed(session, verb).at(_index(operations, etype.name), verb_action,
                                                etype.name)  # fmt: skip


def _removed_from(change: Change) -> Optional[str]:
    """The session a removed item was in: its change's parent (read before it was deleted)."""
    parents = change.get("parents") or []
    if parents and parents[0].get("entity_type") == "ReviewSession":
        return _id(parents[0].get("entity_id"))
    return None


def _closed(session: Mapping[str, object], verb: str = "added to") -> SessionClosed:
    ended = session.get("end_date")
    when = ended.strftime("%Y-%m-%d %H:%M UTC") if isinstance(ended, dt.datetime) else "already"
    return SessionClosed(
        f"ReviewSession '{session.get('name')}' is closed (it ended {when}); nothing can be "
        f"{verb} it. Reopen it first (ft-dcc review reopen, or set a later end_date)."
    )


def _index(operations: Sequence[Operation], type_name: str) -> int:
    for index, operation in enumerate(operations):
        if isinstance(operation, dict) and operation.get("entity_type") == type_name:
            return index
    return max(0, len(operations) - 1)


# -- private sessions and who manages them ------------------------------------------------------
def is_private(session: Mapping[str, object]) -> bool:
    """A session whose shareable link is off: only invitees and its managers get in."""
    return session.get("shareable_url_enabled") is False


def manages(store: StoreParts, user_id: object, session_id: Optional[str]) -> bool:
    """Whether ``user_id`` manages review session ``session_id``: an administrator, its
    creator, or a Supervisor / Project Manager of its project
    (:func:`ft_dcc.server.rules.review_rights.manages_session`). With no session (``None``: a
    deleted one) only an administrator does."""
    if not isinstance(user_id, str) or not user_id:
        return False
    with store.engine.connect() as connection:
        if not session_id:
            return role_of(store, connection, user_id) == ADMINISTRATOR
        return manages_session(connection, store, user_id, session_id)
