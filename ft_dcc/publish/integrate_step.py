"""The integrate step of a publish: describe it as a manifest, write it, or queue it."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, List, Optional

from ft_dcc.protocol import (
    CAPTURE_META_KEY,
    ENV_SERVER,
    REVIEW_COMPONENT_MP4,
    REVIEW_META_KEY,
    THUMBNAIL_COMPONENT,
)
from ft_dcc.publish.backlog import publish_rest
from ft_dcc.publish.failures import should_queue
from ft_dcc.publish.instance_data import comment_of, extra_components, version_metadata
from ft_dcc.publish.integrate import fault_point, integrate_manifest
from ft_dcc.publish.integrate_read import ServerView
from ft_dcc.publish.manifest import ComponentSpec, IntegrateManifest
from ft_dcc.publish.queue import OfflineQueue
from ft_dcc.publish.redecide import offline_decision
from ft_dcc.publish.state import PublishState

log = logging.getLogger(__name__)

SOURCE_COMPONENT = "source"


def manifest_from_state(state: PublishState) -> IntegrateManifest:
    """The integrate manifest of a publish whose extract steps have run."""
    review_meta = {REVIEW_META_KEY: json.dumps(state.ftr_meta, sort_keys=True)}
    if state.spec is not None:
        review_meta[CAPTURE_META_KEY] = json.dumps(capture_metadata(state), sort_keys=True)
    components: List[ComponentSpec] = [
        ComponentSpec(
            name=REVIEW_COMPONENT_MP4,
            file=str(state.review_movie_path()),
            file_type=".mp4",
            size=state.review_movie_path().stat().st_size,
            metadata=review_meta,
        )
    ]
    if state.thumbnail is not None:
        components.append(
            ComponentSpec(
                name=THUMBNAIL_COMPONENT,
                file=str(state.thumbnail),
                file_type=Path(state.thumbnail).suffix,
                size=Path(state.thumbnail).stat().st_size,
            )
        )
    source = state.scene
    if state.request.include_source and source is not None and Path(source).is_file():
        components.append(
            ComponentSpec(
                name=SOURCE_COMPONENT,
                file=str(source),
                file_type=Path(source).suffix,
                size=Path(source).stat().st_size,
            )
        )
    data = state.instance_data
    components += extra_components(data)
    session = state.session
    return IntegrateManifest(
        task_id=state.task_id,
        task_path=None if state.task_id else state.task_path,
        asset_name=state.asset_name or "review",
        comment=comment_of(data, state.context_data.get("comment", state.request.comment)),
        components=components,
        metadata=version_metadata(data),
        thumbnail_component=THUMBNAIL_COMPONENT if state.thumbnail is not None else None,
        review_session_name=state.review_session_name,
        invitees=[_invitee(i) for i in state.request.invitees],
        review_session_rules=state.request.new_session_rules(),
        capture=state.spec.to_dict() if state.spec is not None else {},
        host=state.host.name,
        scene=str(state.scene) if state.scene else None,
        server_url=getattr(session, "server_url", None) or os.environ.get(ENV_SERVER),
        api_user=getattr(session, "api_user", None) or state.user,
    )


def capture_metadata(state: PublishState) -> dict:
    """The capture spec plus how review frames map to source (shot) frames.

    ``ftr_meta`` keeps ftrack's convention (``frameIn`` 0, ``frameOut`` exclusive), so the
    source numbering is kept here: review frame ``i`` is source frame
    ``source_first_frame + i``. A slate is the frame before the first
    (``source_first_frame`` is then ``frame_start - 1``; ``slate_frames`` says so).
    """
    spec = state.capture_spec()
    data = spec.to_dict()
    data["source_first_frame"] = spec.frame_start - state.slate_frames()
    data["source_last_frame"] = spec.frame_end
    data["review_frame_in"] = int(state.ftr_meta.get("frameIn", 0))
    if state.thumbnail_frame is not None:
        data["thumbnail_frame"] = state.thumbnail_frame  # the review page's poster frame
    if state.colour is not None:
        data["colour"] = dict(state.colour.to_dict())  # the OCIO transform applied to the frames
    if state.burnin is not None:
        data["slate_frames"] = state.slate_frames()
        choice = state.burnin.to_dict()
        data["burnin"] = {
            "mode": choice["mode"],
            "template": choice["template"],
            "slate_frames": choice["slate_frames"],
            "values": dict(state.burnin_values),
        }
    return data


def _invitee(value: Any) -> dict:
    if isinstance(value, str):
        return {"email": value, "name": value.split("@", 1)[0]}
    return {"email": value["email"], "name": value.get("name") or value["email"]}


def integrate_or_queue(state: PublishState) -> None:
    """Journal the publish, integrate it, drop the journal entry; queue it when the server is
    (or becomes) unreachable. Interrupted, the entry stays for the next flush or publish.

    A run of a several-reviewable publish that is not the last only describes its version
    (``state.integrate_now`` False); the last one writes every version in one commit."""
    own = manifest_from_state(state)
    if state.offline:  # decided without the server: the flush decides it again
        own.queued_decision = offline_decision(state)
    if not state.integrate_now:
        state.manifest = own
        return
    state.manifest = joined_manifest(state, own)
    queue = OfflineQueue(state.request.queue_dir)
    if state.offline:
        state.queue_entry = queue.spool(state.manifest)
        return
    entry = queue.spool(state.manifest, journal=True)  # write-ahead, before any server write
    fault_point("journaled")
    try:
        state.outcome = integrate_manifest(
            state.connected_session(), entry.manifest, entry.media_dir, state.progress,
            task=state.task, views=_views(state),
        )  # fmt: skip
    except Exception as exc:
        if not should_queue(exc, state.session):
            queue.remove(entry)  # refused: the commit wrote nothing (or was undone)
            raise
        _keep_queued(state, queue, entry, exc)
        return
    finally:
        entry.release()  # interrupted (Ctrl-C, SIGTERM): the entry stays for a flush
    queue.remove(entry)
    state.warnings.extend(state.outcome.warnings)
    _check_burnt_version(state)
    publish_rest(state)  # what was queued meanwhile (the older work went first: backlog.py)


def joined_manifest(state: PublishState, own: IntegrateManifest) -> IntegrateManifest:
    """The first reviewable's manifest with every later one (this run's last) as siblings."""
    if not state.siblings:
        return own
    head = state.siblings[0][0]
    head.siblings = [manifest for manifest, _ in state.siblings[1:]] + [own]
    return head


def _views(state: PublishState) -> Optional[List[ServerView]]:
    """The planned reads of every version, in the manifest's order (None: read again)."""
    views = [view for _, view in state.siblings] + [state.view]
    known = [view for view in views if view is not None]
    return known if len(known) == len(views) else None


def _check_burnt_version(state: PublishState) -> None:
    """Warn when the version number burnt into the movie is not the one the server gave."""
    burnt = state.burnin_values.get("version")
    got = state.outcome.version_number if state.outcome is not None else None
    if isinstance(burnt, int) and got is not None and burnt != got:
        state.warnings.append(
            f"the burn-in says v{burnt:03d} but the server numbered this version v{got:03d} "
            "(another publish took that number first): publish again for a matching burn-in"
        )


def _keep_queued(
    state: PublishState, queue: OfflineQueue, entry: Any, error: BaseException
) -> None:
    log.warning("lost the ftrack server while publishing (%s); queueing", error)
    queue.record_failure(entry, f"server unreachable: {error}")
    state.queue_entry = entry
    state.warnings.append(
        f"the ftrack server was lost while publishing ({error}); the review is kept in "
        "the offline queue and published by 'ft-dcc queue flush'"
    )
