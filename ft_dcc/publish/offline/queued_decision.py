"""What a publish queued offline decided, as its journal keeps it (typed, one JSON form).

Offline, a publish decides without the server. Each queued version keeps a
:class:`QueuedDecision` in ``IntegrateManifest.queued_decision``: the artist's own request (what
the artist chose, None or empty where the settings decide), in the request's one JSON form
(:mod:`ft_dcc.publish.request.wire`, as a headless host or a farm node receives it), and its
host's facts (:class:`~ft_dcc.publish.common.recorded_host.HostFacts`). The flush settles that
request with the settings of then and decides it again (``flush_decision``).

:func:`read_decision` reads it back, and the two previous formats as they were meant: format 2
(:data:`QUEUED_KEY` 2: the request as the publish received it, settled, beside what the settings
alone gave) and the dict before it (no :data:`QUEUED_KEY`: its request as a handful of decided
values); of both, the artist's choices are what differs from what the settings alone gave
(:func:`artist_choices`). A damaged entry or one of a newer format is a
:class:`~ft_dcc.exceptions.QueueError` naming the journal's file and what to do (the entry and
its media stay queued).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Mapping, Optional

import attr

from ft_dcc.exceptions import QueueError, RequestError
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.publish.common.queue_entry import damaged_entry
from ft_dcc.publish.common.recorded_host import HostFacts, facts_of
from ft_dcc.publish.request.request import PublishRequest
from ft_dcc.publish.request.studio_settings import StudioSettings
from ft_dcc.publish.request.wire import VERSION, VERSION_KEY, request_from_json, request_to_json
from ft_dcc.publish.shared.naming import asset_fields, default_asset_name
from ft_dcc.publish.shared.state import ReviewScope
from ft_dcc.settings.plugins import PluginSettings

log = logging.getLogger(__name__)

#: the key of the queued decision's format in the journal (none: the previous release's dict)
QUEUED_KEY = "ft_dcc_queued"
#: the format this ft_dcc writes (and the newest it reads): the artist's request alone
QUEUED_VERSION = 3
#: the format that kept the settled request beside what the settings alone gave
SETTLED_VERSION = 2

#: the plugins the previous release's decided values belong to (named, never imported: the
#: plugins sit above the queue)
FRAME_CHECK = "ValidateFrameRange"
CAPTURE_SPEC = "CollectCaptureSpec"
REVIEWABLES = "CollectReviewables"  # what names the asset (``naming.asset``)


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class QueuedDecision:
    """One queued version's decision (see the module docstring)."""

    #: the artist's own request for the version (its own reviewable only): None or empty
    #: where the artist chose nothing and the settings decide
    request: PublishRequest
    host: HostFacts
    input: str = ""  # the scene or input it was published from
    burnin: bool = False  # a burn-in shows its frame numbers (a renumbered movie would lie)
    #: the asset's name with no template (None: not recorded: the queued name stays)
    default_asset: Optional[str] = None
    camera: Optional[str] = None  # the camera or Write node that names it

    @property
    def still(self) -> bool:
        return self.request.still

    def to_json(self) -> JsonObject:
        return {
            QUEUED_KEY: QUEUED_VERSION,
            "request": request_to_json(self.request),
            "host": self.host.to_json(),
            "input": self.input,
            "burnin": self.burnin,
            "default_asset": self.default_asset,
            "camera": self.camera,
        }


def artist_choices(settled: PublishRequest, alone: Optional[PublishRequest]) -> PublishRequest:
    """The artist's choices of a ``settled`` request: each value the settings ``alone`` gave
    left to the settings (None: they could not be read, every value is the artist's)."""
    if alone is None:
        return settled
    return attr.evolve(
        settled,
        review_session_name=_own(settled.review_session_name, alone.review_session_name),
        burnin=_own(settled.burnin, alone.burnin),
        burnin_template=_own(settled.burnin_template, alone.burnin_template),
        settings=StudioSettings(plugins=_own_plugins(settled.settings, alone.settings)),
    )


def _own(queued: Optional[str], alone: Optional[str]) -> Optional[str]:
    return None if queued == alone else queued


def _own_plugins(queued: StudioSettings, alone: StudioSettings) -> PluginSettings:
    """The plugin attributes whose value the settings alone did not give."""
    own: PluginSettings = {}
    for plugin, attributes in queued.plugins.items():
        given = alone.plugins.get(plugin, {})
        for name, value in attributes.items():
            if name not in given or given[name] != value:
                own.setdefault(plugin, {})[name] = value
    return own


def decision_of(state: ReviewScope) -> QueuedDecision:
    """What the offline publish of ``state``'s reviewable decided, for the flush (a still as
    decided: the request's or the host's one picture, as a files host given an image)."""
    camera = asset_fields(state).get("camera")
    return QueuedDecision(
        request=attr.evolve(
            _artist_request(state), reviewables=[state.item.reviewable], still=state.item.still
        ),
        host=facts_of(state.host, state.capture_spec()),
        input=str(state.item.scene or ""),
        burnin=state.item.burnin is not None,
        default_asset=default_asset_name(state),
        camera=None if camera is None else str(camera),
    )


def _artist_request(state: ReviewScope) -> PublishRequest:
    """The artist's own request, as the pipeline was handed it (``PublishContext.asked``: a
    host UI's request the pipeline settled, the one ``ft-dcc publish`` or a farm node handed
    beside the request it settled, else the request as it came)."""
    asked = state.publish.asked
    return state.request if asked is None else asked


def read_decision(data: object, where: str, asset: str, task: Optional[str]) -> QueuedDecision:
    """The decision :meth:`QueuedDecision.to_json` wrote, or the previous release's dict, of a
    version queued as ``asset`` to ``task``; QueueError naming ``where`` (the journal's file)
    when it is damaged or newer than this ft_dcc reads."""
    if not isinstance(data, Mapping):
        raise damaged_entry(where, f"its queued decision is {type(data).__name__}, not an object")
    version = data.get(QUEUED_KEY, 1)
    if isinstance(version, bool) or not isinstance(version, int) or version > QUEUED_VERSION:
        raise QueueError(
            f"the queued publish's journal {where} holds a decision of format {QUEUED_KEY} "
            f"{version!r}; this ft_dcc reads {QUEUED_VERSION} and before: it stays queued, "
            "with its media",
            hint="flush it with the ft_dcc version that queued it (or upgrade this one)",
        )
    try:
        if version == 1:
            return _previous(data, asset, task)
        return _current(data, settled=version == SETTLED_VERSION)
    except (RequestError, TypeError, ValueError) as exc:
        raise damaged_entry(where, str(exc)) from exc


def _current(data: Mapping[str, Any], settled: bool) -> QueuedDecision:
    """Format 3 (the artist's request), or 2 (``settled``: the settled request and what the
    settings alone gave, ``alone``)."""
    request = request_from_json(data.get("request"))
    alone = data.get("alone") if settled else None
    host = data.get("host")
    if not isinstance(host, Mapping):
        raise TypeError("its host facts are not an object")
    return QueuedDecision(
        request=request if alone is None else artist_choices(request, request_from_json(alone)),
        host=HostFacts.of(host),
        input=_text(data.get("input")) or "",
        burnin=bool(data.get("burnin")),
        default_asset=_text(data.get("default_asset")),
        camera=_text(data.get("camera")),
    )


def _text(value: object) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{value!r} is not a text")


def _previous(data: Mapping[str, Any], asset: str, task: Optional[str]) -> QueuedDecision:
    """The previous release's dict: ``request`` and ``settings`` (what the settings alone
    gave) as decided values, ``host`` facts, ``input``, ``burnin``; later ``asset`` (whether
    the artist named it, its default name, the template's fields) and ``still``."""
    names = data.get("asset")
    inputs: Mapping[str, Any] = names if isinstance(names, Mapping) else {}
    artist = asset if not inputs or inputs.get("artist") else None  # none recorded: it stays
    still = bool(data.get("still"))
    alone = data.get("settings")
    host = data.get("host")
    fields = inputs.get("fields")
    camera = fields.get("camera") if isinstance(fields, Mapping) else None
    request = _former_request(data.get("request"), artist, task, still)
    given = _former_request(alone, artist, task, still) if isinstance(alone, Mapping) else None
    return QueuedDecision(
        request=artist_choices(request, given),
        host=HostFacts.of(host if isinstance(host, Mapping) else {}),
        input=str(data.get("input") or ""),
        burnin=bool(data.get("burnin")),
        default_asset=_text(inputs.get("default")),
        camera=None if camera is None else str(camera),
    )


def _former_request(
    values: object, asset: Optional[str], task: Optional[str], still: bool
) -> PublishRequest:
    """The previous release's decided values as the request they stood for, read by the
    request's one reader (its types checked as strictly)."""
    if not isinstance(values, Mapping):
        raise TypeError("its queued request is not an object")
    capture = {"resolution": values.get("resolution"), "scale": values.get("scale"),
               "max_size": values.get("max_size"), "frame_range": values.get("frame_rule"),
               "handles": values.get("handles")}  # fmt: skip
    plugins: Dict[str, Dict[str, object]] = {
        CAPTURE_SPEC: {name: value for name, value in capture.items() if value is not None},
        FRAME_CHECK: {"severity": values.get("frame_check") or "block"},
    }
    if values.get("asset_name_template"):
        plugins[REVIEWABLES] = {"asset_name_template": values["asset_name_template"]}
    return request_from_json({
        VERSION_KEY: VERSION, "reviewables": [{"asset_name": asset}], "task": task,
        "review_session_name": values.get("review_session"), "fps": values.get("fps"),
        "frames": values.get("frames"), "still": still, "settings": {"plugins": plugins},
        "task_names": values.get("name_fields") or {},
    })  # fmt: skip


__all__ = ["QueuedDecision", "artist_choices", "decision_of", "read_decision"]
