"""``ft-dcc review list|create|update|revoke|close|reopen|add|remove|order|invite|link|open|
feedback|export|cut``
(stdlib-only imports at top).

Review sessions from the terminal, on ftrack's real entities and standard API calls only, so
the same commands work against a real ftrack server (``FTRACK_SERVER``) and the embedded one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, List, Optional

from ft_dcc.commands_base import Command, Group, arg
from ft_dcc.protocol.client_review import DOWNLOADS  # stdlib only: the --downloads choices

if TYPE_CHECKING:
    from ft_dcc.review.client_rules import ClientRules
    from ft_dcc.session import Session
    from ft_dcc.session.interface import EntityLike, PublishSession

NAME_HELP = 'the review session\'s name (quote it: "Dailies 2026-11-22")'
PROJECT_HELP = "the project (name or id): needed when several projects have a session of that name"
#: ``review export --format``: its name in the summary (the files: ft_dcc.review.export.FORMATS)
EXPORT_TITLES = {
    "otio": "Timeline",
    "edl": "EDL (CMX 3600)",
    "fcpxml": "Final Cut Pro XML",
    "csv": "Notes table",
    "pdf": "Notes PDF",
}
EXPORT_FORMATS = tuple(EXPORT_TITLES)
CLIENT_DESCRIPTION = (
    "The client rules bind every client link (the room link, invitees' links); your personal "
    "link and the API are not bound. ft_dcc writes ftrack's own fields, so the same command "
    "works on an ftrack server. See docs/reviewers.md, 'Sending a review to a client'."
)


#: ``ft-dcc review audit --format`` (ft_dcc.review.audit_cli writes each)
AUDIT_FORMATS = ("text", "csv", "jsonl")


def _formats(text: str) -> List[str]:
    """``--format otio,csv``: known export formats, each once."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in EXPORT_FORMATS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"no export format {', '.join(unknown) or repr(text)}: use {', '.join(EXPORT_FORMATS)}"
        )
    return names


def _minutes(text: str) -> int:
    """``--minutes``: a whole number from 1 to 720 (a personal link lives at most 12 hours)."""
    try:
        minutes = int(text)
    except ValueError:
        minutes = 0
    if not 1 <= minutes <= 720:
        raise argparse.ArgumentTypeError("give a whole number of minutes from 1 to 720")
    return minutes


def _session() -> Session:
    from ft_dcc.session import Session

    return Session()


def _project(session: PublishSession, args: argparse.Namespace) -> Optional[EntityLike]:
    from ft_dcc.review.names import find_project

    return find_project(session, args.project) if args.project else None


def _target(session: PublishSession, args: argparse.Namespace) -> EntityLike:
    from ft_dcc.review.names import resolve_session

    return resolve_session(session, args.name, _project(session, args))


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _written_to(session: PublishSession) -> None:
    """Every command that writes says which server it wrote to."""
    _out(f"  written to the ftrack server at {str(session.server_url).rstrip('/')}")


def _report_writes(write: Callable[[PublishSession], Iterable[str]]) -> None:
    """Run ``write`` in a new session, print each line it gives as it comes, then the server it
    wrote to."""
    with _session() as session:
        for line in write(session):
            _out(line)
        _written_to(session)


# -- list / create / close / reopen -----------------------------------------------------------
def run_list(args: argparse.Namespace) -> int:
    from ft_dcc.review.cli import session_rows

    with _session() as session:
        rows = session_rows(session, _project(session, args))
    if args.json:
        _out(json.dumps(rows, indent=2))
        return 0
    if not rows:
        _out("No review sessions yet: ft-dcc review create NAME --project PROJECT")
        return 0
    for row in rows:
        state = "open until" if row["open"] else "closed on"
        private = "private, " if row["private"] else ""
        _out(
            f"{row['name']:<28} {row['project']:<16} {private}{row['versions']} version(s), "
            f"{state} {row['end_date'] or '-'}"
        )
    return 0


def run_create(args: argparse.Namespace) -> int:
    from ft_dcc.review.cli import create_session, watch_lines
    from ft_dcc.review.client_commands import rule_lines, rules_of

    rules = rules_of(args)  # checked before any request: a refused option writes nothing
    if args.from_cut:
        return _create_from_cut(args, rules)
    with _session() as session:
        created, url, rules = create_session(
            session, args.name, args.project, private=args.private,
            description=args.description, rules=rules,
        )  # fmt: skip
        kind = "private review session" if args.private else "review session"
        _out(f"Created {kind} {created['name']!r} in project {created['project']['name']!r}.")
        for line in rule_lines(rules):
            _out(f"  {line}")
        _written_to(session)
        for line in watch_lines(session, created, url):
            _out(line)
    return 0


def _create_from_cut(args: argparse.Namespace, rules: ClientRules) -> int:
    from ft_dcc.cut.read import read_cut
    from ft_dcc.review.cut_commands import create_from_cut

    cut = read_cut(Path(args.from_cut).expanduser(), args.rate)  # before any request
    with _session() as session:
        return create_from_cut(session, args, cut, rules)


def run_cut(args: argparse.Namespace) -> int:
    from ft_dcc.cut.read import read_cut
    from ft_dcc.review.cut_commands import apply_cut

    cut = read_cut(Path(args.file).expanduser(), args.rate)  # before any request
    with _session() as session:
        return apply_cut(session, args, cut, _target(session, args))


def run_update(args: argparse.Namespace) -> int:
    from ft_dcc.review.client_commands import update

    _report_writes(lambda session: update(session, args, _target))
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from ft_dcc.review.client_commands import revoke

    _report_writes(lambda session: revoke(session, args, _target(session, args)))
    return 0


def run_close(args: argparse.Namespace) -> int:
    from ft_dcc.review import sessions as review

    with _session() as session:
        target = _target(session, args)
        if not review.is_open(target):
            _out(f"Review session {target['name']!r} is already closed.")
            return 0
        review.close_review_session(session, target)
        _out(f"Closed review session {target['name']!r}: nothing more can be added to it.")
        _written_to(session)
    return 0


def run_reopen(args: argparse.Namespace) -> int:
    from ft_dcc.review import sessions as review

    def reopen(session: PublishSession) -> Iterator[str]:
        target = _target(session, args)
        review.reopen_review_session(session, target)
        yield f"Reopened review session {target['name']!r} until {target['end_date']:%Y-%m-%d}."

    _report_writes(reopen)
    return 0


# -- invite / link / feedback -----------------------------------------------------------------
def _contents(action: str) -> Callable[[argparse.Namespace], int]:
    """The handler of ``review add|remove|order NAME VERSION…`` (:mod:`ft_dcc.review.contents`)."""

    def run(args: argparse.Namespace) -> int:
        from ft_dcc.review import contents

        change = getattr(contents, action)
        _report_writes(lambda session: change(session, _target(session, args), args.versions))
        return 0

    return run


def run_invite(args: argparse.Namespace) -> int:
    from ft_dcc.review import sessions as review
    from ft_dcc.review.cli import invitation_lines
    from ft_dcc.review.names import check_emails, ensure_open_for

    emails = check_emails(args.emails)  # before any request: a typo writes nothing
    with _session() as session:
        target = _target(session, args)
        ensure_open_for(target, "invite anyone to it")
        invitees = review.add_invitees(session, target, emails)
        review.send_review_session_invites(session, invitees)
        for email in emails:
            _out(f"Invited {email} to {target['name']!r}.")
        _written_to(session)
        for line in invitation_lines(session, target, emails):
            _out(line)
    _out(f"Their links again: ft-dcc review link {json.dumps(target['name'])} --invitee EMAIL")
    return 0


def run_link(args: argparse.Namespace) -> int:
    from ft_dcc.review.cli import invitee_link, session_link

    with _session() as session:
        if args.name is None:
            if args.invitee:
                from ft_dcc.exceptions import ReviewSessionNameError

                raise ReviewSessionNameError(
                    "--invitee needs the session's NAME",
                    hint="ft-dcc review link NAME --invitee EMAIL",
                )
            _out(session_link(session, None))
            return 0
        target = _target(session, args)
        _out(
            invitee_link(session, target, args.invitee)
            if args.invitee
            else session_link(session, target)
        )
    return 0


def run_open(args: argparse.Namespace) -> int:
    from ft_dcc.review.cli import personal_link

    with _session() as session:
        target = _target(session, args)
        seconds = args.minutes * 60 if args.minutes is not None else None
        url = personal_link(session, target, seconds)
    _out(url)
    _out("This link is yours (it acts as you): do not share it; share ft-dcc review link NAME.")
    if args.browser:
        import webbrowser

        webbrowser.open(url)
    return 0


def run_feedback(args: argparse.Namespace) -> int:
    from ft_dcc.review.cli import feedback_lines
    from ft_dcc.review.feedback import session_feedback

    with _session() as session:
        target = _target(session, args)
        feedback = session_feedback(session, target)
    if args.json:
        data = {"review_session": target["name"], "versions": [v.to_dict() for v in feedback]}
        _out(json.dumps(data, indent=2))
        return 0
    lines: List[str] = feedback_lines(target["name"], feedback)
    _out("\n".join(lines))
    return 0


def run_notes(args: argparse.Namespace) -> int:
    from ft_dcc.review.todos import read_task_todos, todo_lines

    with _session() as session:
        found = read_task_todos(session, args.task, open_only=args.open)
    notes = found.notes
    if args.json:
        notes_json = [n.to_dict() for n in notes]
        data = {"task": found.label, "task_id": found.task_id, "notes": notes_json}
        _out(json.dumps(data, indent=2))
        return 0
    _out("\n".join(todo_lines(found.label, notes, open_only=args.open)))
    return 0


def run_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ft_dcc.review.export import export_session

    with _session() as session:
        target = _target(session, args)
        formats = [f for group in args.formats or [["otio"]] for f in group]
        result = export_session(session, target, Path(args.output), formats=formats)
    _out(
        f"Exported {target['name']!r}: {result.versions} version(s), {result.notes} note(s), "
        f"{result.frames} frame picture(s)."
    )
    for fmt, path in result.files.items():
        _out(f"{EXPORT_TITLES[fmt]}: {path}")
    _out(f"Notes report: {result.report} (open it in a browser)")
    for line in result.skipped:
        _out(f"  not shown: {line}")
    return 0


def _run_audit(args: argparse.Namespace) -> int:
    from ft_dcc.review.audit_cli import run_audit

    return run_audit(args)


# -- the command line ---------------------------------------------------------------------------
NAME = arg("name", metavar="NAME", help=NAME_HELP)
NAME_AND_PROJECT = (NAME, arg("--project", help=PROJECT_HELP))
JSON = arg("--json", action="store_true", help="print JSON")
VERSION_HELP = ("a version: its id, or SHOT/ASSET/vNNN in the session's project (ASSET/vNNN when "
                "one shot has it; no vNNN: the latest)")  # fmt: skip
CONTENTS_DESCRIPTION = (
    "The session's versions are ftrack's ReviewSessionObject rows, in ftrack's sort_order, so "
    "every ftrack client shows the same list. Its creator, the Supervisors and Project Managers "
    "of its project and administrators may change it; anyone may add to a session that is not "
    "private, and remove or move what they added."
)
#: the client-review rules of ``review create`` and ``review update``
CLIENT_OPTIONS = (
    Group(exclusive=True, arguments=(
        arg("--passphrase", metavar="TEXT", help="viewers of a client link must type it (at "
            "least 8 characters; it stays in your shell history: --passphrase-file or "
            "--ask-passphrase do not)"),
        arg("--passphrase-file", metavar="PATH",
            help="the passphrase is this file's first line (-: standard input)"),
        arg("--ask-passphrase", action="store_true", help="type the passphrase (twice, not shown)"),
        arg("--no-passphrase", action="store_true", help="client links need no passphrase"),
    )),
    arg("--opens", metavar="WHEN", help="client links open then: an ISO date or time (UTC "
        "unless it says), now, or +Nh/+Nd/+Nw"),
    arg("--closes", metavar="WHEN", help="client links close then (+7d counts from --opens; "
        "--opens alone on a new session: a week later)"),
    arg("--downloads", choices=DOWNLOADS, help="what a client link may download: none (watch "
        "only), the review proxy, or the original files (a new session: the studio's "
        "client_review.downloads, none unless set)"),
    arg("--watermark", action=argparse.BooleanOptionalAction, default=None,
        help="burn each client viewer's name and the date into the frames they receive"),
    arg("--client-verdicts-set-status", action=argparse.BooleanOptionalAction, default=None,
        help="a client's Approve / Request changes moves the version's ftrack status as a "
        "studio member's does (off unless set: a client's verdict is theirs alone)"),
    arg("--clients-see-each-other", action=argparse.BooleanOptionalAction, default=None,
        help="invited clients see each other's names, notes and verdicts (off unless set)"),
    arg("--still-hold", type=float, metavar="SECONDS", help="how long the review page's Play "
        "all shows a still before the next item (default 5)"),
)  # fmt: skip
#: the options of ``review create --from-cut`` and ``review cut`` (--pick: cut_match.PICKS)
CUT_OPTIONS = (
    arg("--pick", choices=("latest", "approved"), help="each shot's latest version (default), "
        "or its latest whose ftrack status is Approved (review cut: ask again for the shots "
        "kept)"),
    arg("--strict", action="store_true", help="refuse a cut with an event left out, a gap or "
        "an overlap (nothing is written)"),
    arg("--rate", type=float, metavar="FPS", help="an EDL's frame rate (default 24)"),
    JSON,
)  # fmt: skip
CUT_DESCRIPTION = (
    "With a cut, each event is matched to a shot of the project by its clip name (settings key "
    "cut.shot_from: clip_name, reel, or a regular expression with a group (?P<shot>...)); "
    "events with no shot or no version, gaps and overlaps are reported and the session is made "
    "of what matched. Needs: pip install 'ft-dcc[review]'. See docs/cut-review.md."
)
REVIEW_ACTIONS = (
    Command("list", "the review sessions (open ones first)", run_list,
            (arg("--project", help="only this project's sessions"), JSON)),
    Command("create", "create a review session, open 30 days (the studio's "
            "client_review.open_days; or as --opens/--closes say)", run_create, (
        NAME,
        arg("--project", help="the project (name or id; default: the only one)"),
        arg("--private", action="store_true", help="no room link: only its invitees and the "
            "people who run it may open it (prints your own link to it)"),
        arg("--description", default="", help="what the session is for"),
        arg("--from-cut", metavar="FILE", help="the editor's cut (CMX 3600 .edl, OpenTimelineIO "
            ".otio, FCP 7 .xml): each event's shot's version, in cut order, with its cut timing"),
        *CUT_OPTIONS,
        *CLIENT_OPTIONS,
    ), CLIENT_DESCRIPTION + " " + CUT_DESCRIPTION),
    Command("cut", "apply a new revision of the cut to a session made from a cut", run_cut, (
        *NAME_AND_PROJECT,
        arg("file", metavar="FILE", help="the cut's new revision (.edl, .otio or .xml)"),
        *CUT_OPTIONS,
    ), "The session follows the new revision: its order, cut-in shots added, cut-out shots "
       "removed (and reported); a shot still in the cut keeps its item, so its notes and "
       "verdicts, with its timing rewritten, and its version unless --pick asks again. "
       + CUT_DESCRIPTION),
    Command("update", "change a session's client rules: passphrase, window, downloads, watermark",
            run_update, (*NAME_AND_PROJECT, *CLIENT_OPTIONS),
            CLIENT_DESCRIPTION + " Only the rules given change."),
    Command("revoke", "end every client link of a session issued until now (or one invitee's)",
            run_revoke, (*NAME_AND_PROJECT, arg("--invitee", metavar="EMAIL",
                                                help="only this invitee's links")),
            "Every client link of the session issued before now stops at once (the room link, the "
            "invitees' links, identities chosen in the room); links issued later work. With "
            "--invitee, only that invitee's links. Your personal link is not a client link. On an "
            "ftrack server, which issues its own links, the shared link is turned off instead, "
            "and an invitee's link ends when they are removed in ftrack."),
    Command("close", "close a session: nothing more can be added to it", run_close,
            NAME_AND_PROJECT),
    Command("reopen", "open a closed session again for 30 days", run_reopen, NAME_AND_PROJECT),
    *(Command(name, what, _contents(name), (
        *NAME_AND_PROJECT,
        arg("versions", metavar="VERSION", nargs="+", help=VERSION_HELP),
    ), CONTENTS_DESCRIPTION) for name, what in (
        ("add", "add versions to a session (after its last one)"),
        ("remove", "take versions out of a session"),
        ("order", "put versions first, in the order given (the others follow)"),
    )),
    Command("invite", "invite people to a session and print each one's own link to send them",
            run_invite,
            (*NAME_AND_PROJECT, arg("emails", metavar="EMAIL", nargs="+", help="who to invite")),
            "Adds each e-mail as an invitee of the session and prints each one's own link (it "
            "acts as them): the embedded server sends no e-mail, send the links yourself. On an "
            "ftrack server, ftrack e-mails each invitee their link."),
    Command("link", "print the room's shared link to share (it follows; no NAME: the session "
            "list)", run_link, (
        arg("name", metavar="NAME", nargs="?", help=NAME_HELP),
        arg("--project", help=PROJECT_HELP),
        arg("--invitee", metavar="EMAIL", help="that invitee's own link"),
    )),
    Command("open", "your own link to a session's page: you present, draw and approve as "
            "yourself", run_open, (
        *NAME_AND_PROJECT,
        arg("--minutes", type=_minutes, help="how long it works (default 60, at most 720)"),
        arg("--browser", action="store_true", help="open it in the web browser"),
    ), "Prints (and with --browser opens) your personal link to the session's review page, "
       "made with your API key: it acts as you, so keep it to yourself; it works for an hour "
       "unless --minutes says otherwise (at most 12 hours). Share the session's room link "
       "instead: ft-dcc review link NAME."),
    Command("feedback", "notes, drawings and statuses per version", run_feedback,
            (*NAME_AND_PROJECT, JSON)),
    Command("notes", "a task's to-do notes: what its next version can address", run_notes, (
        arg("--task", help="task id or Project/Sequence/Shot/Task (default: $FTRACK_CONTEXTID)"),
        arg("--open", action="store_true", help="only the open ones (not yet addressed)"),
        JSON,
    ), "Lists the to-dos reviewers left on the task's versions (on the versions and on their "
       "review-session objects): id, version, frame, text, author. Give the ids a new version "
       "answers to ft-dcc publish --addresses NOTE_ID ...: its commit completes them."),
    Command("export", "take a session away: a timeline, notes as markers in the cut, a table, a "
            "report", run_export, (
        *NAME_AND_PROJECT,
        arg("--output", "-o", metavar="DIR", required=True, help="where to write"),
        arg("--format", "-f", dest="formats", metavar="FORMAT[,FORMAT]", type=_formats,
            action="append", help=f"what to write besides the report: "
            f"{', '.join(EXPORT_FORMATS)} (default otio; repeat the option or separate with "
            "commas)"),
    ), "Writes DIR/notes.html (each annotated frame as a picture), the movies, drawings and "
       "frames it shows, and each --format asked: otio = DIR/session.otio (clips per version, "
       "notes as markers at their frames, statuses as metadata), edl = DIR/session.edl (CMX "
       "3600 locators), fcpxml = DIR/session.xml (Final Cut Pro 7 XML markers), csv = "
       "DIR/notes.csv (a row per note), pdf = DIR/notes.pdf (the report printed by Chromium). "
       "otio, edl and fcpxml need: pip install 'ft-dcc[review]'. See docs/export.md."),
    Command("audit", "who opened, watched, downloaded, noted and approved what (for those who "
            "manage the session)", _run_audit, (
        NAME,
        arg("--project", help="the project (name or id), when several have NAME"),
        arg("--since", metavar="ISO", help="only entries at or after this UTC time"),
        arg("--format", dest="audit_format", choices=AUDIT_FORMATS, default="text",
            help="text (default), csv or jsonl (one JSON object a line)"),
        arg("--verify", action="store_true",
            help="check the hash chain; exit 1 if an entry was edited or removed"),
    ), "Prints the review session's audit trail, oldest first: link opened, passphrase "
       "failed/passed, media played/downloaded, note, drawing, verdict, presenter, link "
       "revoked, session changed, access refused; with who, when (UTC) and from where. Only the "
       "embedded ft-dcc server keeps one."),
)  # fmt: skip
REVIEW = Command(
    "review",
    "list, create, close, reopen review sessions; invite; links; read feedback",
    description="Review sessions on the ftrack server of FTRACK_SERVER (or the embedded one).",
    actions=REVIEW_ACTIONS,
)
COMMANDS = (REVIEW,)
