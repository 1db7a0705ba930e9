"""The one commit of a publish: every create and update it needs, as one list of operations.

Built from the manifest and the :class:`~ft_dcc.publish.integrate.read.ServerView`, it creates
only what the server does not have yet (a replay creates nothing twice). Ids are the client's:
the manifest's for what belongs to this publish, and ids derived from names
(:func:`ft_dcc.review.sessions.derived_id`) for what racing publishes may both create (Asset,
AssetType, ReviewSession, invitees), so the server keeps one and refuses the other's batch as a
whole. A review session's and an invitee's id take their next generation (:class:`Generations`)
when the server refuses one as a deleted row's.
Version numbers and ``sort_order`` are left to the server. The batch is one transaction:
refused, it leaves nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import attr

from ft_dcc.protocol import SERVER_LOCATION_ID, client_review
from ft_dcc.publish.common.manifest import ComponentSpec, IntegrateManifest
from ft_dcc.publish.integrate.addresses import address_operations
from ft_dcc.publish.integrate.read import PublishTarget, ServerView
from ft_dcc.review import sessions as review
from ft_dcc.review.client_write import setting_data


@attr.s(auto_attribs=True, kw_only=True)
class CommitPlan:
    """The operations of the commit and what they create."""

    operations: List[Dict[str, Any]] = attr.Factory(list)
    created: List[Tuple[str, List[str]]] = attr.Factory(list)  # (entity type, primary key)
    label: str = ""  # the review object's label, from the predicted version number
    review_session_id: Optional[str] = None
    invitee_ids: List[str] = attr.Factory(list)  # everyone the manifest invites

    def create(
        self, entity_type: str, data: Mapping[str, object], key: Optional[List[str]] = None
    ) -> None:
        entity_key = key or [str(data["id"])]
        self.operations.append(
            {
                "action": "create",
                "entity_type": entity_type,
                "entity_key": entity_key,
                "entity_data": dict(data, __entity_type__=entity_type),
            }
        )
        self.created.append((entity_type, entity_key))

    def update(self, entity_type: str, entity_id: str, data: Mapping[str, object]) -> None:
        self.operations.append(
            {
                "action": "update",
                "entity_type": entity_type,
                "entity_key": [entity_id],
                "entity_data": dict(data, __entity_type__=entity_type),
            }
        )

    def index_of(self, entity_type: str, entity_id: str) -> Optional[int]:
        for index, op in enumerate(self.operations):
            if op.get("entity_type") == entity_type and op.get("entity_key") == [entity_id]:
                return index
        return None


@attr.s(auto_attribs=True)
class Generations:
    """The generation of each derived id a commit sends (:func:`ft_dcc.review.sessions.derived_id`):
    0, the id as always, until the server refuses it as a deleted row's (``DeletedIdError``);
    then the next. Kept across the retries of one commit; racing publishes walk the same
    sequence, so they still meet on one row."""

    current: Dict[str, int] = attr.Factory(dict)  # generation-0 id -> generation sent
    sent: Dict[str, str] = attr.Factory(dict)  # id sent -> its generation-0 id

    def id_for(self, entity_type: str, *parts: str) -> str:
        base = review.derived_id(entity_type, *parts)
        ident = review.derived_id(entity_type, *parts, generation=self.current.get(base, 0))
        self.sent[ident] = base
        return ident

    def next_after(self, deleted_id: str) -> bool:
        """Take the next generation of the id ``deleted_id`` the server refused as a deleted
        row's; False when this commit did not derive it or its generations are used up."""
        base = self.sent.get(deleted_id)
        if base is None:
            return False
        generation = self.current.get(base, 0) + 1
        if generation >= review.MAX_GENERATIONS:
            return False
        self.current[base] = generation
        return True


def label_for(number: Optional[int]) -> str:
    return f"v{int(number):03d}" if number else ""


def asset_id_for(target: PublishTarget) -> str:
    return review.derived_id("Asset", target.context_id, target.asset_name, target.asset_type)


def _asset(plan: CommitPlan, target: PublishTarget, view: ServerView) -> str:
    if view.asset is not None:
        return str(view.asset["id"])
    type_id = view.asset_type_id
    if type_id is None:
        type_id = review.derived_id("AssetType", target.asset_type)
        plan.create(
            "AssetType",
            {"id": type_id, "name": target.asset_type.title(), "short": target.asset_type},
        )
    asset_id = asset_id_for(target)
    plan.create(
        "Asset",
        {
            "id": asset_id,
            "name": target.asset_name,
            "context_id": target.context_id,
            "type_id": type_id,
        },
    )
    return asset_id


def _component(
    plan: CommitPlan, manifest: IntegrateManifest, component: ComponentSpec, view: ServerView,
    media_dir: Optional[Path],
) -> None:  # fmt: skip
    if component.id not in view.components:
        path = component.path(media_dir)
        size = component.size or (path.stat().st_size if path.is_file() else 0)
        plan.create(
            "FileComponent",
            {
                "id": component.id,
                "name": component.name,
                "version_id": manifest.version_id,
                "size": size,
                "file_type": component.file_type or path.suffix,
            },
        )
        for key, value in component.metadata.items():
            data = {"parent_id": component.id, "parent_type": "FileComponent", "key": key}
            plan.create("Metadata", dict(data, value=value), key=[component.id, key])
    if component.id not in view.located:
        plan.create(
            "ComponentLocation",
            {
                "id": review.derived_id("ComponentLocation", component.id, SERVER_LOCATION_ID),
                "component_id": component.id,
                "location_id": SERVER_LOCATION_ID,
                "resource_identifier": component.id,
            },
        )


def _version(
    plan: CommitPlan, manifest: IntegrateManifest, target: PublishTarget, view: ServerView,
    media_dir: Optional[Path],
) -> None:  # fmt: skip
    if view.version is None:
        asset_id = _asset(plan, target, view)
        plan.create(
            "AssetVersion",
            {
                "id": manifest.version_id,
                "asset_id": asset_id,
                "task_id": target.task["id"],
                "comment": manifest.comment,
            },
        )
        plan.label = label_for(view.latest_version + 1)  # checked against the server's number
        for key, value in manifest.metadata.items():
            data = {"parent_id": manifest.version_id, "parent_type": "AssetVersion", "key": key}
            plan.create("Metadata", dict(data, value=value), key=[manifest.version_id, key])
    else:
        plan.label = label_for(view.version["version"])
    for component in manifest.components:
        _component(plan, manifest, component, view, media_dir)
    thumbnail = manifest.component(manifest.thumbnail_component or "")
    current = view.version["thumbnail_id"] if view.version is not None else None
    if thumbnail is not None and current != thumbnail.id:
        plan.update("AssetVersion", manifest.version_id, {"thumbnail_id": thumbnail.id})


def _new_session(
    plan: CommitPlan, target: PublishTarget, rules: Mapping[str, Any], generations: Generations
) -> str:
    """Create the review session with the rules the studio gives new ones (``client_review.*``):
    open ``open_days`` days; its ``EntitySetting`` rows only where a rule is not the default
    (no row: downloads none, no watermark). Returns its id."""
    days = int(rules.get("open_days") or review.DEFAULT_OPEN_DAYS)
    project_id, name = target.project_id, str(target.review_session_name)
    ident = generations.id_for("ReviewSession", project_id, name)
    new_session = review.review_session_data(project_id, name, days_open=days, id=ident)
    plan.create("ReviewSession", new_session)
    session_id = new_session["id"]
    values = {
        client_review.DOWNLOAD_POLICY: str(rules.get("downloads") or "none"),
        client_review.WATERMARK: "true" if rules.get("watermark") else "false",
    }
    for name, value in values.items():
        if value not in ("none", "false"):
            data = setting_data(session_id, name, value)
            plan.create("EntitySetting", data, key=[session_id, client_review.GROUP, name])
    return session_id


def _review(
    plan: CommitPlan, manifest: IntegrateManifest, target: PublishTarget, view: ServerView,
    generations: Generations,
) -> None:  # fmt: skip
    if not target.review_session_name:
        return
    if view.review_session is None:
        rules = manifest.review_session_rules
        plan.review_session_id = _new_session(plan, target, rules, generations)
    else:
        plan.review_session_id = str(view.review_session["id"])
    if view.review_object is None:
        new_object = review.review_object_data(
            plan.review_session_id, manifest.version_id, manifest.asset_name,
            description=manifest.comment, label=plan.label, id=manifest.review_session_object_id,
        )  # fmt: skip
        plan.create("ReviewSessionObject", new_object)
    elif view.review_object["version"] != plan.label and plan.label:
        plan.update(
            "ReviewSessionObject", manifest.review_session_object_id, {"version": plan.label}
        )
    for invitee in manifest.invitees:
        email = invitee["email"].lower()
        if email in view.invitees:
            plan.invitee_ids.append(str(view.invitees[email]["id"]))
        else:
            data = {
                "id": generations.id_for("ReviewSessionInvitee", plan.review_session_id, email),
                "email": invitee["email"],
                "name": invitee.get("name") or invitee["email"],
                "review_session_id": plan.review_session_id,
            }
            plan.create("ReviewSessionInvitee", data)
            plan.invitee_ids.append(data["id"])


def plan_commit(
    manifest: IntegrateManifest,
    target: PublishTarget,
    view: ServerView,
    media_dir: Optional[Path] = None,
    generations: Optional[Generations] = None,
) -> CommitPlan:
    """The operations that make ``manifest`` true, given what the server has (``view``);
    derived ids of the ``generations`` given (else generation 0)."""
    plan = CommitPlan()
    _version(plan, manifest, target, view, media_dir)
    _review(plan, manifest, target, view, generations or Generations())
    if target.addresses and view.version is None:  # a replay's commit completed them already
        name = " ".join(p for p in (manifest.asset_name, plan.label) if p)
        plan.operations += address_operations(
            target.addresses, view.addressed, manifest.version_id, name
        )
    return plan


def join_plans(plans: List[CommitPlan]) -> CommitPlan:
    """The one commit of several versions of a publish: their operations in order, each entity
    they share (a new asset type, review session or invitee) created once."""
    joined = CommitPlan(review_session_id=plans[0].review_session_id, label=plans[0].label)
    seen = set()
    for plan in plans:
        for operation in plan.operations:
            key = (operation["action"], operation["entity_type"], tuple(operation["entity_key"]))
            if operation["action"] == "create" and key in seen:
                continue
            seen.add(key)
            joined.operations.append(operation)
        joined.created.extend(item for item in plan.created if item not in joined.created)
        joined.invitee_ids.extend(i for i in plan.invitee_ids if i not in joined.invitee_ids)
    return joined
