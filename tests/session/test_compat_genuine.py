"""Data written by ft_dcc.Session reads back identically through the genuine ftrack_api client,
and the other way round (both against the running embedded server)."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests
from session_helpers import make_project, make_version, open_session, unique

ftrack_api = pytest.importorskip("ftrack_api")

pytestmark = pytest.mark.compat


@pytest.fixture
def genuine(embedded_server: Any, tmp_path: Path) -> Iterator[Any]:
    session = ftrack_api.Session(
        server_url=embedded_server.url,
        api_key=embedded_server.api_key,
        api_user=embedded_server.api_user,
        schema_cache_path=str(tmp_path / "genuine-schema"),
        plugin_paths=[],
        auto_connect_event_hub=False,
    )
    yield session
    session.close()


@pytest.fixture
def ours(embedded_server: Any, tmp_path: Path) -> Iterator[Any]:
    with open_session(embedded_server, tmp_path) as session:
        yield session


def _normalise(value: Any) -> Any:
    if hasattr(value, "datetime") and not isinstance(value, _dt.datetime):  # arrow.Arrow
        value = value.datetime
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.astimezone(_dt.timezone.utc).replace(microsecond=0)
    return value


def _scalars(session: Any, entity_type: str, entity_id: str, names: Any) -> Dict[str, Any]:
    row = session.query(
        f'select {", ".join(names)} from {entity_type} where id is "{entity_id}"'
    ).one()
    return {name: _normalise(row[name]) for name in names}


def _scalar_names(ours: Any, entity_type: str) -> Any:
    schema = ours.types[entity_type].schema
    return sorted(
        a.name for a in schema.attributes.values() if a.kind == "scalar" and not a.computed
    )


def test_written_by_ft_dcc_read_by_ftrack_api(
    ours: Any, genuine: Any, tmp_path: Path, embedded_server: Any
) -> None:
    project = make_project(ours)
    version = make_version(ours, project, commit=False)
    version["metadata"]["ftr_meta"] = json.dumps({"frameIn": 0, "frameOut": 10})
    path = tmp_path / "clip.mp4"
    data = b"not really a movie " * 5000
    path.write_bytes(data)
    component = ours.create_component(
        path, {"name": "ftrackreview-mp4", "version": version}, commit=False
    )
    component["metadata"]["ftr_meta"] = '{"frameRate": 25}'
    review = ours.create("ReviewSession", {"name": unique("rs"), "project": project})
    ours.create(
        "ReviewSessionObject",
        {"name": "shot", "version": "v1", "review_session": review, "asset_version": version},
    )
    ours.commit()

    for entity_type, entity in (
        ("AssetVersion", version),
        ("FileComponent", component),
        ("ReviewSession", review),
        ("Project", project),
    ):
        names = _scalar_names(ours, entity_type)
        ours.reset()
        assert _scalars(genuine, entity_type, entity["id"], names) == _scalars(
            ours, entity_type, entity["id"], names
        )

    theirs = genuine.get("AssetVersion", version["id"])
    assert json.loads(theirs["metadata"]["ftr_meta"]) == {"frameIn": 0, "frameOut": 10}
    their_component = genuine.get("FileComponent", component["id"])
    assert their_component["metadata"]["ftr_meta"] == '{"frameRate": 25}'
    server_location = genuine.query('Location where name is "ftrack.server"').one()
    assert server_location.get_component_availability(their_component) == 100.0
    url = server_location.get_url(their_component)
    assert requests.get(url, timeout=30).content == data
    objects = genuine.query(
        f'ReviewSessionObject where review_session_id is "{review["id"]}"'
    ).all()
    assert [o["asset_version"]["id"] for o in objects] == [version["id"]]


def test_written_by_ftrack_api_read_by_ft_dcc(ours: Any, genuine: Any, tmp_path: Path) -> None:
    name = unique("gproj")
    schema = genuine.query("ProjectSchema").first()
    data: Dict[str, Any] = {"name": name, "full_name": name}
    if schema is not None:
        data["project_schema"] = schema
    project = genuine.create("Project", data)
    asset_type = genuine.query("AssetType").first()
    asset = genuine.create("Asset", {"name": unique("ga"), "parent": project, "type": asset_type})
    version = genuine.create("AssetVersion", {"asset": asset, "comment": "from genuine"})
    genuine.commit()
    version["metadata"]["note"] = "hello"
    genuine.commit()
    path = tmp_path / "genuine.bin"
    payload = b"0123456789" * 30000
    path.write_bytes(payload)
    server_location = genuine.query('Location where name is "ftrack.server"').one()
    component = version.create_component(str(path), data={"name": "main"}, location=server_location)
    genuine.commit()

    for entity_type, entity in (
        ("AssetVersion", version),
        ("FileComponent", component),
        ("Project", project),
    ):
        names = _scalar_names(ours, entity_type)
        ours.reset()
        assert _scalars(ours, entity_type, entity["id"], names) == _scalars(
            genuine, entity_type, entity["id"], names
        )

    mine = ours.get("AssetVersion", version["id"])
    assert mine["metadata"]["note"] == "hello"
    assert mine["asset"]["name"] == asset["name"]
    assert [c["name"] for c in mine["components"]] == ["main"]
    mine_component = mine["components"][0]
    assert mine_component["size"] == len(payload)
    assert requests.get(ours.component_url(mine_component), timeout=30).content == payload
