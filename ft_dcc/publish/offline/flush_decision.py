"""A publish queued offline is decided again at flush, by the live publish's own plugins.

Offline, a publish decides without the server: the review session's name and the capture size
come from the settings file and the defaults (the studio's and the project's settings unread),
frames that carry no rate play at the configured default (the shot's rate unread), the range is
the input's. Each queued version keeps the artist's own request and its host's facts
(``queued_decision``). At flush :func:`decide_again` reads the settings now
(``settings_options.resolve_for``, as a live publish) and settles the artist's request with them
(``settled``, the live publish's own: the artist's choices stay, the settings fill the rest);
then the pipeline's collectors and validators that decide (pyblish's target ``queued``:
``api.decide_queued``) run on that request and the recorded host (``RecordedHost``). Then

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
from typing import List, Optional, Tuple

import attr

from ft_dcc.exceptions import FtDccError, QueueError
from ft_dcc.protocol import CAPTURE_META_KEY
from ft_dcc.publish.common.manifest import IntegrateManifest
from ft_dcc.publish.common.recorded_host import RecordedHost
from ft_dcc.publish.common.report import StepResult
from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.publish.host_port import CaptureSpec, to_fraction
from ft_dcc.publish.offline.queued_decision import (
    FRAME_CHECK,
    QueuedDecision,
    read_decision,
)
from ft_dcc.publish.pipeline.stages import OFF, severity_given
from ft_dcc.publish.request.request import PublishRequest, Reviewable
from ft_dcc.publish.request.settings_options import SharedRead, TaskContext, resolve_for
from ft_dcc.publish.request.settings_options import settled as settled_with
from ft_dcc.publish.request.studio_settings import StudioSettings
from ft_dcc.publish.rules.checks import rate_text
from ft_dcc.publish.shared.state import (
    SESSION_NAME_KEY,
    STATE_KEY,
    ReviewItem,
    item_of,
    warnings_of,
)
from ft_dcc.session.interface import EntityLike, IntegrateSession
from ft_dcc.settings.plugins import PluginSettings, merged
from ft_dcc.settings.resolve import Resolved

log = logging.getLogger(__name__)

#: what reads the shot and takes its frames (left out with the frame check ``off`` and for a
#: still: the frames stay)
SERVER_VIEW, SHOT_FRAMES = "CollectServerView", "CollectShotFrames"
SHORT_ID = 8
#: capture record fields in source frame numbers (moved when a movie is numbered again)
NUMBERED = ("frame_start", "frame_end", "source_first_frame", "source_last_frame",
            "thumbnail_frame")  # fmt: skip
#: the settings now, as a live publish of the queued task and host reads them
Read = Tuple[Resolved, TaskContext, Optional[str]]


def decisions_of(manifest: IntegrateManifest, where: str) -> List[Optional[QueuedDecision]]:
    """Each version's queued decision (None: decided online); QueueError naming ``where``
    when one cannot be read (the entry stays queued)."""
    task = manifest.task_path or manifest.task_id
    return [
        read_decision(version.queued_decision, where, version.asset_name, task)
        if version.queued_decision else None
        for version in manifest.versions()
    ]  # fmt: skip


def decide_again(session: IntegrateSession, manifest: IntegrateManifest, where: str) -> List[str]:
    """Decide ``manifest`` (a queued publish, journaled in ``where``) again with the server's
    truth (see the module docstring): fix what can be fixed in it, return the warnings;
    QueueError when the encoded work does not match what a publish now makes, or its journal
    cannot be read (the entry stays queued)."""
    decisions = decisions_of(manifest, where)
    known = [decision for decision in decisions if decision is not None]
    if not known:
        return []
    task = resolve_task(session, manifest.task_id, manifest.task_path)
    read = _settings_now(session, manifest, known[0])
    warnings: List[str] = []
    problems: List[FtDccError] = []
    for version, decision in zip(manifest.versions(), decisions):
        if decision is not None:
            found, wrong = _decide_version(session, task, manifest, version, decision, read)
            warnings += found
            problems += wrong
    problems += _clashes(manifest)
    if problems:
        raise refusal(manifest, problems, known[0].input)
    for version in manifest.versions():
        version.queued_decision = {}
    return list(dict.fromkeys(warnings))


def _settings_now(
    session: IntegrateSession, manifest: IntegrateManifest, decision: QueuedDecision
) -> Read:
    """The settings a live publish of this task and host reads now (never the file and the
    defaults alone: without the server's, the entry stays queued)."""
    task = manifest.task_path or manifest.task_id
    read = resolve_for(task, decision.input, decision.host.name, shared=SharedRead(session))
    if read[0].notes:
        raise QueueError(
            "the server's settings could not be read for the queued publish: "
            + "; ".join(read[0].notes),
            hint="run 'ft-dcc queue flush' again once the server answers with these credentials",
        )
    return read


def settled(decision: QueuedDecision, read: Read) -> PublishRequest:
    """The queued request as a live publish receives it now: the artist's request settled
    with the settings now (``settings_options.settled``), the artist's own plugin values over
    the settings' (as the artist's layer lies over the others)."""
    asked = decision.request
    now = settled_with(asked, *read)
    plugins = merged([now.settings.plugins, asked.settings.plugins])
    return attr.evolve(now, settings=StudioSettings(plugins=plugins))


def _decide_version(
    session: IntegrateSession, task: EntityLike, manifest: IntegrateManifest,
    version: IntegrateManifest, decision: QueuedDecision, read: Read,
) -> Tuple[List[str], List[FtDccError]]:  # fmt: skip
    """``(warnings, problems)`` of one queued version decided again by the pipeline's
    plugins (``api.decide_queued``) on its recorded request and host; its names fixed."""
    from ft_dcc.publish.api import decide_queued

    request = _request(manifest, version, decision, settled(decision, read))
    host = RecordedHost(decision.host, decision.input, decision.camera)
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
    if not decision.still and item.spec is not None:
        if _checked(steps, FRAME_CHECK):
            problems += _unmatched(item, version, decision)
        problems += _size(item.spec, version, request.settings)
    warnings += _rename_asset(version, item.asset_name)
    warnings += _rename(manifest, version, str(context.data.get(SESSION_NAME_KEY) or ""))
    return warnings, problems


def _checked(steps: List[StepResult], check: str) -> bool:
    """Whether the plugin ``check`` ran (not left out, nor turned off by its severity)."""
    return any(step.plugin == check and step.skipped != OFF for step in steps)


def _request(
    manifest: IntegrateManifest, version: IntegrateManifest, decision: QueuedDecision,
    now: PublishRequest,
) -> PublishRequest:  # fmt: skip
    """The request the pipeline decides the queued version on: ``now`` (:func:`settled`), its
    asset named as the artist did, else by the settings' template now, else as the offline
    publish named it (the recorded host has no scene of its own to name it by); what the
    flush leaves out of the shot's reading (the frame check ``off``, a still) left out."""
    asset = decision.request.reviewables[0].asset_name
    if asset is None and not now.settings.owned("naming.asset"):
        asset = decision.default_asset or version.asset_name
    plugins = merged([now.settings.plugins, _left_out(now.settings.plugins, decision.still)])
    return attr.evolve(
        now,
        reviewables=[Reviewable(asset_name=asset)],
        task=manifest.task_path or manifest.task_id,
        review_session_name=now.review_session_name or manifest.review_session_name,
        settings=StudioSettings(plugins=plugins),
    )


def _left_out(plugins: PluginSettings, still: bool) -> PluginSettings:
    """Nothing of the shot is read or taken with the frame check off, nor for a still."""
    if still or severity_given(FRAME_CHECK, plugins) == "off":
        return {SHOT_FRAMES: {"enabled": False}, SERVER_VIEW: {"enabled": False}}
    return {}


def _unmatched(
    item: ReviewItem, version: IntegrateManifest, decision: QueuedDecision
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
    queued: CaptureSpec, live: CaptureSpec, shot: str, decision: QueuedDecision
) -> FtDccError:
    had, now = float(to_fraction(queued.fps)), float(to_fraction(live.fps))
    guessed = not decision.host.rate_source
    why = " (the frames carry no rate and the shot's could not be read offline)" if guessed else ""
    return QueueError(
        f"it was encoded at {had:g} fps{why}, but shot {shot} plays at {now:g} fps in ftrack",
        hint=f"it then plays at the shot's {now:g} fps, or give --fps {rate_text(live.fps)}",
    )


def _renumbers(live: CaptureSpec, queued: CaptureSpec, decision: QueuedDecision) -> bool:
    """A movie numbered from the shot's start, of the same length, with nothing burnt in."""
    same_length = live.frame_count == queued.frame_count
    return same_length and decision.host.renumbers and not decision.burnin


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


def _size(
    spec: CaptureSpec, version: IntegrateManifest, settings: StudioSettings
) -> List[FtDccError]:
    """A refusal when the settings now make another capture size than the one encoded."""
    wanted = (spec.width, spec.height)
    have = (int(version.capture.get("width", 0)), int(version.capture.get("height", 0)))
    if wanted == have:
        return []
    scale = settings.scale
    rules = [name for name, value in (("capture.resolution", settings.resolution),
             ("capture.scale", scale if scale != 1.0 else None),
             ("encode.max_size", settings.max_size)) if value]  # fmt: skip
    return [QueueError(
        f"it was encoded at {have[0]}x{have[1]}, but the settings now make {wanted[0]}x"
        f"{wanted[1]} ({', '.join(rules) or 'the input size'})",
        hint=f"it is then {wanted[0]}x{wanted[1]}",
    )]  # fmt: skip


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


def refusal(manifest: IntegrateManifest, problems: List[FtDccError], source: str) -> QueueError:
    """One error naming every reason, with what to do: publish again from ``source``, drop
    this entry."""
    short = manifest.manifest_id[:SHORT_ID]
    reasons = "; ".join(problem.message for problem in problems)
    fixes = list(dict.fromkeys(problem.hint for problem in problems if problem.hint))
    again = f"publish it again from {source or 'the scene'}"
    if fixes:
        again += f": {'; '.join(fixes)}"
    return QueueError(
        f"not published, it stays queued: {reasons}",
        hint=f"{again}, then drop the queued one: 'ft-dcc queue drop {short}'",
    )


__all__ = ["decide_again", "decisions_of", "refusal", "settled"]
