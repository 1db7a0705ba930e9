"""Find the ftrack task a publish goes to: by id, by ``Project/Seq/Shot/Task`` path, or from
``FTRACK_CONTEXTID``."""

from __future__ import annotations

import os
from typing import List, Optional, Tuple

from ft_dcc.exceptions import NoResultFoundError, ValidationError
from ft_dcc.protocol import ENV_CONTEXT_ID
from ft_dcc.protocol.query_text import quote
from ft_dcc.session.interface import EntityLike, PublishSession


def parse_task_ref(text: Optional[str]) -> Tuple[Optional[str], Optional[str]]:
    """``(task_id, task_path)`` from what the artist typed, else from ``FTRACK_CONTEXTID``."""
    text = (text or "").strip() or os.environ.get(ENV_CONTEXT_ID, "").strip()
    if not text:
        return None, None
    if "/" in text:
        parts = [p for p in text.strip("/").split("/") if p]
        return None, "/".join(parts)
    return text, None


#: what publishing reads of a task, fetched with it so no attribute is auto-populated later
TASK_PROJECTION = "select id, name, context_type, parent_id, project_id, link from Task"


def no_task_given() -> ValidationError:
    """The error of a publish that names no task."""
    return ValidationError(
        "no ftrack task was given for this publish",
        hint="give the task as Project/Sequence/Shot/Task or a task id (ft-dcc publish "
        f"--task, or the task field of the ftrack panel), or set {ENV_CONTEXT_ID}",
    )


def resolve_task(
    session: PublishSession, task_id: Optional[str], task_path: Optional[str]
) -> EntityLike:
    """The Task entity; :class:`ValidationError` saying what to do when it does not exist."""
    if task_id:
        task = session.query(f"{TASK_PROJECTION} where id is {quote(task_id)}").first()
        if task is None:
            raise ValidationError(
                f"there is no ftrack task with id {task_id!r} on this server",
                hint="check the task id (or give the task as Project/Sequence/Shot/Task)",
            )
        return task
    if not task_path:
        raise no_task_given()
    parts = task_path.split("/")
    if len(parts) < 2:
        raise ValidationError(
            f"the task path {task_path!r} names no task",
            hint="write it as Project/Sequence/Shot/Task (at least Project/Task)",
        )
    found = session.query(f"{TASK_PROJECTION} where {path_condition(parts)}").all()
    exact = [t for t in found if [item["name"] for item in t["link"] or []] == parts]
    if len(exact) == 1:  # the usual case: one request
        return exact[0]
    return _resolve_step_by_step(session, task_path, parts)


def path_condition(parts: List[str], prefix: str = "") -> str:
    """``Project/a/b/Task`` as one condition on the task: its name and its parents' names
    (``prefix``: the path to the task from what is queried, e.g. ``task.``)."""
    conditions = [f"{prefix}name is {quote(parts[-1])}"]
    for depth, name in enumerate(reversed(parts[1:-1]), start=1):
        conditions.append(f"{prefix}{'parent.' * depth}name is {quote(name)}")
    conditions.append(f"{prefix}project.name is {quote(parts[0])}")
    return " and ".join(conditions)


def _resolve_step_by_step(session: PublishSession, task_path: str, parts: List[str]) -> EntityLike:
    """Resolve level by level, to say exactly which level is missing (or to find full names)."""
    project = session.query(
        f"Project where name is {quote(parts[0])} or full_name is {quote(parts[0])}"
    ).first()
    if project is None:
        raise _missing_project(session, parts[0])
    parent_id = project["id"]
    entity = project
    for depth, name in enumerate(parts[1:], start=1):
        child = session.query(
            f"TypedContext where parent_id is {quote(parent_id)} and name is {quote(name)}"
        ).first()
        if child is None:
            raise _missing_level(session, parent_id, parts, depth, task_path)
        entity = child
        parent_id = entity["id"]
    try:
        return session.query(f"{TASK_PROJECTION} where id is {quote(entity['id'])}").one()
    except NoResultFoundError:
        raise ValidationError(
            f"{task_path!r} is not a task",
            hint="publish to a task (e.g. .../Shot/compositing), not to a shot or folder",
        ) from None


#: how many existing names an unknown level's error lists
LISTED_NAMES = 20


def _missing_project(session: PublishSession, name: str) -> ValidationError:
    """The error of a task path whose project does not exist: the nearest project name
    ("did you mean"), e.g. 'ft_dcc_demo' for 'demo'."""
    rows = session.query("select name from Project")
    names = sorted({str(row["name"]) for row in rows}, key=str.lower)
    nearest = nearest_names(name, names)
    guess = f": did you mean {nearest[0]!r}?" if nearest else ""
    listed = ", ".join(names[:LISTED_NAMES]) + (", ..." if len(names) > LISTED_NAMES else "")
    hint = "check the project name at the start of the task path"
    return ValidationError(
        f"there is no ftrack project called {name!r}{guess}",
        hint=f"{hint}; the projects are: {listed}" if names and not nearest else hint,
    )


def _missing_level(
    session: PublishSession, parent_id: str, parts: List[str], depth: int, task_path: str
) -> ValidationError:
    """The error of a path level that does not exist: what does exist there, and the nearest
    name ("did you mean"), as for review sessions."""
    name = parts[depth]
    found_path = "/".join(parts[:depth])
    rows = session.query(f"select name from TypedContext where parent_id is {quote(parent_id)}")
    names = sorted({str(row["name"]) for row in rows}, key=str.lower)
    nearest = nearest_names(name, names)
    kind = "task" if depth == len(parts) - 1 else "child"
    message = f"{found_path!r} has no {kind} called {name!r} (task path {task_path!r})"
    if nearest:
        message += f": did you mean {nearest[0]!r}?"
    if not names:
        return ValidationError(message, hint=f"{found_path!r} is empty: create it in ftrack")
    listed = ", ".join(names[:LISTED_NAMES]) + (", ..." if len(names) > LISTED_NAMES else "")
    return ValidationError(message, hint=f"check the spelling; it holds: {listed}")


def nearest_names(name: str, candidates: List[str]) -> List[str]:
    """The likely meanings of a mistyped ``name``: the names within two edits (closest first),
    else those it starts (or that start it), else those holding it ("demo" for
    "ft_dcc_demo"), case-insensitive."""
    from ft_dcc.review.names import close_matches

    close = close_matches(name, candidates)
    if close:
        return close
    typed = name.strip().lower()
    if not typed:
        return []
    starts = [c for c in candidates if c.lower().startswith(typed) or typed.startswith(c.lower())]
    return starts or [c for c in candidates if typed in c.lower()]


#: what the frame-range check reads of a task's parent (shot), fetched in one request
SHOT_PROJECTION = (
    "select id, name, context_type, link, custom_attributes.key, custom_attributes.value, "
    "custom_attributes.configuration_id, custom_attributes.entity_id from TypedContext"
)


def load_shot(session: PublishSession, shot_id: str) -> Optional[EntityLike]:
    """The task's parent (usually a Shot) with its name, link and custom attributes loaded."""
    return session.query(f"{SHOT_PROJECTION} where id is {quote(shot_id)}").first()
