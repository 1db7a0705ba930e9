"""The schema model: inheritance, relation keys and generated storage."""

from __future__ import annotations

import pytest

pytest.importorskip("sqlalchemy")

from ft_dcc.protocol.schemas import load_schemas
from ft_dcc.server.model.schema import SchemaModel
from ft_dcc.server.model.storage import DISCRIMINATOR, build_tables
from ft_dcc.server.store.store import Store

ISSUE_TYPES = [
    "Context",
    "TypedContext",
    "Project",
    "Folder",
    "Sequence",
    "Shot",
    "Task",
    "Asset",
    "AssetType",
    "AssetVersion",
    "Component",
    "FileComponent",
    "SequenceComponent",
    "ContainerComponent",
    "ComponentLocation",
    "Location",
    "Metadata",
    "User",
    "Status",
    "Type",
    "ObjectType",
    "Note",
    "NoteComponent",
    "ReviewSession",
    "ReviewSessionObject",
    "ReviewSessionInvitee",
    "ReviewSessionObjectStatus",
    "Job",
    "JobComponent",
    "CustomAttributeConfiguration",
    "ContextCustomAttributeValue",
]


@pytest.fixture(scope="module")
def model() -> SchemaModel:
    return SchemaModel(load_schemas())


def test_issue_types_are_present_with_flattened_properties(model: SchemaModel) -> None:
    for name in ISSUE_TYPES:
        assert model.get(name) is not None, name
    shot = model.types["Shot"]
    for inherited in ("name", "parent", "children", "status", "custom_attributes", "metadata"):
        assert inherited in shot.attributes
    assert set(model.types["Component"].attributes) <= set(model.types["FileComponent"].attributes)


def test_inheritance_families(model: SchemaModel) -> None:
    assert model.types["Task"].family == "Context"
    assert model.types["Project"].parent == "Context"
    assert model.types["Shot"].parent == "TypedContext"
    assert set(model.types["TypedContext"].descendants) >= {"Task", "Shot", "Sequence", "Folder"}
    assert "Project" not in model.types["TypedContext"].descendants
    assert model.types["SequenceComponent"].parent == "ContainerComponent"
    assert set(model.types["Component"].descendants) == {
        "Component",
        "FileComponent",
        "ContainerComponent",
        "SequenceComponent",
    }
    assert model.is_subtype("SequenceComponent", "Component")


@pytest.mark.parametrize(
    "type_name,attribute,key",
    [
        ("ReviewSessionObject", "asset_version", "version_id"),
        ("Asset", "parent", "context_id"),
        ("Note", "author", "user_id"),
        ("FileComponent", "version", "version_id"),
        ("ComponentLocation", "location", "location_id"),
        ("Task", "project", "project_id"),
        ("Status", "state", "_state_id"),  # no public key attribute: a hidden column
    ],
)
def test_reference_keys(model: SchemaModel, type_name: str, attribute: str, key: str) -> None:
    assert model.types[type_name].attributes[attribute].foreign_key == key


@pytest.mark.parametrize(
    "type_name,attribute,target,remote",
    [
        ("AssetVersion", "components", "Component", "version_id"),
        ("Asset", "versions", "AssetVersion", "asset_id"),
        ("Shot", "children", "Context", "parent_id"),
        ("Shot", "assets", "Asset", "context_id"),
        ("ReviewSession", "review_session_objects", "ReviewSessionObject", "review_session_id"),
        ("FileComponent", "component_locations", "ComponentLocation", "component_id"),
        ("SequenceComponent", "members", "Component", "container_id"),
        ("AssetVersion", "notes", "Note", "parent_id"),
        ("Job", "job_components", "JobComponent", "job_id"),
    ],
)
def test_collection_keys(model: SchemaModel, type_name, attribute, target, remote) -> None:
    attr = model.types[type_name].attributes[attribute]
    assert (attr.target, attr.remote_key) == (target, remote)


def test_storage_is_generated_one_table_per_family(model: SchemaModel) -> None:
    from sqlalchemy import MetaData

    tables = build_tables(model, MetaData())
    context = tables["Context"]
    assert DISCRIMINATOR in context.c
    for column in ("name", "parent_id", "project_id", "full_name", "bid", "status_id"):
        assert column in context.c
    assert "thumbnail_url" not in context.c  # computed, never stored
    assert [c.name for c in tables["Metadata"].primary_key.columns] == ["key", "parent_id"]
    assert "_state_id" in tables["Status"].c


def test_in_memory_database_is_shared_between_connections() -> None:
    store = Store("sqlite:///:memory:")
    user = store.ensure_seed("test.user")
    assert store.query('select id from User where username is "test.user"')[0]["id"] == user
