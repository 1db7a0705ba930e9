"""A session's export from the desk: one CSV row per note (an item without notes: one row), in
the session's order, each with its shot, version, task, status and the verdicts: the studio's
internal ones and, beside them, the clients' (``ft_dcc.server.review.reads.sight``); and per note
what it is (to-do, comment, reply), where a to-do stands (open, addressed) and which version
addressed it (``ft_dcc.protocol.note_state``). The desk is the studio's: its readers see every
note (a client has no desk)."""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Dict, List
from urllib.parse import quote

from ft_dcc.protocol.feedback import NoteFacts, current_statuses, feedback_notes
from ft_dcc.protocol.note_state import addressed_by, note_kind, note_state
from ft_dcc.protocol.query_text import quote as quote_text
from ft_dcc.protocol.review_status import verdict_word
from ft_dcc.server.desk.reads import DeskReads
from ft_dcc.server.review.access.viewer import INVITEE_FIELDS, kinds_of

COLUMNS = (
    "order",
    "item",
    "shot",
    "asset",
    "version",
    "task",
    "status",
    "verdicts",
    "client verdicts",
    "frame",
    "note",
    "author",
    "kind",
    "state",
    "addressed by",
)


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text (never runs it as a formula)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def download_name(session_name: str, suffix: str) -> str:
    """A ``Content-Disposition`` naming the download after the session ("Client review
    wk49.csv"): a plain ASCII name for every browser, the exact one (``filename*``) for those
    that read it."""
    plain = re.sub(r"[^A-Za-z0-9 ._-]+", "_", session_name).strip(" ._") or "review session"
    exact = quote(f"{session_name.strip() or plain}{suffix}", safe="")
    return f"attachment; filename=\"{plain[:120]}{suffix}\"; filename*=UTF-8''{exact}"


def export_csv(reads: DeskReads, review_session_id: str) -> str:
    items = reads.items(review_session_id)
    ids = [i["id"] for i in items]
    notes = feedback_notes(reads.ask, ids)
    [invitees] = reads.ask([
        f"select {INVITEE_FIELDS} from ReviewSessionInvitee "
        f"where review_session_id is {quote_text(review_session_id)}"
    ])  # fmt: skip
    studio = set(kinds_of(invitees, review_session_id)["studio"])
    verdicts: Dict[str, List[str]] = {}
    clients: Dict[str, List[str]] = {}
    for fact in current_statuses(reads.ask, ids):
        (verdicts if fact.invitee_id in studio else clients).setdefault(fact.object_id, []).append(
            f"{fact.reviewer or fact.email}: {verdict_word(fact.status)}"
        )
    answers: Dict[str, List[NoteFacts]] = {}  # a note's replies, oldest first
    for written in sorted(notes, key=lambda n: str(n.date)):
        answers.setdefault(written.in_reply_to_id or "", []).append(written)
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
            "; ".join(clients.get(item["id"], [])),
        ]
        mine = sorted(
            (n for n in notes if n.parent_id == item["id"]),
            key=lambda n: (n.frame is None, n.frame or 0, str(n.date)),
        )
        lines: List[List[object]] = [[n.frame, n.content, n.author, *_state(n, answers)]
                                     for n in mine]  # fmt: skip
        for extra in lines or [["", "", "", "", "", ""]]:
            writer.writerow([safe_cell(cell) for cell in base + extra])
    return out.getvalue()


def _state(note: NoteFacts, answers: Dict[str, List[NoteFacts]]) -> List[str]:
    """``note``'s kind, state and the version that addressed it (from its replies)."""
    replies = answers.get(note.id, [])
    return [
        note_kind(note.is_todo, note.in_reply_to_id),
        note_state(note.is_todo, note.in_reply_to_id, note.completed_at),
        addressed_by(
            note.completed_at, note.completed_by_id, [(r.content, r.author_id) for r in replies]
        ),
    ]
