"""``ft-dcc review audit NAME [--project P] [--since ISO] [--format text|csv|jsonl] [--verify]``:
a review session's audit trail (stdlib-only imports at top).

The embedded server keeps it (its ``/api`` action ``ft_dcc.audit``, for administrators and the
session's creator). The entries go to stdout (oldest first); which server was read and the
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
FORMATS = ("text", "csv", "jsonl")
#: the CSV columns (``detail`` as JSON)
COLUMNS = ("seq", "time", "act", "who", "review_session_id", "source", "detail", "prev_hash",
           "hash")  # fmt: skip
Entry = Mapping[str, object]


def add_audit_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``ft-dcc review audit`` on the ``review`` command's sub-parsers."""
    audit = sub.add_parser(
        "audit",
        help="who opened, watched, downloaded, noted and approved what (administrators and the "
        "session's creator)",
        description="Prints the review session's audit trail, oldest first: link opened, "
        "passphrase failed/passed, media played/downloaded, note, drawing, verdict, presenter, "
        "link revoked, session changed, access refused; with who, when (UTC) and from where. "
        "Only the embedded ft-dcc server keeps one.",
    )
    audit.add_argument(
        "name", metavar="NAME", help='the review session\'s name (quote it: "Dailies 2026-11-22")'
    )
    audit.add_argument("--project", help="the project (name or id), when several have NAME")
    audit.add_argument("--since", metavar="ISO", help="only entries at or after this UTC time")
    audit.add_argument(
        "--format",
        dest="audit_format",
        choices=FORMATS,
        default="text",
        help="text (default), csv or jsonl (one JSON object a line)",
    )
    audit.add_argument(
        "--verify",
        action="store_true",
        help="check the hash chain; exit 1 if an entry was edited or removed",
    )
    audit.set_defaults(handler=run_audit)


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
    """``entries`` on stdout in ``fmt`` (:data:`FORMATS`)."""
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
