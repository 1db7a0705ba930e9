"""The farm holds a publish's rules: range and rate are decided by ``ft-dcc publish``'s own checks.

At submission each scene's facts (range, rate, size) are read without its DCC where that can be
done (an image sequence or movie by the files host; a Blender scene's render settings by
blender-asset-tracer), and the frame checks of a live publish run on them
(``ft_dcc.publish.rules.checks.frame_findings``, the code behind ``ValidateFrameRange``, on a
:class:`~ft_dcc.publish.common.recorded_host.RecordedHost` as a queue flush does): what ``ft-dcc
publish`` refuses (a range outside the shot's, another rate than the shot's) refuses the
submission with the same message, before anything is captured, and the range it decides
(``capture.handles``, ``capture.frame_range: shot``) is the one the capture parts share.

Where the facts cannot be read (Maya and Nuke scenes, a Blender scene without the library) the
publish step still refuses: it publishes the staged frames as the scene's own, not as a range
and rate the artist asked for (:mod:`ft_dcc.farm.publish_step`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple, Union

import attr

from ft_dcc.exceptions import FarmError
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.publish.host_port import Host, SpecOverrides
from ft_dcc.session.interface import EntityLike, IntegrateSession

if TYPE_CHECKING:  # pragma: no cover - types only
    from ft_dcc.publish.host_port import CaptureSpec
    from ft_dcc.publish.integrate.read import ServerView
    from ft_dcc.publish.request.request import PublishRequest
    from ft_dcc.publish.request.studio_settings import StudioSettings
    from ft_dcc.publish.shared.state import ReviewRules

log = logging.getLogger(__name__)

Range = Tuple[int, int]
#: the frame check, whose own severity (``checks.frame_range``, or its ``plugins`` entry) is asked
FRAME_CHECK = "ValidateFrameRange"
#: a Blender scene's render settings (``Scene.r``): range, rate, size and its percentage
RENDER_FIELDS = (b"sfra", b"efra", b"frs_sec", b"frs_sec_base", b"xsch", b"ysch", b"size")


def scene_host(path: Path, host: str) -> Optional[Host]:
    """A host answering the frame checks for the scene at ``path`` without its DCC, or None
    when its facts cannot be read here."""
    if host == "files":
        from ft_dcc.host.files import FilesHost

        return FilesHost(path)
    if host == "blender":
        facts = blender_facts(path)
        if facts is not None:
            from ft_dcc.publish.common.recorded_host import HostFacts, RecordedHost

            return RecordedHost(HostFacts.of(facts))
    return None


def blender_facts(path: Path) -> Optional[JsonObject]:
    """The render settings of the scene Blender opens ``path`` with, as
    :class:`RecordedHost` reads them; None without blender-asset-tracer or when unreadable."""
    try:
        from blender_asset_tracer import blendfile
    except ImportError:
        return None
    try:
        with blendfile.BlendFile(path, mode="rb") as scene_file:
            scene = _open_scene(scene_file)
            if scene is None:
                return None
            read = [scene.get((b"r", field)) for field in RENDER_FIELDS]
    except Exception as exc:  # a third-party reader of a file we did not write: say, go on
        log.warning("could not read %s's render settings (%s): the node checks them", path, exc)
        return None
    start, end, fps, fps_base, width, height, percent = read  # fmt: skip
    from fractions import Fraction

    from ft_dcc.publish.common.recorded_host import fraction_text
    from ft_dcc.publish.host_port import to_fraction

    rate = to_fraction(Fraction(int(fps)) / Fraction(float(fps_base)).limit_denominator(10000))
    scale = int(percent) / 100.0
    return {
        "name": "blender", "rate_source": "the scene", "renders_range": True,
        "resolution": [int(int(width) * scale), int(int(height) * scale)],
        "frame_range": [int(start), int(end)], "fps": fraction_text(rate), "renumbers": False,
    }  # fmt: skip


def _open_scene(scene_file: object) -> Any:
    """The scene block Blender shows on opening: the first window's, else the only one."""
    from blender_asset_tracer import blendfile

    assert isinstance(scene_file, blendfile.BlendFile)
    scenes = scene_file.find_blocks_from_code(b"SC")
    try:
        (manager,) = scene_file.find_blocks_from_code(b"WM")
        window = manager.get_pointer((b"windows", b"first"))
        shown = window.get_pointer(b"scene") if window is not None else None
    except (ValueError, KeyError, TypeError):
        shown = None
    if shown is not None:
        return shown
    return scenes[0] if len(scenes) == 1 else None


@attr.s(auto_attribs=True, frozen=True)
class Decision:
    """What ``ft-dcc publish`` decides of one scene's frames at submission."""

    range: Optional[Range] = None  # the range to capture (None: the node reads the scene's)
    #: the rate frames with none of their own play at (the shot's, read now: a step that
    #: publishes while the server is down encodes at it, as a live publish would)
    rate: Optional[str] = None
    warnings: List[str] = attr.Factory(list)


@attr.s(auto_attribs=True, frozen=True)
class FrameQuestion:
    """One scene's frame checks as far as they go without the server: what reads the scene,
    its request, the spec it asks, the rules and the check's severity the settings give."""

    path: Path
    reader: Host
    request: PublishRequest
    spec: CaptureSpec
    rules: ReviewRules
    severity: str


def frame_question(
    path: Path, host: str, request: PublishRequest, plugins: Optional[Sequence[type]] = None
) -> Union[Decision, FrameQuestion]:
    """What the frame checks of one scene ask the server (its task and view: answered by
    :func:`answered`), or the Decision already made without it (the facts cannot be read
    here: an empty one; the check left out: the range asked). ``plugins``: those a publish
    would run, discovered once for the batch (else here)."""
    from ft_dcc.publish.pipeline.stages import severity_given
    from ft_dcc.publish.rules.capture_rules import range_overrides

    reader = scene_host(path, host)
    if reader is None:
        return Decision()
    overrides: SpecOverrides = {"fps": request.fps}
    rules = _rules_given(request.settings)
    overrides.update(range_overrides(reader, request, rules.handles))
    spec = reader.default_spec(**overrides)
    severity = severity_given(FRAME_CHECK, request.settings.plugins, plugins)
    if severity == "off":
        return Decision((spec.frame_start, spec.frame_end))
    return FrameQuestion(path, reader, request, spec, rules, severity)


def answered(
    question: FrameQuestion, session: IntegrateSession, task: EntityLike, view: ServerView
) -> Decision:
    """One scene's :class:`Decision` as ``ft-dcc publish`` makes it, given its ``task`` and
    the server's ``view`` of it; FarmError with the publish's own refusal."""
    from ft_dcc.publish.common.recorded_host import fraction_text
    from ft_dcc.publish.host_port import to_fraction
    from ft_dcc.publish.rules.checks import as_warnings, frame_findings, joined
    from ft_dcc.publish.shared.state import ReviewScope

    path, reader = question.path, question.reader
    state = ReviewScope.standalone(reader, question.request, question.spec, session, task,
                                   view, question.rules)  # fmt: skip
    warnings, problems = frame_findings(state)
    if problems and question.severity != "warn":
        problem = joined(problems)
        raise FarmError(
            f"{path} would be refused by ft-dcc publish: {problem.message}",
            hint=(problem.hint + "; " if problem.hint else "") + "nothing was submitted",
        )
    decided = state.capture_spec()
    rate = fraction_text(to_fraction(decided.fps)) if reader.rate_source() is None else None
    warnings += as_warnings(problems, "Frame range and fps")
    return Decision((decided.frame_start, decided.frame_end), rate, warnings)


def _rules_given(settings: StudioSettings) -> ReviewRules:
    """The range and encode rules ``CollectCaptureSpec`` receives from ``settings`` (this
    checks a scene outside a publish's pipeline), through its class as a publish gives them."""
    from ft_dcc.publish.plugins.collect_capture_spec import CollectCaptureSpec
    from ft_dcc.publish.rules.capture_rules import review_rules
    from ft_dcc.settings.plugins import apply

    given = apply([CollectCaptureSpec], settings.plugins) or [CollectCaptureSpec]
    return review_rules(given[0])


def check_session_name(
    session: IntegrateSession, name: str, tasks: Dict[str, Optional[str]]
) -> None:
    """Refuse ``name`` as ``ft-dcc publish`` does (ValidateReviewSessionOpen) in the project of
    each task of ``tasks`` (task -> the settings' ``naming.review_session`` there): closed, or
    not there but a probable misspelling of an open session (ReviewSessionMisspeltError with
    the publish's message). A task not found here is left to the publish step."""
    from ft_dcc.review import sessions as review
    from ft_dcc.review.names import misspelt_session_error, near_names, open_session_names
    from ft_dcc.settings.keys import BY_NAME

    checked = set()
    projects: Dict[str, Optional[str]] = {}  # a task path's project is read once for all
    for task, template in tasks.items():
        key = _project_key(task)
        if key not in projects:
            projects[key] = _project_of(session, task)
        project_id = projects[key]
        if project_id is None or project_id in checked:
            continue
        checked.add(project_id)
        found = review.find_review_session(session, project_id, name)
        if found is not None:
            review.ensure_open(found)
            continue
        default = str(BY_NAME["naming.review_session"].default)
        matches = near_names(name, open_session_names(session, project_id), template or default)
        if matches:
            raise misspelt_session_error(name, matches)


def _project_key(task: str) -> str:
    """What names the project of ``task``: its id, or its path's first part (the project)."""
    from ft_dcc.publish.context.tasks import parse_task_ref

    task_id, task_path = parse_task_ref(task)
    return f"id:{task_id}" if task_id else f"project:{(task_path or '').split('/')[0]}"


def _project_of(session: IntegrateSession, task: str) -> Optional[str]:
    """The id of the project of ``task`` (a task id or a Project/.../Task path), or None."""
    from ft_dcc.protocol.query_text import quote
    from ft_dcc.publish.context.tasks import parse_task_ref

    task_id, task_path = parse_task_ref(task)
    if task_id:
        row = session.query(f"select project_id from Task where id is {quote(task_id)}").first()
        return str(row["project_id"]) if row is not None else None
    project = (task_path or "").split("/")[0]
    row = session.query(
        f"select id from Project where name is {quote(project)} or full_name is {quote(project)}"
    ).first()
    return str(row["id"]) if row is not None else None
