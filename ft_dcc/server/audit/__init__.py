"""The review audit trail: an append-only, tamper-evident record of who did what to a review.

:func:`record` adds one entry (acts in :data:`ACTS`; ``who``: ``user:<id>``, ``invitee:<id>``
or ``room``; ``source``: the client's address). Each session's entries form a hash chain
(:mod:`ft_dcc.server.audit.chain`). Nothing secret is kept: detail keys naming a token, key,
passphrase, password, secret or cookie lose their value, and such URL parameters are cut out
of every text.
"""

from __future__ import annotations

from typing import Mapping, Optional

from ft_dcc.server.audit.chain import Verdict, verify
from ft_dcc.server.audit.entry import ACTS, Entry, check_act, clean_detail, scrub_text
from ft_dcc.server.audit.table import TABLE, append, audit_table, entries, now_text
from ft_dcc.server.model.parts import StoreParts

__all__ = ["ACTS", "TABLE", "Entry", "Verdict", "audit_table", "entries", "record", "verify"]


def record(
    store: StoreParts,
    act: str,
    *,
    who: str,
    review_session_id: Optional[str],
    source: str,
    detail: Optional[Mapping[str, object]] = None,
) -> None:
    """Append one entry to the trail (call it after the act's own write has committed: on
    PostgreSQL the append waits for the shared write lock)."""
    check_act(act, who)
    append(
        store,
        {
            "time": now_text(),
            "act": act,
            "who": who,
            "review_session_id": None if review_session_id is None else str(review_session_id),
            "source": scrub_text(str(source or "unknown"))[:200],
            "detail": clean_detail(detail),
        },
    )
