"""Check a session's chain: each entry's hash over its fields, each ``prev_hash`` the hash of
the entry before it (the first: :data:`GENESIS`). An edited entry breaks its own hash; a removed
one breaks the ``prev_hash`` of the entry after it. (Removing the newest entries leaves a valid
shorter chain: compare the head hash with one kept elsewhere.)"""

from __future__ import annotations

from typing import Iterable, Optional, TypedDict

from ft_dcc.server.audit.entry import GENESIS, Entry, entry_hash


class Verdict(TypedDict):
    """The check of a chain: ``ok``, entries checked, the first broken entry's seq and why,
    and the hash of the last entry (the head)."""

    ok: bool
    checked: int
    broken_seq: Optional[int]
    reason: Optional[str]
    head: str


def verify(entries: Iterable[Entry]) -> Verdict:
    """Walk ``entries`` (one session's, in order from its first); report the first broken."""
    previous, checked = GENESIS, 0
    for entry in entries:
        checked += 1
        if entry["prev_hash"] != previous:
            return _broken(entry, checked, "its prev_hash is not the hash of the entry before "
                           "it (an entry before it was removed or changed)")  # fmt: skip
        if entry_hash(dict(entry)) != entry["hash"]:
            return _broken(entry, checked, "its fields do not match its hash (it was edited)")
        previous = entry["hash"]
    return Verdict(ok=True, checked=checked, broken_seq=None, reason=None, head=previous)


def _broken(entry: Entry, checked: int, reason: str) -> Verdict:
    return Verdict(ok=False, checked=checked, broken_seq=entry["seq"], reason=reason,
                   head=entry["hash"])  # fmt: skip
