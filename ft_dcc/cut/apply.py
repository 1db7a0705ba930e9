"""A review session in cut order, and a new revision of its cut applied to it.

Every item is ftrack's own ``ReviewSessionObject`` (``sort_order`` along the record timeline);
its cut timing, which ftrack's object has no field for, is an ``EntitySetting`` of the session —
group ``cut``, name the object's id, value JSON ``{"event", "source_in", "source_out",
"record_in", "record_out"}`` — so a real ftrack server keeps it too. The session's own row of
that group (name ``cut``) names the cut, its file, its revision and its rate. Everything a cut
changes is written in one commit: nothing half-made is left.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Sequence, Tuple

import attr

from ft_dcc.cut.match import LATEST, Matched, Unmatched, match
from ft_dcc.cut.ports import CutSession
from ft_dcc.cut.read import Cut
from ft_dcc.exceptions import CutError
from ft_dcc.protocol.cut_timing import GROUP, SESSION_ROW, timecode
from ft_dcc.protocol.query_text import quote

log = logging.getLogger(__name__)


@attr.s(auto_attribs=True, frozen=True)
class CutReport:
    """What a cut did to a session: its items in cut order, what was left out, the record
    timeline's gaps and overlaps, and (for a revision) what it removed."""

    session: str
    revision: int
    rate: float
    items: Tuple[Matched, ...]
    unmatched: Tuple[Unmatched, ...]
    gaps: Tuple[Tuple[int, int], ...]
    overlaps: Tuple[Tuple[int, int], ...]
    removed: Tuple[str, ...] = ()
    kept: int = 0

    def as_json(self) -> Dict[str, object]:
        return {
            "session": self.session,
            "revision": self.revision,
            "items": [
                {
                    "shot": m.shot,
                    "version_id": m.version_id,
                    "version": m.label,
                    **m.event.timing(self.rate),
                }
                for m in self.items
            ],
            "unmatched": [
                {
                    "event": u.event.event,
                    "clip_name": u.event.clip_name,
                    "shot": u.shot,
                    "reason": u.reason,
                }
                for u in self.unmatched
            ],
            "gaps": [
                {"record_in": timecode(a, self.rate), "record_out": timecode(b, self.rate)}
                for a, b in self.gaps
            ],
            "overlaps": [{"events": [a, b]} for a, b in self.overlaps],
            "removed": list(self.removed),
            "kept": self.kept,
        }

    def problems(self) -> List[str]:
        """One line per event left out, gap and overlap."""
        lines = [f"event {u.event.event} ({u.event.clip_name or 'no clip name'}): "
                 f"{u.reason}{' for shot ' + repr(u.shot) if u.shot else ''}"
                 for u in self.unmatched]  # fmt: skip
        lines += [f"gap from {timecode(a, self.rate)} to {timecode(b, self.rate)}"
                  for a, b in self.gaps]  # fmt: skip
        lines += [f"events {a} and {b} overlap" for a, b in self.overlaps]
        return lines


def refuse_when_strict(report: CutReport, strict: bool) -> None:
    """``--strict``: a cut with anything left out, a gap or an overlap writes nothing."""
    problems = report.problems()
    if strict and problems:
        raise CutError(
            f"the cut does not match cleanly ({len(problems)} problem(s)); nothing was written: "
            + "; ".join(problems),
            hint="publish the missing shots or fix the cut, or leave out --strict to make the "
            "session of what matched",
        )


def describe(cut: Cut, revision: int) -> str:
    """The session's description naming its cut: ``Cut "reel 2", revision 3``."""
    return f"Cut {cut.name!r}, revision {revision}"


def write_session_row(
    session: CutSession, review_session_id: str, cut: Cut, file_name: str, revision: int,
    existing: Optional[Dict[str, Any]] = None,
) -> None:  # fmt: skip
    """Create or change (not commit) the session's own row: the cut, file, revision, rate
    (``existing``: the session's rows of the group when known, ``{}`` for a new session)."""
    value = json.dumps({"name": cut.name, "file": file_name, "revision": revision,
                        "rate": cut.rate})  # fmt: skip
    rows = existing if existing is not None else cut_rows(session, review_session_id)
    _set_row(session, review_session_id, SESSION_ROW, value, rows)


def revision_of(session: CutSession, review_session_id: str) -> int:
    """The revision of the cut the session was made or last rewritten from (0: none)."""
    row = cut_rows(session, review_session_id).get(SESSION_ROW)
    try:
        return int(json.loads(str(row["value"]))["revision"]) if row is not None else 0
    except (ValueError, KeyError, TypeError):
        return 0


def write_new_items(
    session: CutSession, review_session_id: str, items: Sequence[Matched], rate: float
) -> None:
    """Create (not commit) one object per item in cut order, each with its timing row."""
    for place, item in enumerate(items):
        _add_item(session, review_session_id, item, place, rate)


def _add_item(
    session: CutSession, review_session_id: str, item: Matched, place: int, rate: float
) -> None:
    data = {"review_session_id": review_session_id, "version_id": item.version_id,
            "name": item.asset, "description": "", "version": f"v{item.version:03d}",
            "sort_order": place}  # fmt: skip
    created = session.create("ReviewSessionObject", data)
    _set_row(session, review_session_id, str(created["id"]), json.dumps(item.event.timing(rate)))


def _set_row(
    session: CutSession, review_session_id: str, name: str, value: str,
    existing: Optional[Dict[str, Any]] = None,
) -> None:  # fmt: skip
    row = (existing or {}).get(name)
    if row is not None:
        row["value"] = value
        return
    session.create("EntitySetting", {"parent_id": review_session_id, "parent_type": "ReviewSession",
                                     "group": GROUP, "name": name, "value": value})  # fmt: skip


def cut_rows(session: CutSession, review_session_id: str) -> Dict[str, Any]:
    """The session's rows of group ``cut`` by name (its own row and one per item)."""
    rows = session.query(
        "select parent_id, group, name, value from EntitySetting "
        f"where parent_id is {quote(review_session_id)} and group is {quote(GROUP)}"
    ).all()
    return {str(row["name"]): row for row in rows}


def plan(
    session: CutSession, project_id: str, cut: Cut, shot_from: str, pick: str = LATEST
) -> Tuple[List[Matched], List[Unmatched]]:
    return match(session, project_id, cut.events, shot_from, pick)


def matched_or_refused(
    session: CutSession, project: Any, cut: Cut, shot_from: str, pick: str, name: str,
    revision: int,
) -> CutReport:  # fmt: skip
    """What the cut makes of ``project``'s shots for the session ``name``; refused (a
    :class:`CutError`, nothing written) when no event is a shot with a version to review."""
    matched, unmatched = plan(session, str(project["id"]), cut, shot_from, pick)
    report = CutReport(name, revision, cut.rate, tuple(matched), tuple(unmatched), cut.gaps,
                       cut.overlaps)  # fmt: skip
    if not matched:
        raise CutError(
            f"no event of the cut {cut.name!r} is a shot of project {project['name']!r} with a "
            f"{'' if pick == LATEST else 'approved '}version; nothing was written",
            hint="check the clip names against the shots (settings key cut.shot_from says where "
            "the shot's name is: clip_name, reel, or a regular expression)",
        )
    return report


# -- a new revision ----------------------------------------------------------------------------
@attr.s(auto_attribs=True, frozen=True)
class _Item:
    id: str
    shot: str
    version_id: str
    entity: Any


def _items(session: CutSession, review_session_id: str) -> List[_Item]:
    rows = session.query(
        "select id, version_id, sort_order, asset_version.asset.parent.name "
        f"from ReviewSessionObject where review_session_id is {quote(review_session_id)}"
    ).all()
    rows = sorted(rows, key=lambda o: (o["sort_order"] is None, o["sort_order"] or 0))
    return [_Item(str(r["id"]), str(r["asset_version"]["asset"]["parent"]["name"]),
                  str(r["version_id"]), r) for r in rows]  # fmt: skip


def apply_revision(
    session: CutSession, review_session: Any, items: Sequence[Matched], cut: Cut,
    file_name: str, revision: int, repick: bool,
) -> Tuple[List[str], int]:  # fmt: skip
    """Rewrite the session's objects to the cut's ``items`` (not committed): a shot still in the
    cut keeps its object (its notes and verdicts) with new timing and place, and its version
    unless ``repick``; new shots are added; shots cut out are removed; the session's row names
    the new revision. Returns the shots removed and how many objects were kept."""
    rate = cut.rate
    ident = str(review_session["id"])
    existing = _items(session, ident)
    rows = cut_rows(session, ident)
    unused = list(existing)
    kept = 0
    for place, item in enumerate(items):
        found = next((old for old in unused if old.shot == item.shot), None)
        if found is None:
            _add_item(session, ident, item, place, rate)
            continue
        unused.remove(found)
        kept += 1
        if found.entity["sort_order"] != place:
            found.entity["sort_order"] = place
        if repick and found.version_id != item.version_id:
            found.entity["version_id"] = item.version_id
            found.entity["version"] = f"v{item.version:03d}"
        _set_row(session, ident, found.id, json.dumps(item.event.timing(rate)), rows)
    removed = [_remove(session, old, rows) for old in unused]
    write_session_row(session, ident, cut, file_name, revision, rows)
    return removed, kept


def _remove(session: CutSession, item: _Item, rows: Dict[str, Any]) -> str:
    row = rows.get(item.id)
    if row is not None:
        session.delete(row)
    session.delete(item.entity)
    return item.shot
