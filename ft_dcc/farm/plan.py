"""Check a submission and describe it as a :class:`FarmBatch`, before anything is written.

Order matters for bad input: the scenes are checked first (on disk, nothing sent), then the
settings file (a broken one stops here, nothing sent), then the tasks are found (``--task``, or
each scene's path through ``paths.task_templates``: a path no template matches stops the whole
submission, naming it), then each scene's range and rate go through ``ft-dcc publish``'s frame
checks (:mod:`ft_dcc.farm.rules`: what a publish refuses stops the submission with its message),
and the review session name goes through its session check (a closed session, or a name one typo
from an open session's, unless ``--new-review-session``).
Only then is a bundle written; the server is only ever read here.
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

import attr

from ft_dcc.exceptions import ApiConnectionError, FarmError, MediaError
from ft_dcc.farm.model import CHUNKED_HOSTS, FarmBatch, FarmScene
from ft_dcc.protocol import ENV_CONTEXT_ID
from ft_dcc.session.interface import IntegrateSession

if TYPE_CHECKING:  # pragma: no cover - imported where used (the media package is heavier)
    from ft_dcc.farm.reads import Asked
    from ft_dcc.media.sequence import FrameSequence
    from ft_dcc.publish.request.request import PublishRequest
    from ft_dcc.publish.request.settings_options import SharedRead

log = logging.getLogger(__name__)

#: capture parts per scene when --chunks is not given (this many tasks can run at once)
DEFAULT_PARTS = 2


@attr.s(auto_attribs=True, frozen=True, kw_only=True)
class Submission:
    """What ``ft-dcc farm submit`` was asked (the command line, parsed)."""

    scenes: List[str]
    host: Optional[str] = None
    task: Optional[str] = None
    review_session_name: Optional[str] = None
    #: create the session even when its name is one typo from an open one's (the publish steps
    #: are told so too)
    new_review_session: bool = False
    comment: str = ""
    frames: Optional[Tuple[int, int]] = None
    chunks: int = DEFAULT_PARTS
    camera: Optional[str] = None
    python: str = "python3"
    work_dir: Optional[str] = None


def checked_scene(
    text: str, host_option: Optional[str], frames: Optional[Tuple[int, int]] = None
) -> Tuple[Path, str, bool]:
    """``(absolute path, host, is a movie or a still)`` of one scene; FarmError when it does not
    exist, its host cannot read it, or an image sequence lacks frames of its range (``frames``,
    else its first to last frame on disk). A still (one image without a frame number) is
    published as it is, as a movie is: nothing to capture, no frames to ask for."""
    from ft_dcc.media.sequence import FrameSequence, is_movie, is_still_image
    from ft_dcc.publish.commands import SCENE_HOSTS, host_for

    path = Path(text).expanduser().absolute()
    host = host_for(str(path), host_option)
    scene_host = SCENE_HOSTS.get(path.suffix.lower())
    if host == "files" and scene_host:
        raise FarmError(
            f"{text} is a {scene_host} scene, which the files host cannot read",
            hint=f"submit it with --host {scene_host} (or leave --host out)",
        )
    if host == "files" and is_still_image(path):
        if frames is not None:
            raise FarmError(
                f"{text} is a still: --frames does not apply to it",
                hint="submit it without --frames (or submit stills in a batch of their own); "
                "nothing was submitted",
            )
        return path, host, True
    if host != "files" or is_movie(path):
        if not path.is_file():
            raise FarmError(f"{text} does not exist", hint="check the path; nothing was submitted")
        return path, host, host == "files"
    try:
        sequence = FrameSequence.from_path(path)
    except MediaError:
        raise FarmError(
            f"{text} does not exist (no frame of that image sequence is on disk)",
            hint="check the path; nothing was submitted",
        ) from None
    _check_gaps(sequence, frames)
    return path, host, False


def _check_gaps(sequence: FrameSequence, frames: Optional[Tuple[int, int]]) -> None:
    """FarmError naming the frames of the range to publish that are not on disk (a capture
    part would fail on them on the farm, after the other scenes were published)."""
    from ft_dcc.media.sequence import describe_frames

    start, end = frames or (sequence.first, sequence.last)
    present = set(sequence.frames)
    missing = [frame for frame in range(start, end + 1) if frame not in present]
    if missing:
        raise FarmError(
            f"frames {describe_frames(missing)} of {sequence.hash_pattern} are missing "
            f"(its range {start}-{end})",
            hint="render them, or submit the range that exists with --frames START-END; "
            "nothing was submitted",
        )


def scene_request(
    path: Path, host: str, submission: Submission, session_name: Optional[str],
    shared: SharedRead,
) -> PublishRequest:  # fmt: skip
    """The typed request of one scene with the studio settings filled in (through the same
    ``settle_request`` as ``ft-dcc publish``): its task (``--task``, ``$FTRACK_CONTEXTID`` or
    the path templates) and the batch's review session name (``--review-session``, else the
    naming template); FarmError when no task is found."""
    from ft_dcc.publish.request.request import PublishRequest
    from ft_dcc.publish.request.settings_options import settle_request

    task = submission.task or os.environ.get(ENV_CONTEXT_ID, "").strip() or None
    asked = PublishRequest(task=task, review_session_name=session_name, frames=submission.frames)
    request, _ = settle_request(asked, host, str(path), shared=shared)
    if not request.task:
        raise FarmError(
            f"no ftrack task for {path}",
            hint="give --task, or set paths.task_templates in the studio settings",
        )
    return request


def plan(submission: Submission) -> FarmBatch:
    """The batch of ``submission``; FarmError (or SettingsError) saying what to fix."""
    from ft_dcc.settings import store

    if not submission.scenes:
        raise FarmError("no scene was given", hint="ft-dcc farm submit SCENE [SCENE ...]")
    if submission.chunks < 1:
        raise FarmError(f"--chunks must be 1 or more, not {submission.chunks}")
    checked = [
        checked_scene(text, submission.host, submission.frames) for text in submission.scenes
    ]
    paths = [path for path, _, _ in checked]
    twice = sorted({str(path) for path in paths if paths.count(path) > 1})
    if twice:
        raise FarmError(f"{twice[0]} was given twice", hint="give each scene once")
    store.file_sources(None)  # a broken $FT_DCC_SETTINGS stops here, before the server
    from ft_dcc.publish.request.settings_options import open_session

    session = open_session()  # None: ftrack is not set up here (the steps check on the nodes)
    notes: List[str] = []
    try:
        scenes, session_name = _scenes(checked, submission, session, notes)
    finally:
        if session is not None:
            session.close()
    return FarmBatch(
        scenes=scenes,
        review_session_name=session_name,
        new_review_session=submission.new_review_session,
        comment=submission.comment,
        python=submission.python,
        camera=submission.camera,
        work_dir=Path(submission.work_dir).expanduser().absolute() if submission.work_dir else None,
        notes=tuple(notes),
    )


def _scenes(
    checked: List[Tuple[Path, str, bool]], submission: Submission,
    session: Optional[IntegrateSession], notes: List[str],
) -> Tuple[List[FarmScene], str]:  # fmt: skip
    """Each scene of the batch, decided as ``ft-dcc publish`` decides it, and the session."""
    from ft_dcc.farm.assets import scene_links
    from ft_dcc.farm.reads import decisions
    from ft_dcc.publish.shared.naming import asset_name_from_path

    session_name = submission.review_session_name
    requests, asked = _asked(checked, submission, session_name, session)
    session_name = str(requests[-1].review_session_name)
    scenes: List[FarmScene] = []
    templates: Dict[str, Optional[str]] = {}  # each task's naming.review_session
    for index, ((path, host, movie), request, decision) in enumerate(
        zip(checked, requests, decisions(session, asked)), start=1
    ):
        notes.extend(decision.warnings)
        templates[str(request.task)] = request.settings.owned("naming.review_session")
        chunked = host in CHUNKED_HOSTS and not movie
        scenes.append(
            FarmScene(
                index=index, path=path, host=host, task=str(request.task),
                asset_stem=asset_name_from_path(path) or f"scene{index}",
                key=uuid.uuid4().hex, parts=submission.chunks if chunked else 0,
                frames=submission.frames, capture_range=decision.range, rate=decision.rate,
                links=scene_links(path, host),
            )
        )  # fmt: skip
    assert session_name is not None  # scene_request always names one
    if session is not None and not submission.new_review_session:
        notes.extend(_session_name_checked(session, session_name, templates))
    return scenes, session_name


def _asked(
    checked: List[Tuple[Path, str, bool]], submission: Submission, session_name: Optional[str],
    session: Optional[IntegrateSession],
) -> Tuple[List[PublishRequest], List[Asked]]:  # fmt: skip
    """Each scene's settled request and what its frame checks ask the server, the settings
    and each task read once for the batch (one SharedRead); the first scene's review session
    name is the batch's."""
    from ft_dcc.farm.rules import Decision, frame_question
    from ft_dcc.media.sequence import is_still_image
    from ft_dcc.publish.request.settings_options import SharedRead
    from ft_dcc.settings.plugins import discover

    shared = SharedRead(session)
    plugins = discover()  # the plugins a publish would run: the same for every scene
    requests: List[PublishRequest] = []
    asked: List[Asked] = []
    for path, host, _ in checked:
        request = scene_request(path, host, submission, session_name, shared)
        session_name = str(request.review_session_name)
        requests.append(request)
        # a still has no frames: no frame checks (as ft-dcc publish of a still has none)
        still = is_still_image(path)
        question = Decision() if still else frame_question(path, host, request, plugins)
        asked.append((question, shared.task))
    return requests, asked


def _session_name_checked(
    session: IntegrateSession, name: str, templates: Dict[str, Optional[str]]
) -> List[str]:
    """Refuse the batch's session name where ``ft-dcc publish`` would (closed, or a probable
    misspelling of an open session: its message); without the server, a note: the publish
    steps check it."""
    from ft_dcc.farm.rules import check_session_name

    try:
        check_session_name(session, name, templates)
    except ApiConnectionError as exc:
        return [f"the server could not be reached ({exc.message}): the review session name is "
                "checked by the publish steps"]  # fmt: skip
    return []
