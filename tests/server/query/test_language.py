"""The query language: every operator, relation traversal, ordering, paging, quirks and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("lark")

from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.query.parser import QuerySyntaxError, parse_query
from ft_dcc.server.store.store import Store

from ..store_helpers import (
    create,
    create_asset,
    create_component,
    datetime_value,
    metadata,
    new_id,
    ref,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Store, Dict[str, str]]:
    """A project with three shots (sh010..sh030), tasks, versions and components."""
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('lang') / 'db.sqlite'}")
    user = store.ensure_seed("test.user")
    ids: Dict[str, str] = {"user": user, "project": new_id(), "other_project": new_id()}
    upload = store.query('select id from AssetType where short is "upload"')[0]["id"]
    approved = store.query('select id from Status where name is "Approved"')[0]["id"]
    ops = [
        create("Project", ids["project"], name="alpha", full_name="Alpha"),
        create("Project", ids["other_project"], name="beta", full_name="Beta"),
    ]
    for n, (name, start) in enumerate(
        [
            ("sh010", "2024-01-10T00:00:00"),
            ("sh020", "2024-02-10T00:00:00"),
            ("sh030", "2024-03-10T00:00:00"),
        ]
    ):
        shot, task, asset, version = new_id(), new_id(), new_id(), new_id()
        ids[name], ids[name + "_task"], ids[name + "_asset"], ids[name + "_v"] = (
            shot,
            task,
            asset,
            version,
        )
        ops += [
            create(
                "Shot",
                shot,
                name=name,
                parent=ref("Project", ids["project"]),
                start_date=datetime_value(start),
                description=f"shot number {n + 1}",
            ),
            create("Task", task, name="comp", parent=ref("Shot", shot), bid=float(n * 10)),
            create_asset(asset, ref("Shot", shot), upload, name=f"{name}_plate"),
            create("AssetVersion", version, asset=ref("Asset", asset), comment=f"v for {name}"),
            create_component(new_id(), "main", version, size=100 * (n + 1)),
        ]
    ops += [
        create("Shot", new_id(), name="beta_shot", parent=ref("Project", ids["other_project"])),
        metadata("Shot", ids["sh020"], "camera", "alexa"),
    ]
    store.execute(ops, user)
    store.execute(
        [
            {
                "action": "update",
                "entity_type": "Task",
                "entity_key": [ids["sh030_task"]],
                "entity_data": {"__entity_type__": "Task", "status": ref("Status", approved)},
            }
        ],
        user,
    )
    return store, ids


def names(store: Store, expression: str) -> List[str]:
    return [row["name"] for row in store.query(expression)]


@pytest.mark.parametrize(
    "where,expected",
    [
        ('name is "sh010"', ["sh010"]),
        ('name = "sh010"', ["sh010"]),
        ('name is_not "sh010"', ["beta_shot", "sh020", "sh030"]),
        ('name != "sh010"', ["beta_shot", "sh020", "sh030"]),
        ('name in ("sh010", "sh030")', ["sh010", "sh030"]),
        ("name in (sh010,sh030)", ["sh010", "sh030"]),
        ('name not_in ("sh010", "sh030")', ["beta_shot", "sh020"]),
        ('name like "sh0%"', ["sh010", "sh020", "sh030"]),
        ('name not_like "sh0%"', ["beta_shot"]),
        ('description like "%number 2"', ["sh020"]),
        ('start_date after "2024-01-31"', ["sh020", "sh030"]),
        ('start_date > "2024-02-10T00:00:00"', ["sh030"]),
        ('start_date >= "2024-02-10T00:00:00"', ["sh020", "sh030"]),
        ('start_date before "2024-02-10T00:00:00+00:00"', ["sh010"]),
        ('start_date < "2024-02-10"', ["sh010"]),
        ('start_date <= "2024-02-10"', ["sh010", "sh020"]),
        ("start_date is none", ["beta_shot"]),
        ("start_date is_not None", ["sh010", "sh020", "sh030"]),
        ('parent.name is "beta"', ["beta_shot"]),
        ('project.full_name is "Alpha"', ["sh010", "sh020", "sh030"]),
        ('parent has (name is "alpha" and full_name like "Al%")', ["sh010", "sh020", "sh030"]),
        ("children any (bid >= 10)", ["sh020", "sh030"]),
        ('children any (status.name is "Approved")', ["sh030"]),
        ("children.bid > 15", ["sh030"]),
        ("not children any ()", ["beta_shot"]),
        ('assets.versions.comment is "v for sh020"', ["sh020"]),
        ('metadata any (key is "camera" and value is "alexa")', ["sh020"]),
        ('metadata any (key is "camera" and value is "red")', []),
        ('name is "sh010" or name is "sh020"', ["sh010", "sh020"]),
        ('(name is "sh010" or name is "sh020") and not name is "sh010"', ["sh020"]),
        ('name is "sh010"or name is "sh030"', ["sh010", "sh030"]),
        ('NAME is "sh010"', None),  # attribute names are case-sensitive: an error
        ('name IS "sh010" AND parent.name IS "alpha"', ["sh010"]),
        ("id in (select parent_id from Task where bid < 5)", ["sh010"]),
        (
            'id not_in (select parent_id from Task where bid < 5) and parent.name is "alpha"',
            ["sh020", "sh030"],
        ),
    ],
)
def test_where_operators(world, where: str, expected) -> None:
    store, _ids = world
    expression = f"select name from Shot where {where}"
    if expected is None:
        with pytest.raises(ApiOperationError):
            store.query(expression)
        return
    assert sorted(names(store, expression)) == expected


def test_ancestors_and_descendants(world) -> None:
    store, ids = world
    tasks = store.query('select id from Task where ancestors any (name is "sh020")')
    assert [t["id"] for t in tasks] == [ids["sh020_task"]]
    assert names(store, "select name from Shot where descendants any (bid >= 20)") == ["sh030"]
    projects = names(store, 'select name from Project where descendants any (name is "sh010")')
    assert projects == ["alpha"]
    row = store.query('select descendants.name, descendants.id from Project where name is "alpha"')[
        0
    ]
    assert sorted(d["name"] for d in row["descendants"]) == ["comp"] * 3 + [
        "sh010",
        "sh020",
        "sh030",
    ]
    task = store.query(f"select ancestors.name from Task where id is {ids['sh010_task']}")[0]
    assert [a["name"] for a in task["ancestors"]] == ["sh010"]


def test_unquoted_uuid_and_composite_quirk(world) -> None:
    store, ids = world
    assert names(store, f"select name from Shot where id is {ids['sh020']}") == ["sh020"]
    assert names(
        store, f'select name from Shot where (id is "{ids["sh020"]}"and name is "sh020")'
    ) == ["sh020"]
    in_list = ",".join([ids["sh010"], ids["sh030"]])
    assert sorted(names(store, f"select name from Shot where id in ({in_list})")) == [
        "sh010",
        "sh030",
    ]
    spaced = ", ".join([ids["sh010"], ids["sh030"]])
    assert sorted(names(store, f"select name from Shot where id in ({spaced})")) == [
        "sh010",
        "sh030",
    ]


def test_booleans_and_numbers_as_python_writes_them(world) -> None:
    store, _ids = world
    rows = store.query(
        'select name from Status where name is "Not started" and sort is 0 and is_active is True'
    )
    assert [r["name"] for r in rows] == ["Not started"]
    assert (
        store.query('select name from Status where name is "Not started" and is_active is False')
        == []
    )
    assert sorted(
        r["size"] for r in store.query("select size from FileComponent where size > 150")
    ) == [200, 300]


def test_order_by_several_keys_offset_limit_and_paging(world) -> None:
    store, _ids = world
    ordered = store.query("select name, parent.name from Shot order by parent.name desc, name asc")
    assert [r["name"] for r in ordered] == ["beta_shot", "sh010", "sh020", "sh030"]
    ordered = store.query("select name from Shot order by name descending")
    assert [r["name"] for r in ordered] == ["sh030", "sh020", "sh010", "beta_shot"]
    pages, offset = [], 0
    while offset is not None:
        reply = store.execute(
            [
                {
                    "action": "query",
                    "expression": f"select name from Shot order by name offset {offset} limit 3",
                }
            ],
            "",
        )[0]
        pages.append([r["name"] for r in reply["data"]])
        offset = reply["metadata"]["next"]["offset"]
    assert pages == [["beta_shot", "sh010", "sh020"], ["sh030"]]


def test_default_projections_without_select(world) -> None:
    store, ids = world
    rows = store.query('Shot where name is "sh010"')
    assert rows == [
        {
            "__entity_type__": "Shot",
            "id": ids["sh010"],
            "project_id": ids["project"],
            "context_type": "task",
            "object_type_id": "bad911de-3bd6-47b9-8b46-3476e237cb36",
            "name": "sh010",
        }
    ]


def test_polymorphic_queries_return_concrete_types(world) -> None:
    store, _ids = world
    contexts = store.query(
        'select name from Context where name in ("alpha", "sh010", "comp") order by name'
    )
    assert sorted((c["__entity_type__"], c["name"]) for c in contexts) == [
        ("Project", "alpha"),
        ("Shot", "sh010"),
        ("Task", "comp"),
        ("Task", "comp"),
        ("Task", "comp"),
    ]
    typed = store.query('select name from TypedContext where name is "alpha"')
    assert typed == []
    components = store.query("select name, system_type from Component where size is 100")
    assert [(c["__entity_type__"], c["system_type"]) for c in components] == [
        ("FileComponent", "file")
    ]


def test_nested_projections_through_collections(world) -> None:
    store, ids = world
    row = store.query(
        "select assets.versions.version, assets.name, children.name from Shot "
        f"where id is {ids['sh010']}"
    )[0]
    assert [a["name"] for a in row["assets"]] == ["sh010_plate"]
    assert [v["version"] for v in row["assets"][0]["versions"]] == [1]
    assert [c["__entity_type__"] for c in row["children"]] == ["Task"]


def test_values_are_parameters_not_sql(world) -> None:
    store, _ids = world
    hostile = 'x" or 1=1 --'
    assert (
        store.query('select name from Shot where name is "x\' OR 1=1; DROP TABLE ft_context; --"')
        == []
    )
    assert store.query(f'select name from Shot where name like "{hostile[:1]}%"') == []
    assert len(store.query("select name from Shot")) == 4


@pytest.mark.parametrize(
    "expression,fragment",
    [
        ("select name from Shot where", "end of the expression"),
        ("select name from Shot where name is", "end of the expression"),
        ("select name frm Shot", "column 13"),
        ('select name from Shot where name ~ "x"', "column 34"),
        ("select name from Nope", "Unknown entity type 'Nope'"),
        ("select nope from Shot", "'nope' is not an attribute of Shot"),
        ("select name from Shot where parent.nope is 1", "'nope' is not an attribute of Context"),
        ("select name from Shot where name.first is 1", "plain value"),
        ('select name from Shot where start_date after "soon"', "ISO date-time"),
        ("select name from Shot where bid > many", "not a valid number"),
        ("select name from Shot limit -1", "limit must not be negative"),
        ("select name from Shot where children is 1", "collection"),
        ("", "empty"),
    ],
)
def test_errors_say_where_and_what(world, expression: str, fragment: str) -> None:
    store, _ids = world
    with pytest.raises(ApiOperationError) as caught:
        store.query(expression)
    assert fragment in caught.value.message
    assert "{" not in caught.value.message


def test_parser_accepts_the_documented_grammar() -> None:
    parsed = parse_query(
        'select a, b.c from Task where (x is "1"and y is 2) or not z any () '
        "order by name desc, id offset 1 limit 3"
    )
    assert parsed.entity_type == "Task"
    assert parsed.projections == [("a",), ("b", "c")]
    assert parsed.order_by == [(("name",), True), (("id",), False)]
    assert (parsed.offset, parsed.limit) == (1, 3)
    with pytest.raises(QuerySyntaxError):
        parse_query("select from Task")


def test_grammar_file_ships_with_the_package() -> None:
    from ft_dcc.server.query import parser

    assert Path(parser.GRAMMAR_FILE).is_file()


def test_group_by_aggregates_answer_flat_rows(world) -> None:
    store, _ids = world
    rows = store.query("select count(id), status_id from Task group by status_id")
    counts = {row["status_id"]: row["count_id"] for row in rows}
    assert sorted(counts.values()) == [1, 2]
    assert all("__entity_type__" not in row for row in rows)
    total = store.query("select sum(size), max(size), min(size), avg(size) from FileComponent")
    assert total == [{"sum_size": 600, "max_size": 300, "min_size": 100, "avg_size": 200.0}]
    per_project = store.query(
        "select count(id), parent_id from Shot group by parent_id order by parent_id"
    )
    assert sorted(r["count_id"] for r in per_project) == [1, 3]
    with pytest.raises(ApiOperationError) as caught:
        store.query("select count(id), name from Shot group by parent_id")
    assert "group by" in caught.value.message


def test_latest_versions_filter(world) -> None:
    store, ids = world
    asset, first, second = new_id(), new_id(), new_id()
    upload = store.query('select id from AssetType where short is "upload"')[0]["id"]
    store.execute(
        [
            create("Asset", asset, name="latest", parent=ref("Project", ids["other_project"]),
                   type=ref("AssetType", upload)),
            create("AssetVersion", first, asset=ref("Asset", asset)),
            create("AssetVersion", second, asset=ref("Asset", asset)),
        ],
        ids["user"],
    )  # fmt: skip
    where = f"where asset_id is {asset} and is_latest_version is"
    latest = store.query(f"select id, version from AssetVersion {where} True")
    assert latest == [
        {"__entity_type__": "AssetVersion", "id": second, "asset_id": asset, "version": 2}
    ]
    assert [v["id"] for v in store.query(f"select id from AssetVersion {where} False")] == [first]
    row = store.query(f"select is_latest_version from AssetVersion where id is {second}")[0]
    assert row["is_latest_version"] is True
