"""The ``instance.data`` contract: what a studio plugin may read and write on a reviewable.

ft_dcc's collector fills each review instance with the keys of :data:`CONTRACT_KEYS`
(``docs/studio-plugins.md``). A studio collector may change them (read back into the capture
at the end of collection, :func:`apply_collected`); any plugin before the integrator may set
``publish`` False (this reviewable is not published, the others are), add ``components``
(``{"name": ..., "path": ...}``: extra files of this instance's version, in the same commit)
and ``metadata`` (stored on the AssetVersion). ``context.data["comment"]`` is the publish's
comment; an instance's own ``comment`` wins when a plugin changed it. ``stagingDir`` is a folder
of this reviewable's where a plugin may write files (removed with the publish's work folder).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, MutableMapping, Optional, Tuple

import attr

from ft_dcc.exceptions import ValidationError
from ft_dcc.publish.shared.state import publishes as publishes  # the rule lives with the records

if TYPE_CHECKING:  # pragma: no cover - types only
    from ft_dcc.publish.common.manifest import ComponentSpec
    from ft_dcc.publish.shared.state import ReviewItem, ReviewScope

#: an instance's ``data`` (pyblish's plain dict)
InstanceData = MutableMapping[str, Any]

CONTRACT_KEYS = (
    "frameStart", "frameEnd", "handleStart", "handleEnd", "fps", "resolutionWidth",
    "resolutionHeight", "camera", "asset", "task", "comment", "family", "families", "publish",
    "components", "metadata", "stagingDir",
)  # fmt: skip
#: what the collector put in ``comment`` (to tell a plugin's change from the context's)
COLLECTED_COMMENT = "ftDccCollectedComment"
#: component names ft_dcc's own files use: a studio component may not take them
RESERVED_COMPONENTS = ("ftrackreview-mp4", "ftrackreview-image", "thumbnail", "source", "original")


def contract_data(state: ReviewScope, family: str, comment: str) -> Dict[str, Any]:
    """The contract keys of a freshly collected review instance."""
    spec = state.capture_spec()
    handles = _handles(state)
    staging = state.work_folder() / "studio"
    staging.mkdir(parents=True, exist_ok=True)
    return {
        "frameStart": spec.frame_start + handles,
        "frameEnd": spec.frame_end - handles,
        "handleStart": handles,
        "handleEnd": handles,
        "fps": float(spec.fps),
        "resolutionWidth": spec.width,
        "resolutionHeight": spec.height,
        "camera": spec.camera,
        "asset": state.item.asset_name,
        "task": _task_as_given(state),
        "comment": comment,
        COLLECTED_COMMENT: comment,
        "family": family,
        "families": [family],
        "publish": True,
        "components": [],
        "metadata": {},
        "stagingDir": str(staging),
    }


def _handles(state: ReviewScope) -> int:
    """The handles the collected range holds around the shot's (none with the artist's frames)."""
    request = state.request
    if request.frames or not state.host.renders_range or state.item.still:
        return 0
    return state.item.rules.handles


def apply_collected(item: ReviewItem, data: Mapping[str, Any]) -> None:
    """Read what collectors changed in the contract back into the capture spec and asset name."""
    spec = item.spec
    if spec is None:  # the capture settings were not collected (that step said why)
        return
    start = int(data["frameStart"]) - int(data["handleStart"])
    end = int(data["frameEnd"]) + int(data["handleEnd"])
    fps = Fraction(str(data["fps"])).limit_denominator(1001)
    wanted = attr.evolve(
        spec, frame_start=start, frame_end=end, camera=data["camera"],
        width=int(data["resolutionWidth"]), height=int(data["resolutionHeight"]),
        fps=fps if float(fps) != float(spec.fps) else spec.fps,
    )  # fmt: skip
    if wanted != spec:
        item.spec = wanted
    item.asset_name = str(data["asset"] or item.asset_name or "review")


def comment_of(data: Mapping[str, Any], context_comment: object) -> str:
    """The version's comment: the instance's when a plugin changed it, else the context's."""
    own = data.get("comment")
    if own is not None and own != data.get(COLLECTED_COMMENT):
        return str(own)
    return "" if context_comment is None else str(context_comment)


def extra_components(data: Mapping[str, Any]) -> List[ComponentSpec]:
    """The studio's ``components`` of an instance, checked (a file that is there, a free name)."""
    from ft_dcc.publish.common.manifest import ComponentSpec

    found: List[ComponentSpec] = []
    for entry in data.get("components") or []:
        name, path = _component_entry(entry)
        if name in RESERVED_COMPONENTS or name in [c.name for c in found]:
            raise ValidationError(
                f"a plugin added a second component called {name!r}",
                hint="give each entry of instance.data['components'] its own name "
                f"(not {', '.join(RESERVED_COMPONENTS)})",
            )
        found.append(ComponentSpec(name=name, file=str(path), file_type=path.suffix,
                                   size=path.stat().st_size))  # fmt: skip
    return found


def _component_entry(entry: object) -> Tuple[str, Path]:
    name = entry.get("name") if isinstance(entry, Mapping) else None
    path = Path(str(entry.get("path") or "")) if isinstance(entry, Mapping) else None
    if not name or path is None or not path.is_file():
        raise ValidationError(
            f"instance.data['components'] holds {entry!r}, not a name and the path of a file",
            hint='each entry is {"name": "...", "path": "/an/existing/file"}',
        )
    return str(name), path


def version_metadata(data: Mapping[str, Any]) -> Dict[str, str]:
    """The instance's ``metadata``, as ftrack stores it (text; other values as JSON)."""
    given = data.get("metadata") or {}
    if not isinstance(given, Mapping):
        raise ValidationError(
            f"instance.data['metadata'] is {type(given).__name__}, not a dict",
            hint="set instance.data['metadata'] to a dict of names to values",
        )
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in given.items()}


def _task_as_given(state: ReviewScope) -> Optional[str]:
    """The task as the artist gave it (a path, else an id), read before the server is."""
    from ft_dcc.publish.context.tasks import parse_task_ref

    task_id, task_path = parse_task_ref(state.request.task)
    return task_path or task_id
