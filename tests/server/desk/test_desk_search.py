"""The desk's version search filters, picks the latest of each shot's asset, orders and cuts in
SQL: its answer is what filtering every version of the project would give (read through
``/api``, filtered here), and it is one statement returning its answer's rows, reading no table
whole, whether the project holds 30 shots or 300.

The contexts, assets and versions are written straight into their tables (``heard.py``); the
search is asked of the server's own app in this process. Counts and plans only.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, List, Mapping, Optional

import pytest

pytest.importorskip("sqlalchemy")

from ft_dcc.server.desk.reads import FILTERS, SEARCH_LIMIT, iso
from server.desk.heard import Studio, rows_and_scans, steps

TABLES = ("ft_asset_version", "ft_asset", "ft_context", "v", "a", "shot", "seq", "task")
ASSETS = ("anim", "comp")
SEARCHES: List[Dict[str, str]] = [
    {},
    {"sequence": "SQ02"},
    {"shot": "sh0001", "status": "app"},
    {"task": "light"},
    {"shot": "_"},  # LIKE's own characters are taken as they are
    {"shot": "7%"},
    {"asset": "anim", "sequence": "sq01", "task": "anim", "status": "e"},
]


def _seed(studio: Studio, shots: range, statuses: List[Mapping[str, Any]]) -> None:
    """Shots of two sequences, each with an ``anim`` and a ``comp`` asset of three versions on
    tasks ``anim``/``light``; one asset on the project itself, one shot named with ``_`` and
    ``%``."""
    project = studio.project
    sequences: Dict[str, str] = {}
    contexts: List[Dict[str, Any]] = []
    assets, versions = [], []

    def context(kind: str, name: str, parent: str) -> str:
        ident = str(uuid.uuid4())
        contexts.append({"_entity_type": kind, "id": ident, "name": name, "context_type": "task",
                         "parent_id": parent, "project_id": project})  # fmt: skip
        return ident

    for name in ("sq010", "sq020"):
        sequences[name] = context("Sequence", name, project)
    for n in shots:
        name = f"sh{n:04d}" if n != 7 else "sh_7%x"
        shot = context("Shot", name, sequences["sq010" if n % 2 else "sq020"])
        tasks = {task: context("Task", task, shot) for task in ("anim", "light")}
        for asset_name in ASSETS:
            asset = str(uuid.uuid4())
            assets.append({"_entity_type": "Asset", "id": asset, "name": asset_name,
                           "context_id": shot})  # fmt: skip
            for number in (1, 2, 3):
                status = statuses[(n + number) % len(statuses)]["id"]
                versions.append({"_entity_type": "AssetVersion", "id": str(uuid.uuid4()),
                                 "asset_id": asset, "version": number, "status_id": status,
                                 "task_id": tasks["anim" if number < 3 else "light"]})  # fmt: skip
    if shots.start == 0:  # an asset of the project itself: no shot
        asset = str(uuid.uuid4())
        assets.append({"_entity_type": "Asset", "id": asset, "name": "anim", "context_id": project})
        versions.append({"_entity_type": "AssetVersion", "id": str(uuid.uuid4()),
                         "asset_id": asset, "version": 1, "status_id": statuses[0]["id"],
                         "task_id": None})  # fmt: skip
        assets.append({"_entity_type": "Asset", "id": str(uuid.uuid4()), "name": "anim",
                       "context_id": contexts[2]["id"]})  # an asset with no version: not listed
    studio.insert("Context", contexts)
    studio.insert("Asset", assets)
    studio.insert("AssetVersion", versions)


def _name(row: Mapping[str, Any], *path: str) -> str:
    found: Any = row
    for name in path:
        found = found.get(name) if isinstance(found, Mapping) else None
    return str(found or "")


def _expected(studio: Studio, filters: Mapping[str, str], latest: bool) -> List[Dict[str, Any]]:
    """Every version of the project read through ``/api``, filtered, each asset's highest kept
    when ``latest``, ordered by shot, asset and newest first."""
    [reply] = studio.api([{"action": "query", "expression": (
        "select id, version, date, asset.id, asset.name, asset.context_id, asset.parent.name, "
        "asset.parent.context_type, asset.parent.parent.name, task.name, status.name from "
        f'AssetVersion where asset.parent.project_id is "{studio.project}" or asset.context_id '
        f'is "{studio.project}"')}])  # fmt: skip
    rows = []
    for v in reply["data"]:
        show = _name(v, "asset", "parent", "context_type") == "show"
        rows.append({"version_id": v["id"], "number": v["version"],
                     "asset": _name(v, "asset", "name"), "asset_id": v["asset"]["id"],
                     "shot": "" if show else _name(v, "asset", "parent", "name"),
                     "shot_id": v["asset"]["context_id"],
                     "sequence": "" if show else _name(v, "asset", "parent", "parent", "name"),
                     "task": _name(v, "task", "name"), "status": _name(v, "status", "name"),
                     "date": iso(v.get("date"))})  # fmt: skip
    rows = [r for r in rows if all((filters.get(f) or "").lower() in r[f].lower() for f in FILTERS)]
    if latest:
        best: Dict[str, Dict[str, Any]] = {}
        for row in rows:
            if row["asset_id"] not in best or row["number"] > best[row["asset_id"]]["number"]:
                best[row["asset_id"]] = row
        rows = list(best.values())
    return sorted(rows, key=lambda r: (r["shot"], r["asset"], -r["number"]))


def _search(studio: Studio, filters: Mapping[str, str], latest: bool) -> Any:
    query = "&".join(f"{k}={v.replace('%', '%25')}" for k, v in filters.items())
    return studio.get(f"/desk/api/project/{studio.project}/versions?{query}"
                      f"{'&latest=1' if latest else ''}")  # fmt: skip


@pytest.fixture
def statuses(studio: Studio) -> List[Mapping[str, Any]]:
    [reply] = studio.api([{"action": "query", "expression": "select id, name from Status"}])
    found: List[Mapping[str, Any]] = reply["data"]
    assert len(found) >= 3 and any(s["name"].lower().startswith("app") for s in found)
    return found


def test_the_search_answers_what_filtering_every_version_gives(
    studio: Studio, statuses: List[Mapping[str, Any]]
) -> None:
    _seed(studio, range(0, 30), statuses)
    for filters in SEARCHES:
        for latest in (False, True):
            reply, _ = _search(studio, filters, latest)
            expected = _expected(studio, filters, latest)
            assert reply.json()["versions"] == expected, (filters, latest)
            assert expected, f"{filters} finds nothing: it proves nothing"
            if latest and not filters:  # one version per asset: fewer than all
                assert len(expected) < len(_expected(studio, filters, False)), filters
    for literal in ({"shot": "_"}, {"shot": "7%"}):
        assert {r["shot"] for r in _expected(studio, literal, False)} == {"sh_7%x"}


def test_a_search_costs_the_same_at_ten_times_the_shots(
    studio: Studio, statuses: List[Mapping[str, Any]]
) -> None:
    engine = studio.server.store.engine
    searches = [({"shot": "sh0001"}, False), ({"shot": "sh0001"}, True),
                ({"sequence": "sq010", "shot": "sh0003", "task": "anim"}, True)]  # fmt: skip
    _seed(studio, range(0, 30), statuses)
    small = [_search(studio, f, latest)[1] for f, latest in searches]
    _seed(studio, range(30, 300), statuses)
    big = [_search(studio, f, latest)[1] for f, latest in searches]
    for (filters, latest), few, many in zip(searches, small, big):
        assert len(few) == len(many), (filters, few, many)
        found: Optional[Any] = None
        for seen in (few, many):
            rows, scans = rows_and_scans(engine, seen, TABLES)
            assert scans == [], (filters, latest, scans)
            assert found is None or rows == found, (filters, latest)
            found = rows


def test_the_latest_of_each_shot_reads_up_to_its_limit_not_the_whole_project(
    studio: Studio, statuses: List[Mapping[str, Any]]
) -> None:
    """A page of the latest of each shot (its limit: 500 assets) reads about as much of a
    project of 2,400 assets as of one of 600: the project's contexts are walked in name order
    and the walk stops at the limit."""
    engine = studio.server.store.engine
    _seed(studio, range(0, 300), statuses)
    reply, few = _search(studio, {}, True)
    small = steps(engine, few)
    assert len(reply.json()["versions"]) == SEARCH_LIMIT
    _seed(studio, range(300, 1200), statuses)
    reply, many = _search(studio, {}, True)
    big = steps(engine, many)
    assert len(reply.json()["versions"]) == SEARCH_LIMIT
    assert len(few) == len(many) == 1, (few, many)
    assert big <= 1.3 * small, (small, big)
