"""The one seam between the studio settings and a publish: the typed request and the resolved
settings in, the typed request out (:func:`settled`; read and settled at once:
:func:`settle_request`). The artist's own choices always win; settings fill only what they
left out.

What it reads: the publish's task (its project, type and path) to choose the project's settings
and the profiles of this host and task type; with no task given, ``paths.task_templates`` turn
the input's path into one. What it fills: the review session's name (``naming.review_session``),
burn-ins (``burnin.*``), an EXR input's colour options (``colour.*``, :func:`files_colour`);
every key a plugin owns (``ft_dcc.settings.keys.PLUGIN_KEYS``: the capture, encode, naming,
look, thumbnail and check keys, the rules of a review session the publish creates) goes to that
plugin's class, as the request's ``settings.plugins`` (the artist's own ``--frames``,
``--camera``, ``--asset``, ``--look`` still win), and the task's names the read found as its
``task_names``.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Callable, Dict, Iterable, List, Optional, Tuple, TypeVar, cast

import attr

from ft_dcc.exceptions import (
    ApiConnectionError,
    AuthenticationError,
    ConfigurationError,
    SettingsError,
)
from ft_dcc.protocol import ENV_CONTEXT_ID
from ft_dcc.protocol.query_text import quote
from ft_dcc.publish.request.options import ColourOptions
from ft_dcc.publish.request.request import PublishRequest
from ft_dcc.publish.request.studio_settings import StudioSettings
from ft_dcc.session.interface import EntityLike, IntegrateSession, PublishSession
from ft_dcc.settings import layers, store
from ft_dcc.settings.keys import BY_NAME, PLUGIN_KEYS, key_named
from ft_dcc.settings.kinds import SettingValue
from ft_dcc.settings.load import unread, with_file
from ft_dcc.settings.plugins import PluginSettings, merged
from ft_dcc.settings.resolve import Filters, Resolved
from ft_dcc.settings.task_paths import task_of_path
from ft_dcc.settings.templates import review_session_name

log = logging.getLogger(__name__)

COLOUR_OPTIONS = {"ocio_config": "colour.ocio_config", "display": "colour.display",
                  "view": "colour.view"}  # fmt: skip


@attr.s(auto_attribs=True, frozen=True)
class TaskContext:
    """What the settings need to know of the publish's task (all None when unknown)."""

    project: Optional[str] = None
    task_type: Optional[str] = None
    fields: Dict[str, str] = attr.Factory(dict)  # project/sequence/shot/task names


def parse_assignments(texts: Iterable[str]) -> Dict[str, SettingValue]:
    """``--set KEY=VALUE`` values (VALUE as JSON when it parses, else text), keys checked."""
    values: Dict[str, SettingValue] = {}
    for text in texts:
        name, sep, raw = text.partition("=")
        if not sep:
            raise SettingsError(f"--set {text!r} has no '='", hint="write --set KEY=VALUE")
        key = key_named(name.strip())
        layers.check_artist(key.name)
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        values[key.name] = key.check(value)
    return values


@attr.s(auto_attribs=True)
class SharedRead:
    """The publish's own session lent to the settings read (its start rides with that read),
    and the task the read found when it is exactly the publish's task: the publish keeps it
    instead of reading it again."""

    session: Optional[IntegrateSession]
    task: Optional[EntityLike] = None
    #: what was read so far through this session, by what was asked (the studio's row, a
    #: task's, the projects'), with its notes: a batch of scenes (``ft-dcc farm submit``)
    #: lending one SharedRead reads each once
    reads: Dict[str, Tuple[object, List[str]]] = attr.Factory(dict)


def open_session() -> Optional[IntegrateSession]:
    """A session whose start rides with its first request; None when ftrack is not set up."""
    from ft_dcc.session import Session

    try:
        return Session(defer_start=True)
    except ConfigurationError as exc:
        log.info("settings: the ftrack server is not available (%s)", exc)
        return None


#: the studio's Setting row and the publish's task, each None when not found (or no server)
_Rows = Tuple[Optional[EntityLike], Optional[EntityLike]]


def _read(
    session: Optional[PublishSession], task: Optional[str], notes: List[str],
    shared: Optional[SharedRead] = None,
) -> _Rows:  # fmt: skip
    """The studio's Setting row and the task (with its type, path and project's settings), in
    one request (none when ``shared`` read them already); ``(None, None)`` without a server."""
    from ft_dcc.publish.context.tasks import parse_task_ref, path_condition

    if session is None:
        return None, None
    task_id, task_path = parse_task_ref(task) if task else (None, None)
    parts = task_path.split("/") if task_path else []
    where = (
        f"id is {quote(task_id)}" if task_id else path_condition(parts) if len(parts) > 1 else ""
    )
    expression = f"select {store.TASK_FIELDS} from Task where {where}" if where else None
    none: _Rows = (None, None)

    def read(said: List[str]) -> _Rows:
        assert session is not None
        return _quickly(session, lambda: store.read(session, expression), none, said)

    return _remembered(shared, f"task:{expression}", read, notes)


def _read_projects(
    session: Optional[PublishSession], notes: List[str], shared: Optional[SharedRead] = None
) -> Tuple[Optional[EntityLike], Optional[List[EntityLike]]]:
    """The studio's Setting row and the server's projects with their settings (for the path
    templates), in one request (none when ``shared`` read them already); ``(None, None)``
    without a server."""
    if session is None:
        return None, None
    none: Tuple[Optional[EntityLike], Optional[List[EntityLike]]] = (None, None)

    def read(said: List[str]) -> Tuple[Optional[EntityLike], Optional[List[EntityLike]]]:
        assert session is not None
        return _quickly(session, lambda: store.read_with_projects(session), none, said)

    return _remembered(shared, "projects", read, notes)


_R = TypeVar("_R")


def _remembered(
    shared: Optional[SharedRead], key: str, read: Callable[[List[str]], _R], notes: List[str]
) -> _R:
    """``read(notes)``, once per ``shared`` for ``key``: later asks get the same rows and
    notes without a request."""
    if shared is None:
        return read(notes)
    if key not in shared.reads:
        said: List[str] = []
        shared.reads[key] = (read(said), said)
    value, said = shared.reads[key]
    notes.extend(said)
    return cast(_R, value)


def _quickly(
    session: PublishSession, read: Callable[[], _R], otherwise: _R, notes: List[str]
) -> _R:
    """``read()`` retried at most once (settings fall back to the file when the server is not
    there); ``otherwise`` and a note when it cannot be reached."""
    from ft_dcc.session import Session

    own = session if isinstance(session, Session) else None
    retries = own.retries if own is not None else 0
    if own is not None:
        own.retries = min(retries, 1)
    try:
        return read()
    except (ApiConnectionError, AuthenticationError) as exc:
        notes.append(unread(exc))
        return otherwise
    finally:
        if own is not None:
            own.retries = retries


def _is_the_task(task: EntityLike, ref: str) -> bool:
    """Whether ``task`` (read by a path's condition or an id) is exactly the one ``ref`` names."""
    from ft_dcc.publish.context.tasks import parse_task_ref

    task_id, task_path = parse_task_ref(ref)
    if task_id:
        return bool(task["id"] == task_id)
    return [item["name"] for item in task["link"] or []] == (task_path or "").split("/")


def task_context(task: Optional[EntityLike], ref: Optional[str]) -> TaskContext:
    """The project, type and path names of the publish's ``task`` entity (when found), else
    what the task reference ``ref`` (an id or a path) itself says."""
    from ft_dcc.publish.context.tasks import parse_task_ref

    if task is not None:
        parts = [item["name"] for item in task["link"] or []]
        task_type = task["type"]["name"] if task["type"] else None
    else:
        task_path = parse_task_ref(ref)[1] if ref else None
        parts, task_type = (task_path.split("/") if task_path else []), None
    names = _path_fields(parts)
    return TaskContext(project=names.get("project"), task_type=task_type, fields=names)


def _path_fields(parts: List[str]) -> Dict[str, str]:
    """``[project, …, sequence, shot, task]`` -> the template fields (from the end)."""
    if len(parts) < 2:
        return {}
    fields = {"project": parts[0], "task": parts[-1]}
    middle = parts[1:-1]
    if middle:
        fields["shot"] = middle[-1]
    if len(middle) >= 2:
        fields["sequence"] = middle[-2]
    return fields


def resolve_for(
    task: Optional[str],
    scene: str,
    host: str,
    artist: Optional[Dict[str, SettingValue]] = None,
    shared: Optional[SharedRead] = None,
) -> Tuple[Resolved, TaskContext, Optional[str]]:
    """The settings of a publish of ``scene`` (its path: the path templates' input) to
    ``task`` (None: ``$FTRACK_CONTEXTID``, else the path templates'), its task's context, and
    the task found from the path by ``paths.task_templates`` (None when the task was given).
    One request to the server, the session's start riding with it (two when the task comes
    from the path templates).

    With ``shared``, the read goes through the publish's session (left open) and
    ``shared.task`` keeps the task it found; otherwise a session of its own is opened and
    closed."""
    store.file_sources(None)  # an invalid $FT_DCC_SETTINGS fails before anything is sent
    notes: List[str] = []
    session = shared.session if shared is not None else open_session()
    if session is None:
        notes.append("the ftrack server's settings were not read (no connection)")
    try:
        given = task or os.environ.get(ENV_CONTEXT_ID, "").strip() or None
        studio, read_task, found_task = _read_task(
            session, given, scene, host, artist, notes, shared
        )
    finally:
        if session is not None and shared is None:
            session.close()
    if shared is not None:  # this publish's task (None: not exactly read), not a former one's
        exact = read_task is not None and _is_the_task(read_task, given or found_task or "")
        shared.task = read_task if exact else None
    context = task_context(read_task, given or found_task)
    server = store.server_sources(studio, read_task["project"] if read_task is not None else None)
    filters = Filters(host=host, task_type=context.task_type)
    return with_file(context.project, server, filters, artist, notes), context, found_task


def _read_task(
    session: Optional[PublishSession],
    given: Optional[str],
    scene: str,
    host: str,
    artist: Optional[Dict[str, SettingValue]],
    notes: List[str],
    shared: Optional[SharedRead] = None,
) -> Tuple[Optional[EntityLike], Optional[EntityLike], Optional[str]]:
    """``(studio row, task, task path found by the path templates)``: the ``given`` task's
    read, or the studio's settings and the projects', then the task their templates name."""
    if given is not None:
        return (*_read(session, given, notes, shared), None)
    studio, projects = _read_projects(session, notes, shared)
    found_task = task_of_path(scene, studio, projects, host, artist)
    if found_task is None:
        return studio, None, None
    return (*_read(session, found_task, notes, shared), found_task)


@attr.s(auto_attribs=True, frozen=True)
class PublishSettings:
    """The settings a publish would use, with where each value came from (``resolved``: its
    ``values`` hold value, level and origin; ``profiles`` the ones applied, ``unmatched`` why
    none did, ``notes`` what could not be read), its task's context, and the task itself."""

    resolved: Resolved
    context: TaskContext
    task: Optional[str]  # the task given, else the one the path templates found (None: none)
    from_path: bool  # the task was found from the scene's path by paths.task_templates


def settings_for_publish(
    host: str,
    task: Optional[str] = None,
    scene: Optional[str] = None,
    artist: Optional[Dict[str, SettingValue]] = None,
) -> PublishSettings:
    """The settings a publish of ``scene`` (its path; the path templates' input) from ``host``
    to ``task`` (an id or path; None: ``$FTRACK_CONTEXTID``, else the one the path templates
    give) would use: the resolver ``ft-dcc publish`` itself runs, so a panel shows what the
    publish will do. One request (two when the task comes from the path); SettingsError when
    the settings are invalid or the path matches no template."""
    resolved, context, found_task = resolve_for(task or None, scene or "", host, artist)
    given = task or os.environ.get(ENV_CONTEXT_ID, "").strip() or None
    return PublishSettings(resolved, context, given or found_task, found_task is not None)


def settle_request(
    request: PublishRequest,
    host: str,
    scene: str,
    artist: Optional[Dict[str, SettingValue]] = None,
    shared: Optional[SharedRead] = None,
) -> Tuple[PublishRequest, Resolved]:
    """``request`` as its publish receives it (:func:`settled`) with the settings of ``host``,
    its task and ``scene`` (the path templates' input; see :func:`resolve_for` for
    ``shared``), and those settings: the typed request in, the typed request out."""
    resolved, context, found_task = resolve_for(request.task, scene, host, artist, shared)
    return settled(request, resolved, context, found_task), resolved


def settled(
    request: PublishRequest, resolved: Resolved, context: TaskContext,
    found_task: Optional[str] = None,
) -> PublishRequest:  # fmt: skip
    """``request`` as its publish receives it: the artist's choices kept, those left empty
    filled by the settings (the task the scene's path names, the review session's name, the
    burn-in mode and template), what the plugins receive (``settings``) and the task's names
    the read found (``task_names``)."""
    task = request.task or found_task
    return attr.evolve(
        request,
        task=task,
        review_session_name=request.review_session_name or _session_name(resolved, context, task),
        burnin=request.burnin or _burnin_mode(resolved),
        burnin_template=request.burnin_template or _burnin_template(resolved),
        settings=StudioSettings(plugins=plugin_settings(resolved)),
        task_names=context.fields,
    )


def artist_request(
    request: PublishRequest, settled_request: PublishRequest, artist: Dict[str, SettingValue]
) -> PublishRequest:
    """The artist's own request of a publish settled before the pipeline (``ft-dcc publish``):
    ``request`` as typed, with what the artist's own settings (``--set``: ``artist``) gave it:
    their plugin values, and the review session and burn-in they decide (as ``settled_request``
    has them). What the other layers gave is left to the settings: a queued publish's journal
    keeps this, and the flush settles it with the settings then."""
    plugins: PluginSettings = {}
    for key, value in artist.items():
        if key in PLUGIN_KEYS:
            plugin, attribute = PLUGIN_KEYS[key]
            plugins.setdefault(plugin, {})[attribute] = value
    return attr.evolve(
        request,
        review_session_name=_own(request.review_session_name, settled_request.review_session_name,
                                 "naming.review_session" in artist),
        burnin=_own(request.burnin, settled_request.burnin, "burnin.mode" in artist),
        burnin_template=_own(request.burnin_template, settled_request.burnin_template,
                             "burnin.template" in artist),
        settings=StudioSettings(plugins=plugins),  # the CLI's typed request holds none
    )  # fmt: skip


def _own(typed: Optional[str], settled_value: Optional[str], set_by_artist: bool) -> Optional[str]:
    """The artist's value: the one typed, else the settled one when the artist's ``--set``
    decided it (None: the settings decide)."""
    return typed or (settled_value if set_by_artist else None)


def _session_name(resolved: Resolved, context: TaskContext, task: Optional[str]) -> Optional[str]:
    """``naming.review_session`` for this publish; None with no task at all (it says so)."""
    if not (task or context.project or os.environ.get(ENV_CONTEXT_ID, "").strip()):
        return None
    template = resolved.text("naming.review_session")
    return review_session_name(template, context.project, os.environ.get("FTRACK_API_USER"))


def _burnin_mode(resolved: Resolved) -> Optional[str]:
    return None if resolved["burnin.mode"] == "default" else resolved.text("burnin.mode")


def _burnin_template(resolved: Resolved) -> Optional[str]:
    template = resolved.optional_text("burnin.template")
    return os.path.abspath(os.path.expanduser(template)) if template else None


def plugin_settings(resolved: Resolved) -> PluginSettings:
    """What each plugin receives as class attributes: the keys it owns (``PLUGIN_KEYS``: a
    check's severity, the capture's range and size, the asset's naming, ...), where they differ
    from the default, with the settings' ``plugins`` section laid over them."""
    owned: PluginSettings = {}
    for key, (plugin, attribute) in PLUGIN_KEYS.items():
        if resolved[key] != BY_NAME[key].default:
            owned.setdefault(plugin, {})[attribute] = resolved[key]
    return merged([owned, resolved.plugins])


def files_colour(
    given: Optional[ColourOptions], resolved: Resolved, input_path: str
) -> Optional[ColourOptions]:
    """The files host's colour options: the artist's, else for an EXR input the settings'
    (``colour.*``; None: none)."""
    if given or not input_path.lower().endswith(".exr"):
        return given
    values: ColourOptions = {
        "ocio_config": resolved.optional_text(COLOUR_OPTIONS["ocio_config"]),
        "display": resolved.optional_text(COLOUR_OPTIONS["display"]),
        "view": resolved.optional_text(COLOUR_OPTIONS["view"]),
    }
    return values if any(values.values()) else None
