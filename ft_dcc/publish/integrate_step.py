"""The integrate step of a publish: describe it as a manifest, write it, or queue it."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, List

from ft_dcc.protocol import ENV_SERVER, REVIEW_COMPONENT_MP4, REVIEW_META_KEY, THUMBNAIL_COMPONENT
from ft_dcc.publish.failures import should_queue
from ft_dcc.publish.integrate import integrate_manifest
from ft_dcc.publish.manifest import ComponentSpec, IntegrateManifest
from ft_dcc.publish.queue import OfflineQueue

log = logging.getLogger(__name__)

SOURCE_COMPONENT = "source"
CAPTURE_META_KEY = "ft_dcc_capture"


def manifest_from_state(state: Any) -> IntegrateManifest:
    """The integrate manifest of a publish whose extract steps have run."""
    review_meta = {REVIEW_META_KEY: json.dumps(state.ftr_meta, sort_keys=True)}
    if state.spec is not None:
        review_meta[CAPTURE_META_KEY] = json.dumps(capture_metadata(state), sort_keys=True)
    components: List[ComponentSpec] = [
        ComponentSpec(
            name=REVIEW_COMPONENT_MP4,
            file=str(state.review_movie),
            file_type=".mp4",
            size=Path(state.review_movie).stat().st_size,
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
    session = state.session
    return IntegrateManifest(
        task_id=state.task_id,
        task_path=None if state.task_id else state.task_path,
        asset_name=state.asset_name or "review",
        comment=state.request.comment,
        components=components,
        thumbnail_component=THUMBNAIL_COMPONENT if state.thumbnail is not None else None,
        review_session_name=state.review_session_name,
        invitees=[_invitee(i) for i in state.request.invitees],
        capture=state.spec.to_dict() if state.spec is not None else {},
        host=state.host.name,
        scene=str(state.scene) if state.scene else None,
        server_url=getattr(session, "server_url", None) or os.environ.get(ENV_SERVER),
        api_user=getattr(session, "api_user", None) or state.user,
    )


def capture_metadata(state: Any) -> dict:
    """The capture spec plus how review frames map to source (shot) frames.

    ``ftr_meta`` keeps ftrack's convention (``frameIn`` 0, ``frameOut`` exclusive), so the
    source numbering is kept here: review frame ``i`` is source frame
    ``source_first_frame + i``.
    """
    data = state.spec.to_dict()
    data["source_first_frame"] = state.spec.frame_start
    data["source_last_frame"] = state.spec.frame_end
    data["review_frame_in"] = int(state.ftr_meta.get("frameIn", 0))
    return data


def _invitee(value: Any) -> dict:
    if isinstance(value, str):
        return {"email": value, "name": value.split("@", 1)[0]}
    return {"email": value["email"], "name": value.get("name") or value["email"]}


def integrate_or_queue(state: Any) -> None:
    """Integrate the publish; when the server is (or becomes) unreachable, queue it instead."""
    state.manifest = manifest_from_state(state)
    if not state.offline:
        try:
            state.outcome = integrate_manifest(
                state.session, state.manifest, None, state.progress, task=state.task
            )
            state.warnings.extend(state.outcome.warnings)
            return
        except Exception as exc:
            if not should_queue(exc, state.session):
                raise
            log.warning("lost the ftrack server while publishing (%s); queueing", exc)
            state.warnings.append(
                f"the ftrack server was lost while publishing ({exc}); the review is kept in "
                "the offline queue and published by 'ft-dcc queue flush'"
            )
    queue = OfflineQueue(state.request.queue_dir)
    state.queue_entry = queue.spool(state.manifest)
