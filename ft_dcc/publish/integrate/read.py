"""The one planned read of a publish: everything validation and integration need, one request.

After the task is known (its own read proves the server and the credentials), one ``/api`` POST
carries every other query: the shot with its custom attributes and the explicitly set values
above it, the review session (and the names of the project's open ones, to catch a misspelt
name), the asset, its latest version number, the asset type and, for a
replay, what an earlier attempt already wrote under the manifest's ids. Validation and the
integrate step share the answer (:class:`ServerView`); the integrate step reads again only
when a racing publish made it stale.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import attr

from ft_dcc.protocol import SERVER_LOCATION_ID
from ft_dcc.protocol.query_text import quote, quoted_list
from ft_dcc.publish.common.manifest import IntegrateManifest
from ft_dcc.publish.context.tasks import SHOT_PROJECTION
from ft_dcc.publish.integrate.addresses import AddressedView, address_queries, addressed_view
from ft_dcc.review.names import open_session_names_query
from ft_dcc.session.interface import EntityLike, PublishSession
from ft_dcc.session.replies import query_entities

log = logging.getLogger(__name__)

#: the shot custom attributes a publish reads (ftrack's standard names)
SHOT_KEYS = ("fstart", "fend", "fps", "handles")


@attr.s(auto_attribs=True, kw_only=True)
class PublishTarget:
    """Where a publish goes: its task and the names of what it adds to."""

    task: Any
    asset_name: str
    asset_type: str = "upload"
    review_session_name: Optional[str] = None
    invitees: bool = False  # the publish invites people: read who is invited already
    #: ids of the task's open to-dos the version addresses (``ft_dcc.publish.integrate.addresses``)
    addresses: Tuple[str, ...] = ()
    api_user: Optional[str] = None  # the publisher's username (completes what it addresses)

    @property
    def project_id(self) -> str:
        return str(self.task["project_id"])

    @property
    def context_id(self) -> str:
        """The asset's context: the task's parent (usually the shot), else the project."""
        return str(self.task["parent_id"] or self.task["project_id"])


@attr.s(auto_attribs=True, kw_only=True)
class ServerView:
    """What the server holds for one publish (see the module docstring)."""

    shot: Any = None
    shot_values: Dict[str, Any] = attr.Factory(dict)  # explicitly set SHOT_KEYS
    review_session: Any = None
    asset: Any = None
    asset_type_id: Optional[str] = None
    latest_version: int = 0  # the asset's highest version number (0: none yet)
    version: Any = None  # the manifest's version, when an earlier attempt committed it
    components: Set[str] = attr.Factory(set)  # manifest component ids on the server
    located: Set[str] = attr.Factory(set)  # ... and in ftrack.server
    review_object: Any = None
    invitees: Dict[str, Any] = attr.Factory(dict)  # lower-case email -> ReviewSessionInvitee
    open_sessions: List[str] = attr.Factory(list)  # names of the project's open review sessions
    addressed: AddressedView = attr.Factory(AddressedView)  # the notes the version addresses


Query = Tuple[str, str]  # (what, expression)


def _ids(values: List[str]) -> str:
    return quoted_list(values)


def _shot_chain(task: Any) -> List[str]:
    """The task's parent and its ancestors, nearest first (from the task's ``link``)."""
    link = [item["id"] for item in (task["link"] or [])]
    parents = [i for i in link if i != task["id"]]
    return list(reversed(parents))


def _context_queries(target: PublishTarget) -> List[Query]:
    task = target.task
    asset = (
        f"context_id is {quote(target.context_id)} and name is {quote(target.asset_name)} "
        f"and type.short is {quote(target.asset_type)}"
    )
    queries: List[Query] = [
        ("asset", f"select id, name, type_id, context_id from Asset where {asset} limit 1"),
        (
            "latest",
            "select id, version from AssetVersion where "
            f"asset.context_id is {quote(target.context_id)} "
            f"and asset.name is {quote(target.asset_name)} "
            f"and asset.type.short is {quote(target.asset_type)} "
            "order by version descending limit 1",
        ),
        (
            "asset_type",
            f"select id from AssetType where short is {quote(target.asset_type)} limit 1",
        ),
    ]
    if target.review_session_name:
        queries.append(
            (
                "review_session",
                "select id, name, start_date, end_date, project_id from ReviewSession "
                f"where project_id is {quote(target.project_id)} "
                f"and name is {quote(target.review_session_name)} limit 1",
            )
        )
        queries.append(("open_sessions", open_session_names_query(target.project_id)))
    if target.invitees and target.review_session_name:
        queries.append(
            (
                "invitees",
                "select id, name, email, review_session_id from ReviewSessionInvitee "
                f"where review_session.project_id is {quote(target.project_id)} "
                f"and review_session.name is {quote(target.review_session_name)}",
            )
        )
    chain = _shot_chain(task)
    if task["parent_id"] and task["parent_id"] != task["project_id"]:
        queries.append(("shot", f"{SHOT_PROJECTION} where id is {quote(task['parent_id'])}"))
    if chain:
        queries.append(
            (
                "shot_values",
                "select key, value, entity_id from ContextCustomAttributeValue "
                f"where entity_id in ({_ids(chain)}) and key in ({_ids(list(SHOT_KEYS))})",
            )
        )
    return queries


def _replay_queries(manifest: IntegrateManifest, target: PublishTarget) -> List[Query]:
    queries: List[Query] = [
        (
            "version",
            "select id, version, asset_id, task_id, thumbnail_id from AssetVersion "
            f"where id is {quote(manifest.version_id)}",
        ),
        (
            "review_object",
            "select id, version, review_session_id from ReviewSessionObject "
            f"where id is {quote(manifest.review_session_object_id)}",
        ),
    ]
    component_ids = [c.id for c in manifest.components]
    if component_ids:
        queries.append(
            (
                "components",
                "select id, component_locations.location_id from Component "
                f"where id in ({_ids(component_ids)})",
            )
        )
    return queries


def read_view(
    session: PublishSession, target: PublishTarget, manifest: Optional[IntegrateManifest] = None
) -> ServerView:
    """Everything the publish needs to know from the server, in ONE request."""
    return read_views(session, [(target, manifest)])[0]


def read_views(
    session: PublishSession, wanted: Sequence[Tuple[PublishTarget, Optional[IntegrateManifest]]]
) -> List[ServerView]:
    """:func:`read_view` of several versions of one publish, still in ONE request."""
    batches = [_queries(target, manifest) for target, manifest in wanted]
    replies = session.call(
        [{"action": "query", "expression": e} for queries in batches for _, e in queries]
    )
    views: List[ServerView] = []
    offset = 0
    for (target, _), queries in zip(wanted, batches):
        mine = replies[offset : offset + len(queries)]
        offset += len(queries)
        rows = {what: query_entities(reply) for (what, _), reply in zip(queries, mine)}
        views.append(_view_from(rows, _shot_chain(target.task)))
    return views


def _queries(target: PublishTarget, manifest: Optional[IntegrateManifest]) -> List[Query]:
    queries = _context_queries(target)
    queries += address_queries(str(target.task["id"]), target.addresses, target.api_user)
    if manifest is not None:
        queries += _replay_queries(manifest, target)
    return queries


def _first(rows: Dict[str, List[EntityLike]], what: str) -> Optional[EntityLike]:
    found = rows.get(what) or []
    return found[0] if found else None


def _view_from(rows: Dict[str, List[EntityLike]], chain: List[str]) -> ServerView:
    view = ServerView(
        shot=_first(rows, "shot"),
        review_session=_first(rows, "review_session"),
        asset=_first(rows, "asset"),
        version=_first(rows, "version"),
        review_object=_first(rows, "review_object"),
    )
    asset_type = _first(rows, "asset_type")
    view.asset_type_id = asset_type["id"] if asset_type is not None else None
    latest = _first(rows, "latest")
    view.latest_version = int(latest["version"] or 0) if latest is not None else 0
    rank = {entity_id: index for index, entity_id in enumerate(chain)}
    for row in sorted(rows.get("shot_values", []), key=lambda r: rank.get(r["entity_id"], 99)):
        if row["value"] not in (None, ""):
            view.shot_values.setdefault(row["key"], row["value"])
    for row in rows.get("components", []):
        view.components.add(row["id"])
        if any(loc["location_id"] == SERVER_LOCATION_ID for loc in row["component_locations"]):
            view.located.add(row["id"])
    view.open_sessions = [row["name"] for row in rows.get("open_sessions", [])]
    for row in rows.get("invitees", []):
        view.invitees[(row["email"] or "").lower()] = row
    view.addressed = addressed_view(rows)
    return view
