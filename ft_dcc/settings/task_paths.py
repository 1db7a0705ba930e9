"""The ftrack task a scene's path names, by ``paths.task_templates``: the studio's templates, and
each project's own where its settings (the server's project document, the file's
``projects.<name>``, a host profile of either) set other ones.

The project is what the templates find, so a project's templates are tried for a match naming
that project: the first template (studio's first, then each project's) with a match naming a
project whose resolved templates hold it wins. Profiles naming task or asset types cannot hold
the key (the task is not known yet: :mod:`.layers` refuses them).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ft_dcc.settings import store
from ft_dcc.settings.load import with_file
from ft_dcc.settings.resolve import Filters
from ft_dcc.settings.templates import task_from_path

if TYPE_CHECKING:
    from ft_dcc.session.interface import EntityLike

KEY = "paths.task_templates"


def templates_by_project(
    studio: Optional[EntityLike],
    projects: Optional[Sequence[EntityLike]],
    host: Optional[str],
    artist: Optional[Mapping[str, object]] = None,
) -> Tuple[List[str], Dict[str, List[str]]]:
    """``(studio's templates, {project: its own templates where they differ})`` for ``host``;
    ``projects`` are the server's (read with ``store.PROJECT_FIELDS``), None offline (then
    the file's projects)."""
    filters = Filters(host=host)
    base = with_file(None, store.server_sources(studio), filters, artist).texts(KEY)
    found: Dict[str, Optional[EntityLike]]
    if projects is None:
        found = {name: None for name in store.file_project_names()}
    else:
        found = {str(project["name"]): project for project in projects}
    own = {}
    for name, entity in found.items():
        texts = with_file(name, store.server_sources(studio, entity), filters, artist).texts(KEY)
        if texts != base:
            own[name] = texts
    return base, own


def task_of_path(
    path: Union[str, Path],
    studio: Optional[EntityLike],
    projects: Optional[Sequence[EntityLike]],
    host: Optional[str],
    artist: Optional[Mapping[str, object]] = None,
) -> Optional[str]:
    """The ``Project/…/Task`` path ``path`` names by the templates (None when no layer sets
    any); SettingsError when templates are set and none names a task of ``path``."""
    base, own = templates_by_project(studio, projects, host, artist)
    if not base and not any(own.values()):
        return None
    names = None if projects is None else [str(project["name"]) for project in projects]
    return task_from_path(base, path, names, own)
