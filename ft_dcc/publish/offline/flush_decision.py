"""A publish queued offline is decided again at flush, by the live publish's own plugins.

Offline, a publish decides without the server: the review session's name and the capture size
come from the settings file and the defaults (the studio's and the project's settings unread),
frames that carry no rate play at the configured default (the shot's rate unread), the range is
the input's. When it is queued it records what it decided (:func:`offline_decision`, kept in
``IntegrateManifest.queued_decision``): its request, what the settings alone gave (a value that
differs is the artist's own choice, and stays) and its host's facts. At flush
:func:`decide_again` reads the settings now (``settings_options``, as a live publish) and runs
the pipeline's collectors and validators that decide (pyblish's target ``queued``:
``api.decide_queued``) on that request and the recorded host (``RecordedHost``). Then

- what can be fixed without the DCC is fixed: the review session's and the asset's names, and
  the numbering of a movie the shot numbers (when no burn-in shows it);
- what the encoded work no longer matches (another rate, size or range) refuses the publish with
  the reason and what to do (:class:`~ft_dcc.exceptions.QueueError`): it stays queued;
- the frame checks follow ``ValidateFrameRange``'s own severity as the settings give it
  (``checks.frame_range`` or its ``plugins`` entry): block refuses, warn makes warnings of the
  published version, off (or the check left out) checks nothing (nor takes the shot's frames).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Tuple

from ft_dcc.exceptions import FtDccError, QueueError
from ft_dcc.protocol import CAPTURE_META_KEY
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.publish.common.manifest import IntegrateManifest
from ft_dcc.publish.common.recorded_host import RecordedHost, facts_of, fraction_text
from ft_dcc.publish.common.report import StepResult
from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.publish.host_port import CaptureSpec, to_fraction
from ft_dcc.publish.pipeline.stages import OFF, severity_given
from ft_dcc.publish.request.request import PublishRequest, Reviewable
from ft_dcc.publish.request.settings_options import SharedRead, resolve_for, settled
from ft_dcc.publish.request.studio_settings import StudioSettings
from ft_dcc.publish.rules.checks import rate_text
from ft_dcc.publish.shared.naming import asset_fields, default_asset_name
from ft_dcc.publish.shared.state import (
    SESSION_NAME_KEY,
    STATE_KEY,
    ReviewItem,
    ReviewScope,
    item_of,
    warnings_of,
)
from ft_dcc.session.interface import EntityLike, IntegrateSession

log = logging.getLogger(__name__)

#: the frame check: its ``severity``, as the settings give it its class, is asked of it
#: (``severity_given``; plugins are named, never imported: they sit above the queue)
FRAME_CHECK = "ValidateFrameRange"
#: what reads the shot and takes its frames (left out with the frame check ``off`` and for a
#: still: the frames stay)
SERVER_VIEW, SHOT_FRAMES = "CollectServerView", "CollectShotFrames"
#: what sizes the capture (``capture.resolution``, ``capture.scale``, ``encode.max_size``) and
#: decides its range (``capture.frame_range``, ``capture.handles``)
CAPTURE_SPEC = "CollectCaptureSpec"
REVIEWABLES = "CollectReviewables"  # what names the asset (``naming.asset``)
#: the request's values the settings may fill (the artist's own choice wins over them)
SETTLED = ("review_session", "resolution", "scale", "max_size", "frame_rule", "handles",
           "frame_check", "asset_name_template")  # fmt: skip
SHORT_ID = 8
#: capture record fields in source frame numbers (moved when a movie is numbered again)
NUMBERED = ("frame_start", "frame_end", "source_first_frame", "source_last_frame",
            "thumbnail_frame")  # fmt: skip


def offline_decision(state: ReviewScope) -> JsonObject:
    """What a publish decided without the server, for :func:`decide_again` at flush."""
    spec = state.capture_spec()
    return {
        "request": decided(state.request),
        "settings": _settings_alone(state),
        "host": facts_of(state.host, spec),
        "input": str(state.item.scene or ""),
        "burnin": state.item.burnin is not None,
        "asset": _asset_inputs(state),
        "still": state.item.still,  # one picture: no frames nor capture size to match
    }


def _asset_inputs(state: ReviewScope) -> JsonObject:
    """What names the asset again at flush: whether it is the artist's, the name with no
    template and the template's fields (the task's names come from the flush's settings)."""
    fields: JsonObject = {
        key: None if value is None else str(value) for key, value in asset_fields(state).items()
    }
    return {
        "artist": bool(state.item.reviewable.asset_name),
        "default": default_asset_name(state),
        "fields": fields,
    }


def decided(request: PublishRequest) -> JsonObject:
    """The request's values a flush decides again (JSON: lists, rate texts)."""
    settings = request.settings
    values = {
        "review_session": request.review_session_name,
        "resolution": _listed(settings.resolution),
        "scale": settings.scale,
        "max_size": _listed(settings.max_size),
        "frame_rule": settings.owned("capture.frame_range") or "scene",
        "handles": int(settings.owned("capture.handles") or 0),
        "frame_check": severity_given(FRAME_CHECK, settings.plugins),
        "asset_name_template": settings.owned("naming.asset"),
        "name_fields": dict(request.task_names),
        "fps": None if request.fps is None else fraction_text(request.fps),
        "frames": list(request.frames) if request.frames else None,
    }
    data: JsonObject = json.loads(json.dumps(values))
    return data


def _listed(size: Optional[Tuple[int, int]]) -> Optional[List[int]]:
    return list(size) if size else None


def _settings_alone(state: ReviewScope) -> Optional[JsonObject]:
    """What the settings file and the defaults alone give this publish (read without the
    server, as the offline publish did); None when they cannot be read."""
    task = state.request.task or state.facts.task_path or state.facts.task_id
    scene = str(state.item.scene or "")
    try:
        read = resolve_for(task, scene, state.host.name, shared=SharedRead(None))
        alone = settled(PublishRequest(task=task), *read)
    except FtDccError as exc:
        log.info("the settings alone could not be read (%s): every value is kept", exc)
        return None
    return decided(alone)


def decide_again(session: IntegrateSession, manifest: IntegrateManifest) -> List[str]:
    """Decide ``manifest`` (a queued publish) again with the server's truth (see the module
    docstring): fix what can be fixed in it, return the warnings; QueueError when the encoded
    work does not match what a publish now makes (the entry stays queued)."""
    decisions = [version.queued_decision for version in manifest.versions()]
    if not any(decisions):
        return []
    task = resolve_task(session, manifest.task_id, manifest.task_path)
    live = _live(session, manifest, decisions[0] or decisions[-1])
    warnings: List[str] = []
    problems: List[FtDccError] = []
    for version, decision in zip(manifest.versions(), decisions):
        if decision:
            found, wrong = _decide_version(session, task, manifest, version, decision, live)
            warnings += found
            problems += wrong
    problems += _clashes(manifest)
    if problems:
        raise refusal(manifest, problems)
    for version in manifest.versions():
        version.queued_decision = {}
    return list(dict.fromkeys(warnings))


def _live(
    session: IntegrateSession, manifest: IntegrateManifest, decision: JsonObject
) -> JsonObject:
    """The values a live publish of this task and host gets from the settings now."""
    host = str(_facts(decision).get("name") or "")
    task = manifest.task_path or manifest.task_id
    read = resolve_for(task, str(decision["input"]), host, shared=SharedRead(session))
    resolved = read[0]
    if resolved.notes:  # never decided on the file and defaults alone: it stays queued
        raise QueueError(
            "the server's settings could not be read for the queued publish: "
            + "; ".join(resolved.notes),
            hint="run 'ft-dcc queue flush' again once the server answers with these credentials",
        )
    return decided(settled(PublishRequest(task=task), *read))


def merged(decision: JsonObject, live: JsonObject) -> JsonObject:
    """The queued request with each value the settings gave replaced by the settings' now
    (a value that differs from what the settings alone gave offline is the artist's: kept)."""
    queued = _object(decision.get("request"))
    alone = decision.get("settings")
    chosen = dict(queued)
    if isinstance(alone, dict):
        for field in SETTLED:
            if queued.get(field) == alone.get(field):
                chosen[field] = live.get(field)
    now = {key: value for key, value in _object(live.get("name_fields")).items() if value}
    chosen["name_fields"] = {**_object(queued.get("name_fields")), **now}
    return chosen


def _object(value: Any) -> JsonObject:
    return dict(value) if isinstance(value, dict) else {}


def _facts(decision: JsonObject) -> JsonObject:
    return _object(decision.get("host"))


def _decide_version(
    session: IntegrateSession, task: EntityLike, manifest: IntegrateManifest,
    version: IntegrateManifest, decision: JsonObject, live: JsonObject,
) -> Tuple[List[str], List[FtDccError]]:  # fmt: skip
    """``(warnings, problems)`` of one queued version decided again by the pipeline's
    plugins (``api.decide_queued``) on its recorded request and host; its names fixed."""
    from ft_dcc.publish.api import decide_queued

    chosen = merged(decision, live)
    fields = _object(_object(decision.get("asset")).get("fields"))
    camera = fields.get("camera")
    host = RecordedHost(_facts(decision), str(decision.get("input") or ""),
                        str(camera) if camera else None)  # fmt: skip
    request = _request(manifest, version, decision, chosen)
    context, steps = decide_queued(host, request, session, task)
    problems: List[FtDccError] = [
        QueueError(f"{step.label}: {step.error}", hint=step.hint) for step in steps if not step.ok
    ]
    warnings = list(warnings_of(context.data))
    items = [item_of(each) for each in context if each.data.get(STATE_KEY) is not None]
    if problems or not items:
        return warnings, problems or [QueueError("its reviewable was not collected again")]
    version.task_id = str(task["id"])
    item = items[0]
    if not decision.get("still") and item.spec is not None:
        if _checked(steps, FRAME_CHECK):
            problems += _unmatched(item, version, decision)
        problems += _size(item.spec, version, chosen)
    warnings += _rename_asset(version, item.asset_name)
    warnings += _rename(manifest, version, str(context.data.get(SESSION_NAME_KEY) or ""))
    return warnings, problems


def _checked(steps: List[StepResult], check: str) -> bool:
    """Whether the plugin ``check`` ran (not left out, nor turned off by its severity)."""
    return any(step.plugin == check and step.skipped != OFF for step in steps)


def _request(
    manifest: IntegrateManifest, version: IntegrateManifest, decision: JsonObject,
    chosen: JsonObject,
) -> PublishRequest:  # fmt: skip
    """The queued version's request as a live publish gets it now: the artist's choices
    recorded, the settings' now (``merged``); its asset named as the artist did, else by the
    settings' template now, else as the offline publish named it (the recorded host has no
    scene of its own to name it by)."""
    inputs = _object(decision.get("asset"))
    asset: Optional[str] = version.asset_name
    if inputs and not inputs.get("artist"):
        asset = None if chosen.get("asset_name_template") else str(inputs.get("default") or asset)
    severity = str(chosen.get("frame_check") or "block")
    plugins: Dict[str, Dict[str, Any]] = {FRAME_CHECK: {"severity": severity}}
    if severity == "off" or decision.get("still"):  # nothing of the shot is read or taken
        plugins.update({SHOT_FRAMES: {"enabled": False}, SERVER_VIEW: {"enabled": False}})
    sizes = {name: chosen.get(name) for name in ("resolution", "scale", "max_size")}
    plugins[CAPTURE_SPEC] = {name: value for name, value in sizes.items() if value is not None}
    plugins[CAPTURE_SPEC].update(frame_range=str(chosen.get("frame_rule") or "scene"),
                                 handles=int(str(chosen.get("handles") or 0)))  # fmt: skip
    template = str(chosen.get("asset_name_template") or "") or None
    plugins[REVIEWABLES] = {"asset_name_template": template}
    return PublishRequest(
        reviewables=[Reviewable(asset_name=asset)],
        task=manifest.task_path or manifest.task_id,
        review_session_name=str(chosen.get("review_session") or manifest.review_session_name),
        fps=str(chosen["fps"]) if chosen.get("fps") else None,
        frames=_pair(chosen.get("frames")),
        still=bool(decision.get("still")),
        settings=StudioSettings(plugins=plugins),
        task_names=_object(chosen.get("name_fields")),
    )


def _unmatched(
    item: ReviewItem, version: IntegrateManifest, decision: JsonObject
) -> List[FtDccError]:
    """Where the queued frames differ from what the pipeline decided now: the rate (frames
    with none take the shot's), the range (``capture.frame_range``, ``capture.handles``); a
    movie the shot numbers is numbered so here (when no burn-in shows its numbers)."""
    live, queued = item.spec, CaptureSpec.from_dict(version.capture)
    assert live is not None
    shot = str(item.shot["name"]) if item.shot is not None else "?"
    wrong: List[FtDccError] = []
    if to_fraction(live.fps) != to_fraction(queued.fps):
        wrong.append(_rate_problem(queued, live, shot, decision))
    moved = (live.frame_start, live.frame_end) != (queued.frame_start, queued.frame_end)
    if moved and _renumbers(live, queued, decision):
        _renumber(version, live.frame_start - queued.frame_start)
    elif moved:
        wrong.append(QueueError(
            f"it holds frames {queued.frame_start}-{queued.frame_end}, but a publish now takes "
            f"{live.frame_start}-{live.frame_end} (capture.frame_range and capture.handles, shot "
            f"{shot}'s range)",
            hint=f"it then takes {live.frame_start}-{live.frame_end}",
        ))  # fmt: skip
    return wrong


def _rate_problem(
    queued: CaptureSpec, live: CaptureSpec, shot: str, decision: JsonObject
) -> FtDccError:
    had, now = float(to_fraction(queued.fps)), float(to_fraction(live.fps))
    guessed = not _facts(decision).get("rate_source")
    why = " (the frames carry no rate and the shot's could not be read offline)" if guessed else ""
    return QueueError(
        f"it was encoded at {had:g} fps{why}, but shot {shot} plays at {now:g} fps in ftrack",
        hint=f"it then plays at the shot's {now:g} fps, or give --fps {rate_text(live.fps)}",
    )


def _renumbers(live: CaptureSpec, queued: CaptureSpec, decision: JsonObject) -> bool:
    """A movie numbered from the shot's start, of the same length, with nothing burnt in."""
    same_length = live.frame_count == queued.frame_count
    return bool(same_length and _facts(decision).get("renumbers") and not decision.get("burnin"))


def _renumber(version: IntegrateManifest, offset: int) -> None:
    """Move the queued version's source frame numbers by ``offset`` (capture and record)."""
    for key in ("frame_start", "frame_end"):
        version.capture[key] = int(version.capture[key]) + offset
    for component in version.components:
        text = component.metadata.get(CAPTURE_META_KEY)
        if not text:
            continue
        record = json.loads(text)
        for key in NUMBERED:
            if isinstance(record.get(key), int):
                record[key] += offset
        component.metadata[CAPTURE_META_KEY] = json.dumps(record, sort_keys=True)


def _size(spec: CaptureSpec, version: IntegrateManifest, chosen: JsonObject) -> List[FtDccError]:
    """A refusal when the settings now make another capture size than the one encoded."""
    wanted = (spec.width, spec.height)
    have = (int(version.capture.get("width", 0)), int(version.capture.get("height", 0)))
    if wanted == have:
        return []
    resolution, scale, box = chosen.get("resolution"), chosen.get("scale"), chosen.get("max_size")
    rules = [name for name, value in (("capture.resolution", resolution),
             ("capture.scale", scale if scale != 1.0 else None), ("encode.max_size", box))
             if value]  # fmt: skip
    return [QueueError(
        f"it was encoded at {have[0]}x{have[1]}, but the settings now make {wanted[0]}x"
        f"{wanted[1]} ({', '.join(rules) or 'the input size'})",
        hint=f"it is then {wanted[0]}x{wanted[1]}",
    )]  # fmt: skip


def _pair(value: Any) -> Optional[Tuple[int, int]]:
    return (int(value[0]), int(value[1])) if isinstance(value, list) and len(value) == 2 else None


def _rename(manifest: IntegrateManifest, version: IntegrateManifest, name: str) -> List[str]:
    """The review session the pipeline names now, when it differs from the queued one."""
    old = version.review_session_name
    if not name or name == old:
        return []
    version.review_session_name = name
    if version is not manifest:
        return []
    return [
        f"published into the review session {name!r}, the settings' name read at flush "
        f"(queued offline for {old!r})"
    ]


def _rename_asset(version: IntegrateManifest, name: str) -> List[str]:
    """The asset the pipeline names now (the settings' ``naming.asset``, where the artist
    named none), when it differs from the queued one."""
    old = version.asset_name
    if not name or name == old:
        return []
    version.asset_name = name
    return [f"published as asset {name!r}, the settings' name read at flush (queued as {old!r})"]


def _clashes(manifest: IntegrateManifest) -> List[FtDccError]:
    names = [version.asset_name for version in manifest.versions()]
    twice = sorted({name for name in names if names.count(name) > 1})
    return [QueueError(
        f"the settings' naming.asset now gives two of its versions the asset name {name!r}",
        hint="it then names each reviewable apart",
    ) for name in twice]  # fmt: skip


def refusal(manifest: IntegrateManifest, problems: List[FtDccError]) -> QueueError:
    """One error naming every reason, with what to do: publish again, drop this entry."""
    short = manifest.manifest_id[:SHORT_ID]
    reasons = "; ".join(problem.message for problem in problems)
    fixes = list(dict.fromkeys(problem.hint for problem in problems if problem.hint))
    decision = manifest.queued_decision
    source = decision.get("input") if isinstance(decision, dict) else None
    again = f"publish it again from {source or 'the scene'}"
    if fixes:
        again += f": {'; '.join(fixes)}"
    return QueueError(
        f"not published, it stays queued: {reasons}",
        hint=f"{again}, then drop the queued one: 'ft-dcc queue drop {short}'",
    )


__all__ = ["decide_again", "decided", "merged", "offline_decision", "refusal"]
