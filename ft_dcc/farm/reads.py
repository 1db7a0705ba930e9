"""The server reads of a batch's frame checks, shared by its scenes: each distinct task is
read once (none when the settings' read found it already), and the views of every scene in
as few requests as :data:`VIEWS_PER_REQUEST` allows, so scenes on a few tasks cost a handful
of requests however many they are."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple, Union

from ft_dcc.exceptions import ApiConnectionError
from ft_dcc.farm.rules import Decision, FrameQuestion, answered
from ft_dcc.session.interface import EntityLike, IntegrateSession

if TYPE_CHECKING:  # pragma: no cover - types only
    from ft_dcc.publish.integrate.read import ServerView

log = logging.getLogger(__name__)

#: the scenes' views read in one ``/api`` request (a few queries each)
VIEWS_PER_REQUEST = 200

#: one scene's frame checks: decided already, or its question and the task the settings' read
#: found for it (None: read here)
Asked = Tuple[Union[Decision, FrameQuestion], Optional[EntityLike]]


def decisions(session: Optional[IntegrateSession], asked: List[Asked]) -> List[Decision]:
    """Each scene's Decision, in order; a refusal raises (FarmError, or the publish's own
    error for a task that is not there). Without the server: nothing decided, said once per
    scene."""
    questions = [item for item, _ in asked if isinstance(item, FrameQuestion)]
    if session is None or not questions:
        return [Decision() if isinstance(item, FrameQuestion) else item for item, _ in asked]
    try:
        answers = _answers(session, asked)
    except ApiConnectionError as exc:
        log.info("farm submit: the server could not be reached (%s)", exc.message)
        answers = [_unreached(question, exc) for question in questions]
    given = iter(answers)
    return [next(given) if isinstance(item, FrameQuestion) else item for item, _ in asked]


def _unreached(question: FrameQuestion, exc: ApiConnectionError) -> Decision:
    said = f"{question.path}: the server could not be reached ({exc.message})"
    return Decision(warnings=[f"{said}: its range and rate are checked by its publish step"])


def _answers(session: IntegrateSession, asked: List[Asked]) -> List[Decision]:
    """The questions' Decisions: their tasks, then their views, then the checks."""
    wanted = [(item, found) for item, found in asked if isinstance(item, FrameQuestion)]
    tasks = _tasks(session, wanted)
    targets = [(tasks[str(q.request.task)], q.path.stem) for q, _ in wanted]
    views = _views(session, targets)
    return [
        answered(question, session, task, views[(str(task["id"]), stem)])
        for (question, _), (task, stem) in zip(wanted, targets)
    ]


def _tasks(
    session: IntegrateSession, wanted: List[Tuple[FrameQuestion, Optional[EntityLike]]]
) -> Dict[str, EntityLike]:
    """Each distinct task of the questions (by its reference), read once, in scene order."""
    from ft_dcc.publish.context.tasks import parse_task_ref, resolve_task

    tasks: Dict[str, EntityLike] = {}
    for question, found in wanted:
        ref = str(question.request.task or "")
        if ref in tasks:
            continue
        tasks[ref] = found if found is not None else resolve_task(session, *parse_task_ref(ref))
    return tasks


def _views(
    session: IntegrateSession, targets: List[Tuple[EntityLike, str]]
) -> Dict[Tuple[str, str], ServerView]:
    """The server's view of each distinct (task, asset name), by (task id, asset name)."""
    from ft_dcc.publish.integrate.read import PublishTarget, read_views

    distinct = {(str(task["id"]), stem): task for task, stem in targets}
    keys = list(distinct)
    views: Dict[Tuple[str, str], ServerView] = {}
    for start in range(0, len(keys), VIEWS_PER_REQUEST):
        chunk = keys[start : start + VIEWS_PER_REQUEST]
        wanted = [(PublishTarget(task=distinct[key], asset_name=key[1]), None) for key in chunk]
        views.update(zip(chunk, read_views(session, wanted)))
    return views
