"""The integrate manifest: everything the integrate step writes, with ids chosen by the client.

Because every id (version, components, review object, a new asset or review session) is a
``uuid4`` chosen before anything is sent, integrating the same manifest twice is harmless: the
second run finds the entities by id and creates nothing. The online publish and the offline
queue's replay both integrate through this one description.
"""

from __future__ import annotations

import datetime as _dt
import uuid
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import attr

from ft_dcc.protocol.json_value import JsonObject

MANIFEST_FORMAT = 1


def new_id() -> str:
    """A fresh client-side entity id (ftrack ids are uuid strings)."""
    return str(uuid.uuid4())


@attr.s(auto_attribs=True, kw_only=True)
class ComponentSpec:
    """One file component of the version: the review movie, the thumbnail or the source."""

    name: str
    file: str  # a path relative to the manifest's media folder (or absolute while online)
    id: str = attr.Factory(new_id)
    file_type: str = ""
    size: int = 0
    metadata: Dict[str, str] = attr.Factory(dict)  # key -> string value (ftr_meta is JSON text)

    def path(self, media_dir: Optional[Path]) -> Path:
        path = Path(self.file)
        if media_dir is not None and not path.is_absolute():
            path = media_dir / path
        return path


@attr.s(auto_attribs=True, kw_only=True)
class IntegrateManifest:
    """What one publish writes to ftrack (see the module docstring)."""

    task_id: Optional[str] = None
    task_path: Optional[str] = None  # "Project/Seq/Shot/Task", resolved at integrate time
    asset_name: str = "review"
    asset_type: str = "upload"  # AssetType.short
    asset_id: str = attr.Factory(new_id)  # used only when the asset must be created
    version_id: str = attr.Factory(new_id)
    comment: str = ""
    components: List[ComponentSpec] = attr.Factory(list)
    metadata: Dict[str, str] = attr.Factory(dict)  # the AssetVersion's (a studio plugin's)
    thumbnail_component: Optional[str] = None  # the name of the component used as thumbnail
    review_session_name: Optional[str] = None
    review_session_id: str = attr.Factory(new_id)  # used only when the session must be created
    review_session_object_id: str = attr.Factory(new_id)
    invitees: List[Dict[str, str]] = attr.Factory(list)  # {"name":..., "email":...}
    #: ids of the task's open to-do notes this version addresses (completed in its commit)
    addresses: List[str] = attr.Factory(list)
    #: the rules of the review session when this publish creates it: open_days, downloads,
    #: watermark (the studio's client_review.* settings; empty: 30 days, none, off)
    review_session_rules: Dict[str, Any] = attr.Factory(dict)
    capture: Dict[str, Any] = attr.Factory(dict)  # the CaptureSpec, to reproduce the review
    host: str = ""
    scene: Optional[str] = None
    server_url: Optional[str] = None
    api_user: Optional[str] = None
    manifest_id: str = attr.Factory(new_id)
    #: the other versions of the same publish (several reviewables): same task and review
    #: session, written with this one in one commit, journaled and queued as one entry
    siblings: List[IntegrateManifest] = attr.Factory(list)
    #: what a publish queued offline decided without the server (the artist's own request,
    #: the host's facts: ``ft_dcc.publish.offline.queued_decision``, in its JSON form):
    #: decided again at flush (``ft_dcc.publish.offline.flush_decision``)
    queued_decision: Dict[str, Any] = attr.Factory(dict)
    created_at: str = attr.Factory(
        lambda: _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    )
    format: int = MANIFEST_FORMAT

    def component(self, name: str) -> Optional[ComponentSpec]:
        for component in self.components:
            if component.name == name:
                return component
        return None

    def versions(self) -> List[IntegrateManifest]:
        """This version and its siblings, in the publish's order."""
        return [self, *self.siblings]

    @property
    def task_label(self) -> str:
        return self.task_path or self.task_id or "?"

    def to_dict(self) -> JsonObject:
        data: JsonObject = attr.asdict(self)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> IntegrateManifest:
        # Any: the fields' values go to the attrs class unchecked (a manifest this module wrote)
        values: Dict[str, Any] = dict(data)
        if values.get("format", MANIFEST_FORMAT) > MANIFEST_FORMAT:
            from ft_dcc.exceptions import QueueError

            raise QueueError(
                f"publish manifest format {values['format']} is newer than this ft_dcc supports",
                hint="flush the queue with the ft_dcc version that queued it, or upgrade",
            )
        values["components"] = [ComponentSpec(**c) for c in values.get("components", [])]
        values["siblings"] = [cls.from_dict(s) for s in values.get("siblings") or []]
        known = {a.name for a in attr.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})
