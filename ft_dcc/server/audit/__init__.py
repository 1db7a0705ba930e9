"""The review audit trail: an append-only, tamper-evident record of who did what to a review.

:func:`record` adds one entry (acts in :data:`ACTS`; ``who``: ``user:<id>``, ``invitee:<id>``
or ``room``; ``source``: the client's address). Each session's entries form a hash chain
(:mod:`ft_dcc.server.audit.chain`). Nothing secret is kept: detail keys naming a token, key,
passphrase, password, secret or cookie lose their value, and such URL parameters are cut out
of every text.
"""

from __future__ import annotations

import logging
from typing import (
    TYPE_CHECKING,
    Callable,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    TypedDict,
)

from ft_dcc.server.audit.cap import COUNTED, Counted, cap_of
from ft_dcc.server.audit.chain import Verdict, verify
from ft_dcc.server.audit.changes import acts_of
from ft_dcc.server.audit.entry import ACTS, Entry, check_act, clean_detail, scrub_source
from ft_dcc.server.audit.held import HeldWriter
from ft_dcc.server.audit.source import SERVER, current_source, set_source
from ft_dcc.server.audit.table import TABLE, append, append_all, audit_table, now_text
from ft_dcc.server.audit.table import entries as table_entries
from ft_dcc.server.model.parts import StoreParts
from ft_dcc.server.rules.registry import Change

if TYPE_CHECKING:  # pragma: no cover - Unpack is typing's from Python 3.11
    from typing_extensions import Unpack

log = logging.getLogger(__name__)

__all__ = [
    "ACTS", "TABLE", "Entry", "EntryFields", "Verdict", "audit_table", "current_source", "entries",
    "record", "record_after", "record_all_after", "record_changes", "set_source", "verify",
    "write_held_counts",
]  # fmt: skip


class _EntryFields(TypedDict):
    who: str
    review_session_id: Optional[str]
    source: str


class EntryFields(_EntryFields, total=False):
    """What one entry says besides its act (``detail`` optional), as :func:`record` and
    :func:`record_after` take it by keyword."""

    detail: Optional[Mapping[str, object]]


def record(store: StoreParts, act: str, **entry: Unpack[EntryFields]) -> None:
    """Append one entry to the trail (call it after the act's own write has committed: on
    PostgreSQL the append waits for the shared write lock). A repeated act past its grant's
    rows of the minute is counted instead (:mod:`ft_dcc.server.audit.cap`)."""
    check_act(act, entry["who"])
    review_session_id = entry["review_session_id"]
    session = None if review_session_id is None else str(review_session_id)
    own_row, due = cap_of(store).admit(session, entry["who"], act)
    _append_counted(store, due)
    if own_row:
        _append(store, act, entry["who"], session, entry["source"], entry.get("detail"))


def record_all_after(
    store: StoreParts, act: str, details: Sequence[Mapping[str, object]],
    **entry: Unpack[EntryFields],
) -> bool:  # fmt: skip
    """:func:`record_after` of one act done several times at once (the desk adding 50 versions):
    an entry per detail, in order, written in one transaction."""
    try:
        check_act(act, entry["who"])
        review_session_id = entry["review_session_id"]
        session = None if review_session_id is None else str(review_session_id)
        rows = []
        for detail in details:
            own_row, due = cap_of(store).admit(session, entry["who"], act)
            rows += [_fields(COUNTED, c.who, c.review_session_id, SERVER, c.detail) for c in due]
            if own_row:
                rows.append(_fields(act, entry["who"], session, entry["source"], detail))
        append_all(store, rows)
    except Exception:
        log.exception("could not add %s of review session %s to the audit trail", act,
                      str(entry["review_session_id"])[:64])  # fmt: skip
        return False
    return True


def _fields(act: str, who: str, session: Optional[str], source: object,
            detail: Optional[Mapping[str, object]]) -> Dict[str, object]:  # fmt: skip
    return {
        "time": now_text(),
        "act": act,
        "who": who,
        "review_session_id": session,
        "source": scrub_source(source),
        "detail": clean_detail(detail),
    }


def _append(store: StoreParts, act: str, who: str, session: Optional[str], source: object,
            detail: Optional[Mapping[str, object]]) -> None:  # fmt: skip
    append(store, _fields(act, who, session, source, detail))


def _append_counted(store: StoreParts, due: Sequence[Counted]) -> None:
    for counted in due:
        _append(store, COUNTED, counted.who, counted.review_session_id, SERVER, counted.detail)


def write_held_counts(store: StoreParts) -> Callable[[], None]:
    """Write the counts this process holds for ``store``'s trail as their minutes end (a
    thread, :mod:`ft_dcc.server.audit.held`); the function that stops it and writes every
    count still held (call it when the server closes, before the store is disposed)."""
    return HeldWriter(cap_of(store), lambda due: _append_counted(store, due)).stop


def entries(
    store: StoreParts,
    review_session_id: Optional[str],
    since: Optional[str] = None,
    after: int = 0,
    limit: Optional[int] = None,
) -> Iterator[Entry]:
    """The session's entries in order (:func:`ft_dcc.server.audit.table.entries`), the counts
    this process holds for it written first."""
    _append_counted(store, cap_of(store).flush(review_session_id))
    return table_entries(store, review_session_id, since, after, limit)


def record_after(store: StoreParts, act: str, **entry: Unpack[EntryFields]) -> bool:
    """:func:`record` for an act that has already happened (committed): a trail that cannot be
    written is logged as an error and the act stands; whether the entry was added."""
    try:
        record(store, act, **entry)
    except Exception:
        log.exception("could not add %s of review session %s to the audit trail", act,
                      str(entry["review_session_id"])[:64])  # fmt: skip
        return False
    return True


def record_changes(store: StoreParts, changes: Sequence[Change], user_id: str) -> None:
    """The entries of a committed batch (:mod:`ft_dcc.server.audit.changes`), by ``user_id`` (or
    ``server`` when no user made it) from the current request's source: written together, in
    order, in one transaction (an import of 400 sessions is one append, not 400). A trail that
    cannot be written is logged as an error and the batch stands (:func:`record_after`)."""
    who = f"user:{user_id}" if user_id else "server"  # no user: the server's own write
    source = current_source()
    rows: List[Dict[str, object]] = []
    try:
        for act, review_session_id, detail in acts_of(changes):
            check_act(act, who)
            session = None if review_session_id is None else str(review_session_id)
            own_row, due = cap_of(store).admit(session, who, act)
            rows += [_fields(COUNTED, c.who, c.review_session_id, SERVER, c.detail) for c in due]
            if own_row:
                rows.append(_fields(act, who, session, source, detail))
        append_all(store, rows)
    except Exception:
        log.exception("could not add a batch's %d entries to the audit trail", len(rows))
