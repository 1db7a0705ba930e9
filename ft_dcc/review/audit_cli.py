"""``ft-dcc review audit NAME [--project P] [--since ISO] [--format text|csv|jsonl] [--verify]``:
a review session's audit trail (stdlib-only imports at top).

The embedded server keeps it (its ``/api`` action ``ft_dcc.audit``, for those who manage the
session: its creator, its project's Supervisors and Project Managers, administrators). The
entries go to stdout (oldest first); which server was read and the
chain check go to stderr, so the output can be piped as it is. ``--verify`` walks the session's
whole hash chain and exits 1 when an entry was edited or removed.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import TYPE_CHECKING, Dict, Iterator, List, Mapping, Optional

if TYPE_CHECKING:
    from ft_dcc.session.interface import EntityLike, PublishSession

ACTION = "ft_dcc.audit"
#: the CSV columns (``detail`` as JSON)
COLUMNS = ("seq", "time", "act", "who", "review_session_id", "source", "detail", "prev_hash",
           "hash")  # fmt: skip
Entry = Mapping[str, object]


def _target(session: PublishSession, args: argparse.Namespace) -> EntityLike:
    from ft_dcc.review.names import find_project, resolve_session

    project = find_project(session, args.project) if args.project else None
    return resolve_session(session, args.name, project)


def _pages(session: PublishSession, operation: Dict[str, object]) -> Iterator[Dict[str, object]]:
    """Every reply page of ``operation`` (``after`` moves on while the server says more)."""
    from ft_dcc.exceptions import ServerError

    while True:
        try:
            reply = session.call([operation])[0]
        except ServerError as exc:
            if "Invalid action" in exc.message:
                raise ServerError(
                    f"this server keeps no review audit trail ({ACTION} is an ft-dcc server "
                    "action)",
                    hint="read it on the embedded ft-dcc server that served the review",
                ) from None
            raise
        if not isinstance(reply, dict):
            from ft_dcc.exceptions import UnexpectedReplyError

            raise UnexpectedReplyError(f"the server answered {ACTION} with {type(reply).__name__}")
        yield reply
        if reply.get("next_after") is None:
            return
        operation = dict(operation, after=reply["next_after"], verify=False)


def text_line(entry: Entry) -> str:
    detail = json.dumps(entry.get("detail") or {}, sort_keys=True, default=str)
    return f"{entry['seq']:>6} {entry['time']} {entry['act']:<17} {entry['who']:<24} " \
           f"{entry['source']:<16} {detail}"  # fmt: skip


def write_entries(entries: List[Entry], fmt: str) -> None:
    """``entries`` on stdout in ``fmt``: ``text``, ``csv`` or ``jsonl`` (the parser's choices)."""
    if fmt == "jsonl":
        for entry in entries:
            sys.stdout.write(json.dumps(entry, sort_keys=True, default=str) + "\n")
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        for entry in entries:
            detail = json.dumps(entry.get("detail") or {}, sort_keys=True, default=str)
            row = dict(entry, detail=detail)
            writer.writerow([row.get(column) for column in COLUMNS])
    else:
        for entry in entries:
            sys.stdout.write(text_line(entry) + "\n")


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")


def _verdict(checked: Optional[Mapping[str, object]]) -> int:
    if not checked:
        return 0
    if checked.get("ok"):
        _say(f"  chain verified: {checked.get('checked')} entries, head {checked.get('head')}")
        return 0
    _say(f"  chain BROKEN at entry {checked.get('broken_seq')}: {checked.get('reason')}")
    return 1


def run_audit(args: argparse.Namespace) -> int:
    from ft_dcc.session import Session

    with Session() as session:
        target = _target(session, args)
        operation: Dict[str, object] = {"action": ACTION, "review_session_id": target["id"]}
        if args.since:
            operation["since"] = args.since
        if args.verify:
            operation["verify"] = True
        entries: List[Entry] = []
        checked = None
        for reply in _pages(session, operation):
            page = reply.get("entries")
            if isinstance(page, list):
                entries.extend(e for e in page if isinstance(e, dict))
            checked = checked or reply.get("verify")
        server = str(session.server_url).rstrip("/")
    write_entries(entries, args.audit_format)
    _say(f"Audit trail of {target['name']!r}: {len(entries)} entries, read from the ftrack "
         f"server at {server}")  # fmt: skip
    return _verdict(checked if isinstance(checked, dict) else None)
