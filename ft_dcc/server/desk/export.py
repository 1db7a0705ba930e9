"""A session's export from the desk: one CSV row per note (an item without notes: one row), in
the session's order, each with its shot, version, task, status and the reviewers' verdicts."""

from __future__ import annotations

import csv
import io
from typing import Any, Dict, List

from ft_dcc.protocol.feedback import current_statuses, feedback_notes
from ft_dcc.server.desk.reads import DeskReads

COLUMNS = (
    "order",
    "item",
    "shot",
    "asset",
    "version",
    "task",
    "status",
    "verdicts",
    "frame",
    "note",
    "author",
)


def _safe(value: object) -> str:
    """A cell a spreadsheet shows as text (never runs it as a formula)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(reads: DeskReads, review_session_id: str) -> str:
    items = reads.items(review_session_id)
    ids = [i["id"] for i in items]
    notes = feedback_notes(reads.ask, ids)
    verdicts: Dict[str, List[str]] = {}
    for fact in current_statuses(reads.ask, ids):
        verdicts.setdefault(fact.object_id, []).append(
            f"{fact.reviewer or fact.email}: {fact.status}"
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for place, item in enumerate(items, 1):
        version: Dict[str, Any] = item["version"]
        base = [
            place,
            item["label"],
            version.get("shot"),
            version.get("asset"),
            version.get("number"),
            version.get("task"),
            version.get("status"),
            "; ".join(verdicts.get(item["id"], [])),
        ]
        mine = sorted(
            (n for n in notes if n.parent_id == item["id"]),
            key=lambda n: (n.frame is None, n.frame or 0, str(n.date)),
        )
        lines: List[List[object]] = [[n.frame, n.content, n.author] for n in mine]
        for extra in lines or [["", "", ""]]:
            writer.writerow([_safe(cell) for cell in base + extra])
    return out.getvalue()
