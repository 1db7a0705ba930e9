"""Checks behind the validators, kept out of the plugin files so they are easy to test."""

from __future__ import annotations

import logging
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple

import attr

from ft_dcc.exceptions import FtDccError, ValidationError
from ft_dcc.protocol.query_text import quoted_list
from ft_dcc.publish.common.report import WARNED
from ft_dcc.publish.host_port import CaptureSpec, Host, to_fraction
from ft_dcc.publish.integrate.read import SHOT_KEYS
from ft_dcc.publish.shared.state import ReviewScope
from ft_dcc.session.interface import EntityLike, PublishSession

if TYPE_CHECKING:  # pragma: no cover - the media checks import these when they run
    from ft_dcc.media.burnin import BurninChoice
    from ft_dcc.media.colour import ResolvedColour

log = logging.getLogger(__name__)

#: :meth:`Host.rate_source` of a DCC: its rate and range are the scene's settings
SCENE = "the scene"

#: a review longer than this is almost certainly a wrong range (e.g. 1-1000000)
MAX_REVIEW_FRAMES = 100_000


@attr.s(auto_attribs=True, frozen=True)
class ShotAttribute:
    """A shot's custom attribute as ftrack resolves it, and whether someone set it."""

    value: Any
    explicit: bool  # a ContextCustomAttributeValue row exists (on the shot or an ancestor)


def shot_attributes(
    session: PublishSession, shot: EntityLike, explicit: Optional[Mapping[str, object]] = None
) -> Dict[str, ShotAttribute]:
    """``fstart``/``fend``/``fps``/``handles`` of ``shot``, each marked explicit or server default.

    ftrack answers ``shot["custom_attributes"]`` with every applicable attribute, filling in
    the configuration's default; only explicitly set values have a ``ContextCustomAttributeValue``
    row. Hierarchical attributes (fps) set on an ancestor count as explicit too.
    ``explicit``: those stored values when already read (the publish's planned read has them).
    """
    if shot is None:
        return {}
    try:
        resolved = shot["custom_attributes"]
    except (KeyError, TypeError, AttributeError):
        return {}
    found: Dict[str, ShotAttribute] = {}
    for key in SHOT_KEYS:
        try:
            value = resolved.get(key)
        except (KeyError, TypeError, AttributeError):
            value = None
        if value not in (None, ""):
            found[key] = ShotAttribute(value, False)
    if not found:
        return found
    if explicit is None:
        explicit = _explicit_values(session, shot)
    for key in list(found):
        if key in explicit:
            found[key] = ShotAttribute(explicit[key], True)
    return found


def _explicit_values(session: PublishSession, shot: EntityLike) -> Dict[str, Any]:
    """Stored values of the shot and its ancestors, nearest wins (empty when unknown)."""
    if session is None:
        return {}
    try:
        chain = [shot["id"]]
        link = shot["link"] or []
        chain.extend(item["id"] for item in reversed(link) if item["id"] != shot["id"])
        ids = quoted_list(chain)
        keys = quoted_list(SHOT_KEYS)
        rows = session.query(
            "select key, value, entity_id from ContextCustomAttributeValue "
            f"where entity_id in ({ids}) and key in ({keys})"
        ).all()
    except FtDccError as exc:
        log.warning("could not tell set shot attributes from defaults: %s", exc)
        return {}
    nearest: Dict[str, Any] = {}
    rank = {entity_id: index for index, entity_id in enumerate(chain)}
    for row in sorted(rows, key=lambda r: rank.get(r["entity_id"], len(chain))):
        if row["value"] not in (None, ""):
            nearest.setdefault(row["key"], row["value"])
    return nearest


def frame_findings(state: ReviewScope) -> Tuple[List[str], List[ValidationError]]:
    """What a publish decides and checks of its frames, at once (the farm's submit, outside a
    pipeline): the range and rate the shot gives
    (:func:`decide_frames`, recorded in the item's spec), then :func:`check_frames`."""
    state.item.spec, notes = decide_frames(state)
    warnings, problems = check_frames(state)
    return notes + warnings, problems


def decide_frames(state: ReviewScope) -> Tuple[CaptureSpec, List[str]]:
    """The capture spec with the range and rate the shot in ftrack gives where the scene or
    input leaves them to it (``CollectShotFrames``): what an input lacks
    (:func:`adopt_shot_settings`) and the shot's range (:func:`follow_shot_range`); and the
    notes of what it could not follow (said by ``ValidateFrameRange``)."""
    spec = state.capture_spec()
    if state.item.shot is None:
        return spec, []
    attributes = _shot_attributes(state)
    spec, notes = adopt_shot_settings(state, spec, attributes)
    spec, more = follow_shot_range(state, spec, attributes)
    return spec, notes + more


def _shot_attributes(state: ReviewScope) -> Dict[str, ShotAttribute]:
    if state.item.shot is None:
        return {}
    view = state.item.view
    explicit = view.shot_values if view is not None else None
    return shot_attributes(state.connected_session(), state.item.shot, explicit)


def check_frames(state: ReviewScope) -> Tuple[List[str], List[ValidationError]]:
    """``(warnings, problems)`` of the frame checks of the spec as collected: every check runs,
    each refusal is kept (a wrong range does not hide a wrong rate). Only looks."""
    spec = state.capture_spec()
    warnings: List[str] = []
    problems = _sane(spec)
    if state.item.shot is not None:
        attributes = _shot_attributes(state)
        for check in (_check_shot_range, _check_shot_fps):
            try:
                warnings.extend(check(state, attributes))
            except ValidationError as problem:
                problems.append(problem)
    elif state.item.rules.frame_rule == "shot" and not state.request.frames:
        warnings.append(
            'capture.frame_range is "shot" but the shot\'s range could not be read: published '
            f"the scene's {spec.frame_start}-{spec.frame_end}"
        )
    if state.item.shot is None and state.host.rate_source() is None and state.request.fps is None:
        later = "; the queue flush checks it against the shot's" if state.offline else ""
        warnings.append(
            f"the input has no frame rate and the shot's could not be read: published at "
            f"{float(spec.fps):g} fps (pass --fps to choose{later})"
        )
    return warnings, problems


def _sane(spec: CaptureSpec) -> List[ValidationError]:
    """The problems of a range or size no review can have (each found, none hiding another)."""
    problems: List[ValidationError] = []
    if spec.frame_end < spec.frame_start:
        problems.append(ValidationError(
            f"the frame range {spec.frame_start}-{spec.frame_end} ends before it starts",
            hint="fix the scene's start/end frames (or give the range: --frames START-END)",
        ))  # fmt: skip
    if spec.frame_count > MAX_REVIEW_FRAMES:
        problems.append(ValidationError(
            f"the frame range {spec.frame_start}-{spec.frame_end} has {spec.frame_count} frames",
            hint="check the scene's start/end frames; reviews are usually a shot long",
        ))  # fmt: skip
    if spec.width <= 0 or spec.height <= 0:
        problems.append(ValidationError(
            f"the output resolution {spec.width}x{spec.height} is empty",
            hint="set the scene's render resolution",
        ))  # fmt: skip
    return problems


#: how a frame check's finding reads when the settings turn the check to warn (the pipeline's)


def as_warnings(problems: List[ValidationError], label: str) -> List[str]:
    """Each problem as its own warning (``checks.frame_range: warn``)."""
    return [WARNED.format(label=label, problem=problem) for problem in problems]


def joined(problems: List[ValidationError], notes: Sequence[str] = ()) -> ValidationError:
    """One ValidationError saying every problem and every fix (the one itself when alone), its
    ``findings`` the problems and ``notes`` the check's other warnings (what the pipeline keeps
    when the settings turn the check to ``warn``)."""
    if len(problems) == 1:
        error = problems[0]
    else:
        message = f"{len(problems)} problems: " + "; ".join(
            f"({number}) {problem.message}" for number, problem in enumerate(problems, 1)
        )
        hints = [f"({n}) {p.hint}" for n, p in enumerate(problems, 1) if p.hint]
        error = ValidationError(message, hint="; ".join(hints) or None)
    error.findings, error.notes = list(problems), list(notes)
    return error


def adopt_shot_settings(
    state: ReviewScope, spec: CaptureSpec, attributes: Dict[str, ShotAttribute]
) -> Tuple[CaptureSpec, List[str]]:
    """Give an input what it lacks from the shot in ftrack: its ``fps`` to images with no rate
    (and none asked), its numbering (``fstart``, or ``fstart - handles`` when the input holds the
    handles too) to a movie of the shot's length. Returns the spec and warnings (a rate left at
    ftrack's configured default)."""
    warnings: List[str] = []
    shot_fps = attributes.get("fps")
    if shot_fps is not None and state.request.fps is None and state.host.rate_source() is None:
        rate = to_fraction(shot_fps.value)
        spec = attr.evolve(spec, fps=rate)
        log.info("the input has no frame rate: publishing at the shot's %s fps", rate)
        if not shot_fps.explicit:
            warnings.append(
                f"the input has no frame rate and shot {_shot_name(state)} has none set in "
                f"ftrack: published at ftrack's default {float(rate):g} fps (pass --fps, or "
                "set the shot's fps in ftrack)"
            )
    start, end = attributes.get("fstart"), attributes.get("fend")
    if start is None or end is None or state.request.frames is not None:
        return spec, warnings
    first, last = int(float(start.value)), int(float(end.value))
    handles = _handles(attributes)
    length = spec.frame_count
    for begin in (first, first - handles):
        if length == last - first + 1 + 2 * (first - begin) and state.host.number_frames_from(
            begin
        ):
            spec = attr.evolve(spec, frame_start=begin, frame_end=begin + length - 1)
            break
    return spec, warnings


def follow_shot_range(
    state: ReviewScope, spec: CaptureSpec, attributes: Dict[str, ShotAttribute]
) -> Tuple[CaptureSpec, List[str]]:
    """``capture.frame_range = "shot"``: capture the shot's fstart/fend (with the settings'
    handles) instead of the scene's range; a warning when the shot has none set."""
    from ft_dcc.publish.rules.capture_rules import shot_range

    start, end = attributes.get("fstart"), attributes.get("fend")
    shot = None
    if start is not None and end is not None and (start.explicit or end.explicit):
        shot = int(float(start.value)), int(float(end.value))  # set, not ftrack's default
    wanted = shot_range(state.host, state.request, state.item.rules, shot)
    if wanted is None:
        asked = state.item.rules.frame_rule == "shot" and not state.request.frames
        if asked and shot is None:
            return spec, [
                f"shot {_shot_name(state)} has no fstart/fend: published the scene's range"
            ]
        return spec, []
    log.info("capture.frame_range: the shot's range %s-%s", *wanted)
    return attr.evolve(spec, frame_start=wanted[0], frame_end=wanted[1]), []


def _handles(attributes: Dict[str, ShotAttribute]) -> int:
    found = attributes.get("handles")
    try:
        return max(0, int(float(found.value))) if found is not None else 0
    except (TypeError, ValueError):
        return 0


def check_camera(host: Host, camera: Optional[str]) -> Optional[str]:
    """The camera to capture through; ValidationError when the scene cannot provide it.

    Hosts that never use cameras (``host.uses_cameras`` False, e.g. files or a Nuke comp) pass
    with None when they list none.
    """
    cameras = list(host.cameras())
    if not cameras:
        if not getattr(host, "uses_cameras", True):
            return None
        named = f" (the camera {camera!r} does not exist)" if camera else ""
        raise ValidationError(
            f"Scene has no camera to playblast from{named} — add a camera to the scene",
            hint="make the new camera the scene's active camera (or choose it when "
            "publishing), save, and publish again",
        )
    if camera is None:
        raise ValidationError(
            "no camera is set to capture through",
            hint=f"set the scene camera or choose one of: {', '.join(cameras)}",
        )
    if camera not in cameras:
        raise ValidationError(
            f"the camera {camera!r} is not in the scene",
            hint=f"choose one of: {', '.join(cameras)}",
        )
    return camera


def _shot_name(state: ReviewScope) -> str:
    return str(state.item.shot["name"]) if state.item.shot is not None else "?"


def _check_shot_range(state: ReviewScope, attributes: Dict[str, ShotAttribute]) -> List[str]:
    spec = state.capture_spec()
    start, end = attributes.get("fstart"), attributes.get("fend")
    if start is None or end is None:
        return []
    shot_range = (int(float(start.value)), int(float(end.value)))
    ours = (spec.frame_start, spec.frame_end)
    handles = _handles(attributes)
    for around in {0, handles, state.item.rules.handles}:  # the shot's or the settings'
        if ours == (shot_range[0] - around, shot_range[1] + around):
            return []
    shot_name = _shot_name(state)
    wanted = f"{shot_range[0]}-{shot_range[1]}"
    publishing = f"{ours[0]}-{ours[1]}"
    explicit_differs = (start.explicit and shot_range[0] != ours[0]) or (
        end.explicit and shot_range[1] != ours[1]
    )
    if not explicit_differs:
        return [
            f"shot {shot_name} has no frame range set in ftrack (its default {wanted} differs "
            f"from the published {publishing}); set the shot's fstart/fend in ftrack to check it"
        ]
    message = (
        f"the publish range {publishing} differs from shot {shot_name}'s range {wanted} "
        "set in ftrack"
    )
    if state.request.frames is not None:
        return [message + " (published as asked)"]
    with_handles = f" (or {shot_range[0] - handles}-{shot_range[1] + handles} with its handles)"
    fix = (
        f"set the scene's frame range to {wanted}"
        if state.host.rate_source() == SCENE
        else f"publish the shot's frames {wanted}"
    )
    raise ValidationError(
        message + (with_handles if handles else ""),
        hint=f"{fix}, or pass --frames {publishing} if this review is meant to differ",
    )


def _check_shot_fps(state: ReviewScope, attributes: Dict[str, ShotAttribute]) -> List[str]:
    spec = state.capture_spec()
    shot_fps = attributes.get("fps")
    if shot_fps is None:
        return []
    expected = to_fraction(shot_fps.value)
    if expected == spec.fps:
        return []
    shot_name = _shot_name(state)
    if not shot_fps.explicit:
        return [
            f"shot {shot_name} has no fps set in ftrack (the default {float(expected):.3f} "
            f"differs from the published {float(spec.fps):.3f}); set it in ftrack to check it"
        ]
    message = (
        f"the frame rate {float(spec.fps):.3f} differs from shot "
        f"{shot_name}'s {float(expected):.3f} fps in ftrack"
    )
    if state.request.fps is not None:
        return [message + " (published as asked)"]
    source = state.host.rate_source()
    if source == SCENE:
        hint = (
            f"set the scene to {float(expected):.3f} fps, or pass --fps "
            f"{float(spec.fps):g} if this review is meant to differ"
        )
    else:  # frames or a movie: no scene to change, the rate is the publish's choice
        hint = (
            f"pass --fps {rate_text(expected)} to play its frames at the shot's rate, or "
            f"--fps {rate_text(spec.fps)} to keep {source or 'this'} rate"
        )
    raise ValidationError(message, hint=hint)


def rate_text(rate: Fraction) -> str:
    """A rate as --fps takes it: 25, 24000/1001."""
    return str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}"


def check_colour(host: Host, look: Optional[str] = None) -> Optional[ResolvedColour]:
    """The host's review colour transform with every name checked (a ``ResolvedColour``), or
    None when its frames are already display-referred; ValidationError names the valid choices.
    ``look`` (the settings' ``colour.look``) applies when the host's own settings name none."""
    from ft_dcc.exceptions import ColourError
    from ft_dcc.media.colour import resolve_colour

    settings = host.review_colour()
    if settings is None:
        return None
    if look and not settings.look:
        settings = attr.evolve(settings, look=look)
    try:
        return resolve_colour(settings)
    except ColourError as error:
        raise ValidationError(error.message, hint=error.hint) from error


def check_burnin(mode: Optional[str], template: Optional[str]) -> Optional[BurninChoice]:
    """The publish's burn-in (a ``BurninChoice``) with its template read and every field
    checked, or None for none; ValidationError lists the valid fields/modes. Burn-ins need an
    ffmpeg with ``drawtext`` (libfreetype): without it the publish is refused, not drawn bare."""
    from ft_dcc.exceptions import MediaError
    from ft_dcc.media.burnin import resolve_burnin
    from ft_dcc.media.ffmpeg import has_filter

    try:
        choice = resolve_burnin(mode, template)
    except MediaError as error:
        raise ValidationError(error.message, hint=error.hint) from error
    if choice is not None and not has_filter("drawtext"):
        raise ValidationError(
            "This ffmpeg cannot draw burn-ins (no drawtext filter: built without libfreetype).",
            hint="install imageio-ffmpeg 0.5 or newer, or publish with --burnin off",
        )
    return choice
