"""``ft-dcc review create NAME --from-cut FILE`` and ``ft-dcc review cut SESSION FILE``.

The cut is read (and refused when it cannot be) before any request; its events are matched to
the project's shots (the settings' ``cut.shot_from``) and versions (``--pick``); what is left
out, the gaps and the overlaps are reported — or, with ``--strict``, refused with nothing written.
See docs/cut-review.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import attr

from ft_dcc.cut import apply as cuts
from ft_dcc.cut.match import LATEST
from ft_dcc.cut.read import Cut
from ft_dcc.protocol.query_text import quote
from ft_dcc.review import sessions as review
from ft_dcc.review.client_rules import ClientRules
from ft_dcc.session.interface import EntityLike, PublishSession


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _shot_from(session: PublishSession, project: EntityLike) -> str:
    from ft_dcc.settings.load import load

    return load(str(project["name"]), session=session).text("cut.shot_from")


def _report(args: argparse.Namespace, report: cuts.CutReport, verb: str) -> None:
    if args.json:
        _out(json.dumps(report.as_json(), indent=2))
        return
    _out(f"{verb} {report.session!r} in cut order (revision {report.revision}): "
         f"{len(report.items)} item(s).")  # fmt: skip
    for item in report.items:
        timing = item.event.timing(report.rate)
        source = f"{timing['source_in']}-{timing['source_out']}"
        _out(f"  {timing['event']:>3}  {item.label:<28} {source}  at {timing['record_in']}")
    for shot in report.removed:
        _out(f"  removed: {shot} (cut out)")
    for line in report.problems():
        _out(f"  left out: {line}" if line.startswith("event") else f"  {line}")


def _matched_or_refused(
    session: PublishSession, project: EntityLike, cut: Cut, pick: str, name: str, revision: int
) -> cuts.CutReport:
    return cuts.matched_or_refused(session, project, cut, _shot_from(session, project), pick,
                                   name, revision)  # fmt: skip


def create_from_cut(
    session: PublishSession, args: argparse.Namespace, cut: Cut, rules: ClientRules
) -> int:
    """The session ``args.name`` of the cut's items in cut order, in one commit."""
    from ft_dcc.review.cli import create_session, project_for_create

    project = project_for_create(session, args.project)
    report = _matched_or_refused(session, project, cut, args.pick or LATEST, args.name, 1)
    cuts.refuse_when_strict(report, args.strict)
    file_name = Path(args.from_cut).name

    def contents(created: EntityLike, _project: EntityLike) -> None:
        cuts.write_new_items(session, str(created["id"]), report.items, cut.rate)
        cuts.write_session_row(session, str(created["id"]), cut, file_name, 1, existing={})

    create_session(session, args.name, str(project["id"]), private=args.private,
                   description=args.description or cuts.describe(cut, 1), rules=rules,
                   contents=contents)  # fmt: skip
    _report(args, report, "Created")
    return 0


def apply_cut(
    session: PublishSession, args: argparse.Namespace, cut: Cut, target: EntityLike
) -> int:
    """The session ``target`` rewritten to a new revision of its cut, in one commit."""
    project = session.query(
        f"select id, name from Project where id is {quote(target['project_id'])}"
    ).one()
    revision = cuts.revision_of(session, str(target["id"])) + 1
    report = _matched_or_refused(session, project, cut, args.pick or LATEST, str(target["name"]),
                                 revision)  # fmt: skip
    cuts.refuse_when_strict(report, args.strict)
    review.ensure_open(target)
    removed, kept = cuts.apply_revision(session, target, report.items, cut, Path(args.file).name,
                                        revision, repick=args.pick is not None)  # fmt: skip
    target["description"] = cuts.describe(cut, revision)
    session.commit()
    _report(args, attr.evolve(report, removed=tuple(removed), kept=kept), "Applied the cut to")
    return 0
