"""The session's view a desk write answers with, made from the view read before the write and what
the write did, instead of reading the session again after it (on PostgreSQL that re-read was a
transaction and nine statements through the worker, and a third of the write's CPU).

The view read before (``DeskReads.session_view_and_settings``) is the session as the write found
it, in the write's first batch; adding puts the items made after it (each with the place the
server gave it, its labelled version and no notes: a new item has none), removing takes the
items away. The session, its rules, invitees and cut are the same before and after: adding or
removing versions changes none of them. A change someone else made between that read and the
write shows at the page's next read, as any change of theirs does."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Set, Tuple

from ft_dcc.server.desk.note_counts import KEYS
from ft_dcc.server.desk.reads import Row, item_row

#: a session's view (``session_view``) and its ``review`` settings (name -> value)
ViewRead = Tuple[Row, Dict[str, object]]


def after_adding(read: ViewRead, made: Iterable[Tuple[Mapping[str, Any], Row]]) -> ViewRead:
    """``read`` with the items ``made`` (each the created item's reply data — ``id``,
    ``name``, ``sort_order`` — and its labelled version) after the others, in ``sort_order``."""
    view, settings = read
    items: List[Row] = list(view["items"])
    for data, version in made:
        items.append(dict(item_row(data, version), notes=dict.fromkeys(KEYS, 0)))
    items.sort(key=_place)
    return dict(view, items=items, total=len(items)), settings


def after_removing(read: ViewRead, gone: Set[str]) -> ViewRead:
    """``read`` without the items ``gone``."""
    view, settings = read
    items = [item for item in view["items"] if str(item["id"]) not in gone]
    return dict(view, items=items, total=len(items)), settings


def _place(item: Mapping[str, Any]) -> Tuple[bool, int, str]:
    """The order of ``reads.items_of``: by ``sort_order`` (none last), then name."""
    order = item.get("sort_order")
    return order is None, int(order or 0), str(item.get("name") or "")
