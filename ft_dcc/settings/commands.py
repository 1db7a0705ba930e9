"""``ft-dcc settings show|check|push`` (stdlib-only imports at module top)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from ft_dcc.commands_base import Command, Group, arg
from ft_dcc.settings.hosts import HOSTS

if TYPE_CHECKING:  # pragma: no cover - imported when a command runs (stdlib-only at the top)
    from ft_dcc.settings.document import Document


def run_show(args: argparse.Namespace) -> int:
    from ft_dcc.settings.load import load
    from ft_dcc.settings.resolve import Filters

    filters = Filters(host=args.host, task_type=args.task_type)
    resolved = load(args.project, filters, offline=args.offline)
    if args.json:
        print(json.dumps(resolved.to_dict(), indent=2))
        return 0
    for line in resolved.lines():
        print(line)
    for origin in resolved.profiles:
        print(f"# applied: {origin}")
    if resolved.unmatched:
        print("# no profile applies:")
    for why in resolved.unmatched:
        print(f"#   {why}")
    for note in [*resolved.unused, *resolved.notes]:
        print(f"# note: {note}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from ft_dcc.settings import layers
    from ft_dcc.settings.document import read_file

    document = read_file(Path(args.file))
    check_plugins(document, args.file)
    if args.project:
        _check_statuses(document, args.project)
    elif any(key.startswith("review.") for key in document.settings):
        print("# note: review statuses are checked against a workflow with --project NAME")
    notes = [layers.pushed_only(list(document.settings))] + [
        layers.unused_in_file(list(doc.settings), f"projects.{name}")
        for name, doc in document.projects.items()
    ]
    for note in notes:
        if note is not None:
            print(f"# note: {note}")
    projects = f", {len(document.projects)} project(s)" if document.projects else ""
    print(
        f"{args.file}: valid ({len(document.settings)} setting(s), "
        f"{len(document.profiles)} profile(s){projects})"
    )
    return 0


def run_push(args: argparse.Namespace) -> int:
    from ft_dcc.exceptions import SettingsError
    from ft_dcc.settings import statuses
    from ft_dcc.settings.document import read_file
    from ft_dcc.settings.load import default_session
    from ft_dcc.settings.store import find_project, push_project, push_studio

    document = read_file(Path(args.file))  # validated before anything is sent
    check_plugins(document, args.file)
    if document.projects:
        raise SettingsError(
            f"{args.file}: 'projects' belongs in a $FT_DCC_SETTINGS file, not on the server",
            hint="push each project's own document with --project NAME",
        )
    session = default_session()
    try:
        statuses.check_pushed(session, document, None if args.studio else args.project)
        if args.studio:
            push_studio(session, document)
            print(f"Stored {args.file} as the studio's settings.")
        else:
            project = find_project(session, args.project)
            push_project(session, project, document)
            print(f"Stored {args.file} as project {project['name']}'s settings.")
        print(f"  written to the ftrack server at {str(session.server_url).rstrip('/')}")
    finally:
        session.close()
    return 0


def check_plugins(document: Document, where: str) -> None:
    """Refuse a ``plugins`` entry (of the document, its profiles or projects) naming a plugin
    a publish would not load or an attribute the plugin does not declare."""
    from ft_dcc.settings import plugins

    sections = [(where, document.plugins)]
    sections += [(f"{where} profile {p.name!r}", p.plugins) for p in document.profiles]
    sections += [(f"{where} project {n}", d.plugins) for n, d in document.projects.items()]
    if not any(section for _, section in sections):
        return
    found = plugins.discover()
    for origin, section in sections:
        plugins.check_declared(section, origin, found)


def _check_statuses(document: Document, project: str) -> None:
    """``document``'s review statuses (and its ``projects.<project>`` ones) against the
    project's workflow on the server."""
    from ft_dcc.settings import statuses
    from ft_dcc.settings.load import default_session

    session = default_session()
    try:
        statuses.check_pushed(session, document, project)
        if project in document.projects:
            statuses.check_pushed(session, document.projects[project], project)
    finally:
        session.close()


SHOW = Command("show", "the resolved settings and the origin of each", run_show, (
    arg("--project", help="the ftrack project (its short name)"),
    arg("--host", choices=HOSTS, help="choose the profiles of this host"),
    arg("--task-type", help="choose the profiles of this task type, e.g. Animation"),
    arg("--offline", action="store_true", help="read only $FT_DCC_SETTINGS"),
    arg("--json", action="store_true", help="print JSON"),
))  # fmt: skip
CHECK = Command("check", "validate a settings file (nothing is sent)", run_check, (
    arg("file", metavar="FILE"),
    arg("--project", help="also check its review statuses against this project's workflow"),
))  # fmt: skip
PUSH = Command("push", "validate FILE and store it on the ftrack server for a project or the "
               "studio", run_push, (
    arg("file", metavar="FILE"),
    Group(exclusive=True, required=True, arguments=(
        arg("--project", help="store it as this project's settings"),
        arg("--studio", action="store_true", help="store it as the studio's (administrators only)"),
    )),
))  # fmt: skip
SETTINGS = Command(
    "settings",
    "studio and project settings: show what applies and where it came from, check, push",
    description="Settings are laid on each other, lowest first: built-in defaults, studio, "
    "project, profiles (by host, task type, asset type), the artist's flags. They live on the "
    "ftrack server, with $FT_DCC_SETTINGS (a JSON file) as the fallback. See docs/settings.md.",
    actions=(SHOW, CHECK, PUSH),
)
COMMANDS = (SETTINGS,)
