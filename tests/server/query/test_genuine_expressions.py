"""Every query expression the genuine ftrack client generated runs and answers correctly.

The expressions come from tests/data/ftrack/query_expressions.txt; the Store holds a known
scenario so each answer is checked, not just parsed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("lark")

from ft_dcc.protocol import BUILTIN_LOCATIONS, LOCATION_SERVER
from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.store.store import Store

from ..store_helpers import (
    create,
    create_asset,
    create_component,
    create_server_location,
    metadata,
    new_id,
    ref,
)

EXPRESSIONS = Path(__file__).resolve().parents[2] / "data" / "ftrack" / "query_expressions.txt"
LOCATION_NAMES = sorted(name for _id, name in BUILTIN_LOCATIONS)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Store, Dict[str, str]]:
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('query') / 'db.sqlite'}")
    names = "project asset av1 av2 mp4 thumb cl rs rso inv job u"
    ids = {name: new_id() for name in names.split()}
    ids["api_user"] = store.ensure_seed("test.user")
    upload = store.query('select id from AssetType where name is "Upload" limit 2')[0]["id"]
    project, review_session = ref("Project", ids["project"]), ref("ReviewSession", ids["rs"])
    operations = [
        create("Project", ids["project"], name="probe_proj", full_name="Probe"),
        create_asset(ids["asset"], project, upload),
        create("AssetVersion", ids["av1"], asset=ref("Asset", ids["asset"]), comment="first"),
        create("AssetVersion", ids["av2"], asset=ref("Asset", ids["asset"]), comment="second"),
        create_component(ids["mp4"], "ftrackreview-mp4", ids["av1"], file_type=".mp4", size=10),
        create_component(ids["thumb"], "thumbnail", ids["av1"], file_type=".jpg", size=5),
        create_server_location(ids["cl"], ids["mp4"], "res-mp4"),
        metadata("FileComponent", ids["mp4"], "other", "o-val"),
        metadata("FileComponent", ids["mp4"], "ftr_meta", '{"format": "video"}'),
        create("ReviewSession", ids["rs"], name="X", description="", project=project),
        create(
            "ReviewSessionObject",
            ids["rso"],
            name="plate",
            version="v1",
            review_session=review_session,
            asset_version=ref("AssetVersion", ids["av1"]),
        ),
        create(
            "ReviewSessionInvitee",
            ids["inv"],
            name="Ann",
            email="ann@example.com",
            review_session=review_session,
        ),
        create(
            "Job", ids["job"], data=json.dumps({"output": [], "source_component_id": ids["mp4"]})
        ),
        create("User", ids["u"], username="u", is_active=True),
        metadata("User", ids["u"], "k", "v"),
    ]
    store.execute(operations, ids["api_user"])
    ids["location_ids"] = ",".join(i for i, _n in BUILTIN_LOCATIONS[:3])
    ids["not_started"] = store.query('select id from Status where name is "Not started"')[0]["id"]
    return store, ids


def one(data: List[dict]) -> dict:
    assert len(data) == 1, data
    return data[0]


Check = Callable[[List[dict], dict, Dict[str, str]], None]

#: line number -> (placeholder values in order, check of (data, metadata, ids)): a check
#: returns whether the answer is right, or asserts itself and returns None.
CASES: Dict[int, Tuple[List[str], Check]] = {
    1: ([], lambda d, m, i: one(d)["__entity_type__"] == "AssetType"),
    2: ([], lambda d, m, i: [r["id"] for r in d] == [i["rso"]]),
    3: ([], lambda d, m, i: [r["id"] for r in d] == [i["rso"]] and m["next"]["offset"] is None),
    4: (["rso"], lambda d, m, i: one(d)["name"] == "plate"),
    5: (
        ["rso"],
        lambda d, m, i: (
            one(d)["asset_version"]
            == {"__entity_type__": "AssetVersion", "id": i["av1"], "asset_id": i["asset"]}
        ),
    ),
    6: (["av1"], lambda d, m, i: one(d)["asset"]["id"] == i["asset"]),
    7: (["asset"], lambda d, m, i: one(d)["name"] == "plate"),
    8: (["rso"], lambda d, m, i: one(d)["review_session"]["id"] == i["rs"]),
    9: (["rs"], lambda d, m, i: [r["id"] for r in one(d)["review_session_objects"]] == [i["rso"]]),
    10: (["rs"], lambda d, m, i: _check_review_session(one(d), i)),
    11: (["rs"], lambda d, m, i: one(d)["created_by"]["id"] == i["api_user"]),
    12: (
        ["rs"],
        lambda d, m, i: (
            one(d)["project"]
            == {
                "__entity_type__": "Project",
                "id": i["project"],
                "context_type": "show",
                "name": "probe_proj",
            }
        ),
    ),
    13: (
        ["rs"],
        lambda d, m, i: [r["id"] for r in one(d)["review_session_invitees"]] == [i["inv"]],
    ),
    14: (["av2"], lambda d, m, i: (one(d)["comment"], one(d)["version"]) == ("second", 2)),
    15: ([], lambda d, m, i: one(d)["id"] == LOCATION_SERVER[0]),
    16: (
        ["server_location", "mp4"],
        lambda d, m, i: (
            (one(d)["component_id"], one(d)["resource_identifier"]) == (i["mp4"], "res-mp4")
        ),
    ),
    17: (
        ["mp4"],
        lambda d, m, i: (
            sorted((x["key"], x["value"]) for x in one(d)["metadata"])
            == [("ftr_meta", '{"format": "video"}'), ("other", "o-val")]
        ),
    ),
    18: (["job"], lambda d, m, i: one(d)["id"] == i["job"]),
    19: (["job"], lambda d, m, i: json.loads(one(d)["data"])["source_component_id"] == i["mp4"]),
    20: (["av1"], lambda d, m, i: one(d)["id"] == i["av1"]),
    21: (
        ["mp4"],
        lambda d, m, i: (
            one(d)
            == {
                "__entity_type__": "Metadata",
                "parent_id": i["mp4"],
                "key": "other",
                "value": "o-val",
                "parent_type": "FileComponent",
            }
        ),
    ),
    22: ([], lambda d, m, i: one(d)["id"] == i["u"]),
    23: (["u"], lambda d, m, i: one(d)["username"] == "u"),
    24: ([], lambda d, m, i: one(d)["id"] == i["not_started"]),
    25: (["not_started"], lambda d, m, i: one(d)["name"] == "Not started"),
    26: (["not_started"], lambda d, m, i: one(d)["sort"] == 0),
    27: (["not_started"], lambda d, m, i: one(d)["is_active"] is True),
    28: ([], lambda d, m, i: len(d) == 1 and m["next"]["offset"] == 1),
    29: ([], lambda d, m, i: len(d) == 2 and m["next"]["offset"] == 2),
    30: ([], lambda d, m, i: len(d) == 2 and m["next"]["offset"] == 4),
    31: ([], lambda d, m, i: len(d) == 1 and m["next"]["offset"] is None),
    32: ([], lambda d, m, i: [r["name"] for r in d] == sorted(LOCATION_NAMES, reverse=True)[1:4]),
    33: ([], lambda d, m, i: d == [] and m["next"]["offset"] is None),
    34: ([], lambda d, m, i: len(d) == 2),
    35: (
        [],
        lambda d, m, i: (
            one(d)
            == {
                "__entity_type__": "Project",
                "id": i["project"],
                "context_type": "show",
                "name": "probe_proj",
            }
        ),
    ),
    36: ([], lambda d, m, i: _check_dotted(d, i)),
    37: (["mp4"], lambda d, m, i: sorted(r["key"] for r in d) == ["ftr_meta", "other"]),
    38: (["mp4"], lambda d, m, i: one(d)["value"] == "o-val"),
    39: (
        ["mp4"],
        lambda d, m, i: (
            [c["location_id"] for c in one(d)["component_locations"]] == [LOCATION_SERVER[0]]
        ),
    ),
    40: (
        [],
        lambda d, m, i: sorted(r["id"] for r in d) == sorted(x for x, _ in BUILTIN_LOCATIONS),
    ),
    42: (
        ["u"],
        lambda d, m, i: [(x["key"], x["value"]) for x in one(d)["metadata"]] == [("k", "v")],
    ),
    43: (
        ["location_ids"],
        lambda d, m, i: (
            sorted(r["name"] for r in d) == sorted(n for _x, n in BUILTIN_LOCATIONS[:3])
        ),
    ),
    44: ([], lambda d, m, i: [r["id"] for r in d] == [i["rs"]]),
    45: ([], lambda d, m, i: one(d)["id"] in (i["av1"], i["av2"])),
    46: ([], lambda d, m, i: (one(d)["id"], one(d)["system_type"]) == (i["mp4"], "file")),
    47: ([], lambda d, m, i: (one(d)["id"], one(d)["system_type"]) == (i["thumb"], "file")),
    48: ([], lambda d, m, i: one(d)["version"] in (1, 2)),
    49: (["mp4", "server_location"], lambda d, m, i: one(d)["id"] == i["cl"]),
    50: ([], lambda d, m, i: one(d)["id"] == i["rs"]),
}

ERROR_CASES = {41: "nonexistent"}


def _check_review_session(row: dict, ids: Dict[str, str]) -> None:
    assert row["name"] == "X"
    assert row["description"] == ""
    assert row["start_date"]["__type__"] == "datetime"
    assert row["end_date"]["__type__"] == "datetime"
    assert row["created_at"]["__type__"] == "datetime"
    assert row["created_by_id"] == ids["api_user"]
    assert row["project_id"] == ids["project"]
    assert row["is_open"] is True


def _check_dotted(data: List[dict], ids: Dict[str, str]) -> None:
    by_version = {row["version"]: row for row in data}
    assert sorted(by_version) == [1, 2]
    first = by_version[1]
    assert first["asset"]["name"] == "plate"
    assert first["asset"]["parent"]["name"] == "probe_proj"
    assert first["asset"]["parent"]["__entity_type__"] == "Project"
    assert sorted(c["name"] for c in first["components"]) == ["ftrackreview-mp4", "thumbnail"]
    assert all(c["__entity_type__"] == "FileComponent" for c in first["components"])
    assert by_version[2]["components"] == []


def _lines() -> List[Tuple[int, str, str]]:
    rows = []
    for number, line in enumerate(EXPRESSIONS.read_text(encoding="utf-8").splitlines(), start=1):
        label, _, expression = line.partition("|")
        rows.append((number, label.strip(), expression.strip()))
    return rows


def test_every_recorded_expression_has_a_case() -> None:
    numbers = {number for number, _label, _expr in _lines()}
    assert numbers == set(CASES) | set(ERROR_CASES)


def _fill(expression: str, names: List[str], ids: Dict[str, str]) -> str:
    values = dict(ids, server_location=LOCATION_SERVER[0])
    expression = expression.replace("<uuid>,...", "<uuid>")
    for name in names:
        assert "<uuid>" in expression
        expression = expression.replace("<uuid>", values[name], 1)
    assert "<uuid>" not in expression
    return expression


@pytest.mark.parametrize(
    "number,label,expression", _lines(), ids=[f"line{n}" for n, _l, _e in _lines()]
)
def test_recorded_expression(scenario, number: int, label: str, expression: str) -> None:
    store, ids = scenario
    if number in ERROR_CASES:
        with pytest.raises(ApiOperationError) as caught:
            store.execute([{"action": "query", "expression": expression}], ids["api_user"])
        assert ERROR_CASES[number] in caught.value.message
        return
    names, check = CASES[number]
    reply = store.execute(
        [{"action": "query", "expression": _fill(expression, names, ids)}], ids["api_user"]
    )[0]
    assert reply["action"] == "query"
    for entity in reply["data"]:
        assert "__entity_type__" in entity
    assert check(reply["data"], reply["metadata"], ids) is not False, reply["data"]
