"""The integrate step of a publish: describe it as a manifest, write it, or queue it."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ft_dcc.protocol import (
    CAPTURE_META_KEY,
    ENV_SERVER,
    REVIEW_COMPONENT_IMAGE,
    REVIEW_COMPONENT_MP4,
    REVIEW_META_KEY,
    THUMBNAIL_COMPONENT,
)
from ft_dcc.publish.common.failures import should_queue
from ft_dcc.publish.common.manifest import ComponentSpec, IntegrateManifest
from ft_dcc.publish.integrate.commit import fault_point, integrate_manifest
from ft_dcc.publish.integrate.read import ServerView
from ft_dcc.publish.offline.backlog import publish_rest
from ft_dcc.publish.offline.queue import OfflineQueue
from ft_dcc.publish.offline.queued_decision import decision_of
from ft_dcc.publish.shared.instance_data import comment_of, extra_components, version_metadata
from ft_dcc.publish.shared.state import (
    PublishResult,
    ReviewScope,
    connection_of,
    publishing,
    task_facts_of,
    warnings_of,
)

log = logging.getLogger(__name__)

SOURCE_COMPONENT = "source"
#: a still's original picture (the review image is its browser-ready copy)
ORIGINAL_COMPONENT = "original"


def manifest_of(state: ReviewScope, session_rules: Mapping[str, object]) -> IntegrateManifest:
    """The integrate manifest of a reviewable whose extract steps have run; ``session_rules``:
    those of a review session it creates (``IntegrateReview``'s)."""
    item = state.item
    review_meta = {REVIEW_META_KEY: json.dumps(item.ftr_meta, sort_keys=True)}
    if item.spec is not None:
        review_meta[CAPTURE_META_KEY] = json.dumps(capture_metadata(state), sort_keys=True)
    components: List[ComponentSpec] = _reviewables_files(state, review_meta)
    if item.thumbnail is not None:
        components.append(_file(THUMBNAIL_COMPONENT, Path(item.thumbnail)))
    source = item.scene
    if state.request.include_source and source is not None and Path(source).is_file():
        components.append(_file(SOURCE_COMPONENT, Path(source)))
    data = state.instance_data
    components += extra_components(data)
    session = state.connection.session
    facts = state.facts
    return IntegrateManifest(
        task_id=facts.task_id,
        task_path=None if facts.task_id else facts.task_path,
        asset_name=item.asset_name,
        comment=comment_of(data, state.data.get("comment", state.request.comment)),
        components=components,
        metadata=version_metadata(data),
        thumbnail_component=THUMBNAIL_COMPONENT if item.thumbnail is not None else None,
        review_session_name=state.review_session_name,
        invitees=[_invitee(i) for i in state.request.invitees],
        addresses=list(state.request.addresses),
        review_session_rules=dict(session_rules),
        capture=item.spec.to_dict() if item.spec is not None else {},
        host=state.host.name,
        scene=str(item.scene) if item.scene else None,
        server_url=getattr(session, "server_url", None) or os.environ.get(ENV_SERVER),
        api_user=getattr(session, "api_user", None) or state.user,
    )


def _file(name: str, path: Path, metadata: Optional[Dict[str, str]] = None) -> ComponentSpec:
    return ComponentSpec(name=name, file=str(path), file_type=path.suffix,
                         size=path.stat().st_size, metadata=metadata or {})  # fmt: skip


def _reviewables_files(state: ReviewScope, review_meta: Dict[str, str]) -> List[ComponentSpec]:
    """A movie's ``ftrackreview-mp4``; a still's ``ftrackreview-image`` (its full-size PNG)
    and its original picture as a component of its own."""
    if not state.item.still:
        return [_file(REVIEW_COMPONENT_MP4, state.review_movie_path(), review_meta)]
    original = Path(state.capture_result().files[0])
    return [
        _file(REVIEW_COMPONENT_IMAGE, state.review_image_path(), review_meta),
        _file(ORIGINAL_COMPONENT, original),
    ]


def capture_metadata(state: ReviewScope) -> dict:
    """The capture spec plus how review frames map to source (shot) frames.

    ``ftr_meta`` keeps ftrack's convention (``frameIn`` 0, ``frameOut`` exclusive), so the
    source numbering is kept here: review frame ``i`` is source frame
    ``source_first_frame + i``. A slate is the frame before the first
    (``source_first_frame`` is then ``frame_start - 1``; ``slate_frames`` says so).
    """
    spec, item = state.capture_spec(), state.item
    data = spec.to_dict()
    data["source_first_frame"] = spec.frame_start - item.slate_frames()
    data["source_last_frame"] = spec.frame_end
    data["review_frame_in"] = int(item.ftr_meta.get("frameIn", 0))
    if item.still:
        data["still"] = True  # one picture: notes on it carry no frame
    if item.thumbnail_frame is not None:
        data["thumbnail_frame"] = item.thumbnail_frame  # the review page's poster frame
    if item.colour is not None:
        data["colour"] = dict(item.colour.to_dict())  # the OCIO transform applied to the frames
    if item.burnin is not None:
        data["slate_frames"] = item.slate_frames()
        choice = item.burnin.to_dict()
        data["burnin"] = {
            "mode": choice["mode"],
            "template": choice["template"],
            "slate_frames": choice["slate_frames"],
            "values": dict(item.burnin_values),
        }
    return data


def _invitee(value: Any) -> dict:
    if isinstance(value, str):
        return {"email": value, "name": value.split("@", 1)[0]}
    return {"email": value["email"], "name": value.get("name") or value["email"]}


def integrate_or_queue(context: Any, session_rules: Mapping[str, object]) -> PublishResult:
    """Journal the publish, write every published reviewable's version in one commit, drop the
    journal entry; queue it when the server is (or becomes) unreachable. Interrupted, the
    entry stays for the next flush or publish. ``session_rules``: see :func:`manifest_of`."""
    data = context.data
    scopes = [ReviewScope.of(each) for each in publishing(context)]
    publish, connection = scopes[0].publish, connection_of(data)
    manifests = [manifest_of(scope, session_rules) for scope in scopes]
    if connection.offline:  # decided without the server: the flush decides it again
        for scope, manifest in zip(scopes, manifests):
            manifest.queued_decision = decision_of(scope).to_json()
    manifest = joined_manifest(manifests)
    queue = OfflineQueue(publish.request.queue_dir)
    if connection.offline:
        return PublishResult(manifest=manifest, queue_entry=queue.spool(manifest))
    session = scopes[0].connected_session()
    entry = queue.spool(manifest, journal=True)  # write-ahead, before any server write
    fault_point("journaled")
    try:
        outcome = integrate_manifest(
            session, entry.manifest, entry.media_dir, publish.progress,
            task=task_facts_of(data).task, views=_views(scopes),
        )  # fmt: skip
    except Exception as exc:
        if not should_queue(exc, session):
            queue.remove(entry)  # refused: the commit wrote nothing (or was undone)
            raise
        return _keep_queued(data, queue, entry, exc, manifest)
    finally:
        entry.release()  # interrupted (Ctrl-C, SIGTERM): the entry stays for a flush
    queue.remove(entry)
    warnings_of(data).extend(outcome.warnings)
    warnings_of(data).extend(_burnt_version_warnings(scopes, outcome.every()))
    publish_rest(data)  # what was queued meanwhile (the older work went first: backlog.py)
    return PublishResult(manifest=manifest, outcome=outcome)


def joined_manifest(manifests: Sequence[IntegrateManifest]) -> IntegrateManifest:
    """The first reviewable's manifest, every later one as its siblings (the journal's and the
    queue's one document per publish)."""
    head = manifests[0]
    head.siblings = list(manifests[1:])
    return head


def _views(scopes: Sequence[ReviewScope]) -> Optional[List[ServerView]]:
    """The planned reads of every version, in the manifest's order (None: read again)."""
    views = [scope.item.view for scope in scopes]
    known = [view for view in views if view is not None]
    return known if len(known) == len(views) else None


def _burnt_version_warnings(scopes: Sequence[ReviewScope], outcomes: Sequence[Any]) -> List[str]:
    """Where the version number burnt into a movie is not the one the server gave."""
    warnings: List[str] = []
    for scope, outcome in zip(scopes, outcomes):
        burnt, got = scope.item.burnin_values.get("version"), outcome.version_number
        if isinstance(burnt, int) and got is not None and burnt != got:
            warnings.append(
                f"the burn-in says v{burnt:03d} but the server numbered this version "
                f"v{got:03d} (another publish took that number first): publish again for a "
                "matching burn-in"
            )
    return warnings


def _keep_queued(
    data: Any, queue: OfflineQueue, entry: Any, error: BaseException,
    manifest: IntegrateManifest,
) -> PublishResult:  # fmt: skip
    log.warning("lost the ftrack server while publishing (%s); queueing", error)
    queue.record_failure(entry, f"server unreachable: {error}")
    warnings_of(data).append(
        f"the ftrack server was lost while publishing ({error}); the review is kept in "
        "the offline queue and published by 'ft-dcc queue flush'"
    )
    return PublishResult(manifest=manifest, queue_entry=entry)
