"""Which shot each event of a cut is, and which of its versions goes into the review.

The settings key ``cut.shot_from`` says where the shot's name is: the clip name (the default), the
reel, or a regular expression searched in the clip name whose group ``(?P<shot>…)`` is the name.
A shot's version is its latest (by date, then number), or with ``--pick approved`` its latest
whose ftrack status is Approved. Two reads for the whole cut: the project's shots of those names,
then their versions.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import attr

from ft_dcc.cut.ports import CutSession
from ft_dcc.cut.read import CutEvent
from ft_dcc.protocol.query_text import quote

LATEST = "latest"
APPROVED = "approved"
PICKS = (LATEST, APPROVED)
APPROVED_STATUS = "approved"


@attr.s(auto_attribs=True, frozen=True)
class Matched:
    """An event and the version it reviews."""

    event: CutEvent
    shot: str
    version_id: str
    asset: str
    version: int

    @property
    def label(self) -> str:
        """``sh010 comp v002``"""
        return f"{self.shot} {self.asset} v{self.version:03d}"


@attr.s(auto_attribs=True, frozen=True)
class Unmatched:
    """An event left out, and why (``no shot``, ``no version``, ``no approved version``)."""

    event: CutEvent
    shot: str
    reason: str


def shot_name(event: CutEvent, shot_from: str) -> str:
    """The shot's name ``event`` names by the rule ``shot_from`` ("" when it names none)."""
    if shot_from == "clip_name":
        return event.clip_name.strip()
    if shot_from == "reel":
        return event.reel.strip()
    found = re.search(shot_from, event.clip_name)
    return (found.group("shot") or "").strip() if found else ""


def match(
    session: CutSession, project_id: str, events: Sequence[CutEvent], shot_from: str,
    pick: str = LATEST,
) -> Tuple[List[Matched], List[Unmatched]]:  # fmt: skip
    """Each event's version in ``project_id``, and the events that have none."""
    names = {event: shot_name(event, shot_from) for event in events}
    shots = _shots(session, project_id, {name for name in names.values() if name})
    versions = _versions_by_shot(session, list(shots.values()), pick)
    matched: List[Matched] = []
    unmatched: List[Unmatched] = []
    for event in events:
        name = names[event]
        shot_id = shots.get(name)
        version = versions.get(shot_id) if shot_id else None
        if version is not None:
            matched.append(Matched(event, name, str(version["id"]), str(version["asset"]["name"]),
                                   int(version["version"] or 0)))  # fmt: skip
        else:
            reason = (
                "no shot"
                if shot_id is None
                else f"no {'approved ' if pick == APPROVED else ''}version"
            )
            unmatched.append(Unmatched(event, name, reason))
    return matched, unmatched


def _shots(session: CutSession, project_id: str, names: Iterable[str]) -> Dict[str, str]:
    wanted = sorted(names)
    if not wanted:
        return {}
    rows = session.query(
        f"select id, name from Shot where project_id is {quote(project_id)} "
        f"and name in ({', '.join(quote(name) for name in wanted)})"
    ).all()
    return {str(row["name"]): str(row["id"]) for row in rows}


def _versions_by_shot(
    session: CutSession, shot_ids: List[str], pick: str
) -> Dict[str, Any]:
    if not shot_ids:
        return {}
    rows = session.query(
        "select id, version, date, asset.name, asset.parent.id, status.name from AssetVersion "
        f"where asset.parent.id in ({', '.join(quote(ident) for ident in shot_ids)})"
    ).all()
    best: Dict[str, Any] = {}
    for row in rows:
        if pick == APPROVED and _status(row) != APPROVED_STATUS:
            continue
        shot = str(row["asset"]["parent"]["id"])
        if shot not in best or _newer(row, best[shot]):
            best[shot] = row
    return best


def _status(row: Any) -> str:
    status: Optional[Any] = row["status"]
    return str(status["name"]).strip().lower() if status is not None else ""


def _newer(row: Any, than: Any) -> bool:
    return (str(row["date"] or ""), int(row["version"] or 0)) > (
        str(than["date"] or ""), int(than["version"] or 0))  # fmt: skip
