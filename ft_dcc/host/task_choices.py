"""The data side of each host's task picker (#23 item 3): project -> shot -> task, recent first,
narrowed by the settings' path templates when the scene's path matches one.

One query reads a project's tasks with their paths (``link``); the artist's recent tasks are
kept in ft_dcc's app-data folder (``recent_tasks.json``), per server. The hosts only draw what
:func:`task_choices` returns.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import attr

from ft_dcc.exceptions import SettingsError
from ft_dcc.protocol.app_data import user_data_dir
from ft_dcc.protocol.query_text import quote
from ft_dcc.publish.common.atomic import atomic_write_json
from ft_dcc.publish.common.report import PublishReport
from ft_dcc.session.interface import PublishSession
from ft_dcc.settings.load import load as load_settings
from ft_dcc.settings.resolve import Filters, Resolved
from ft_dcc.settings.templates import task_from_path

log = logging.getLogger(__name__)

RECENT_FILE = "recent_tasks.json"
#: how many recent tasks are kept per server
RECENT_KEPT = 10


@attr.s(frozen=True, auto_attribs=True)
class TaskChoice:
    """One task the artist may pick: its id and ``Project/…/Shot/Task`` path."""

    id: str
    path: str
    recent: bool = False
    #: the scene's path matched a path template naming this task
    from_scene: bool = False

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def context(self) -> str:
        """Where the task is: ``Project/…/Shot`` (its parents)."""
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    @property
    def label(self) -> str:
        """For a list entry: ``sh010 / comp`` (the shot and the task)."""
        parts = self.path.split("/")
        return " / ".join(parts[-2:])


def fetch_tasks(session: PublishSession, project: Optional[str] = None) -> List[TaskChoice]:
    """Every task (of ``project``) with its path, in one request."""
    where = f" where project.name is {quote(project)}" if project else ""
    found = session.query(f"select id, name, link from Task{where}").all()
    choices = []
    for task in found:
        path = "/".join(str(item["name"]) for item in task["link"] or [])
        choices.append(TaskChoice(id=str(task["id"]), path=path or str(task["name"])))
    return sorted(choices, key=lambda c: c.path.lower())


def fetch_projects(session: PublishSession) -> List[str]:
    """The names of the server's projects, for the picker's first level."""
    return sorted(str(p["name"]) for p in session.query("select name from Project").all())


class RecentTasks:
    """The tasks the artist published to lately, newest first, per server URL."""

    def __init__(self, path: Optional[Path] = None) -> None:
        self.path = path or user_data_dir() / RECENT_FILE

    def _read(self) -> Dict[str, List[str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring the recent tasks in %s: %s", self.path, exc)
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): [str(p) for p in v] for k, v in data.items() if isinstance(v, list)}

    def load(self, server_url: str) -> List[str]:
        return self._read().get(server_url.rstrip("/"), [])

    def remember(self, server_url: str, task_path: str) -> None:
        data = self._read()
        key = server_url.rstrip("/")
        paths = [task_path] + [p for p in data.get(key, []) if p != task_path]
        data[key] = paths[:RECENT_KEPT]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_json(self.path, data)


def scene_task(
    templates: Sequence[str], scene_path: Optional[str], projects: Optional[Sequence[str]] = None
) -> Optional[str]:
    """The task path the path templates give ``scene_path`` (naming one of ``projects`` when
    given), or None when none matches."""
    if not scene_path or not templates:
        return None
    try:
        return task_from_path(templates, scene_path, projects)
    except SettingsError:
        return None


def order_choices(
    tasks: Sequence[TaskChoice], recent: Sequence[str], scene: Optional[str] = None
) -> List[TaskChoice]:
    """``scene``'s task, then the recent ones (newest first), then the rest; when ``scene``
    names a task, only the tasks beside it (same shot) and the recent ones are kept."""
    by_path = {t.path: t for t in tasks}
    ordered: List[TaskChoice] = []
    if scene and scene in by_path:
        ordered.append(attr.evolve(by_path[scene], from_scene=True))
    ordered += [attr.evolve(by_path[p], recent=True) for p in recent if p in by_path]
    shot = scene.rsplit("/", 1)[0] + "/" if scene and "/" in scene else ""
    seen = {c.path for c in ordered}
    ordered += [t for t in tasks if t.path not in seen and t.path.startswith(shot)]
    return ordered


def task_choices(
    session: PublishSession,
    project: Optional[str] = None,
    scene_path: Optional[str] = None,
    templates: Sequence[str] = (),
    recent: Optional[RecentTasks] = None,
    projects: Optional[Sequence[str]] = None,
) -> List[TaskChoice]:
    """What a host's picker lists (see :func:`order_choices`); ``project`` defaults to the
    one the scene's path names (one of ``projects``, the server's, when given)."""
    scene = scene_task(templates, scene_path, projects)
    if project is None and scene:
        project = scene.split("/", 1)[0]
    tasks = fetch_tasks(session, project)
    url = str(getattr(session, "server_url", "") or "")
    return order_choices(tasks, (recent or RecentTasks()).load(url), scene)


def remember_published(
    report: Optional[PublishReport], server_url: Optional[str], recent: Optional[RecentTasks] = None
) -> None:
    """After a successful (not only queued) publish: its task goes first in the recent ones.
    Never fails the publish: a recent list that cannot be written is only logged."""
    if not (report is not None and report.ok and not report.queued and report.task and server_url):
        return
    try:
        (recent or RecentTasks()).remember(server_url, str(report.task))
    except OSError as exc:
        log.warning("could not remember the recent task %s: %s", report.task, exc)


@attr.s(frozen=True, auto_attribs=True)
class Picker:
    """What a host's picker shows: the choices and the settings that apply (host, project)."""

    choices: List[TaskChoice]
    settings: Resolved


def load_picker(
    session: PublishSession,
    host: str,
    scene_path: Optional[str] = None,
    recent: Optional[RecentTasks] = None,
) -> Picker:
    """The choices for ``scene_path`` (its project when a path template names one) and the
    settings resolved for ``host`` and that project (the studio's when the project is unknown)."""
    filters = Filters(host=host)
    resolved = load_settings(session=session, filters=filters)
    templates = resolved.texts("paths.task_templates")
    projects = fetch_projects(session) if templates and scene_path else None
    scene = scene_task(templates, scene_path, projects)
    if scene:
        try:
            resolved = load_settings(scene.split("/", 1)[0], filters, session=session)
        except SettingsError as exc:  # e.g. the folder names no project on this server
            log.info("the scene's path names no task here: %s", exc)
            scene_path = None
    choices = task_choices(session, None, scene_path, templates, recent, projects)
    return Picker(choices=choices, settings=resolved)
