"""Each desk item's notes in a few words: its to-dos open and addressed and its comments
(``ft_dcc.protocol.note_state``), read with the session view in one query (the notes of the
session's review objects; replies not counted). The desk is the studio's: every note counts."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Sequence

from ft_dcc.protocol.note_state import ADDRESSED, COMMENT, OPEN, TODO, note_kind, note_state
from ft_dcc.protocol.query_text import quote

#: the counts an item carries (``item["notes"]``), in the order the desk shows them
KEYS = (OPEN, ADDRESSED, COMMENT)


def notes_query(review_session_id: str) -> str:
    """The session's notes, as the desk counts them (one query)."""
    return (
        "select id, parent_id, is_todo, completed_at, in_reply_to_id from Note where parent_id "
        "in (select id from ReviewSessionObject where review_session_id is "
        f"{quote(review_session_id)})"
    )


def count_notes(rows: Sequence[Mapping[str, Any]]) -> Dict[str, Dict[str, int]]:
    """Per review object id: ``{"open": n, "addressed": n, "comment": n}``."""
    counts: Dict[str, Dict[str, int]] = {}
    for row in rows:
        kind = note_kind(row.get("is_todo"), row.get("in_reply_to_id"))
        if kind not in (TODO, COMMENT):
            continue
        key = note_state(row.get("is_todo"), None, row.get("completed_at")) or COMMENT
        mine = counts.setdefault(str(row.get("parent_id")), dict.fromkeys(KEYS, 0))
        mine[key] += 1
    return counts
