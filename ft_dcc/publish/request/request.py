"""What a publish is asked to do: a typed :class:`PublishRequest`, built once by a host's UI or
the CLI and passed whole to :func:`ft_dcc.publish.api.run_publish`.

A request holds one or more :class:`Reviewable` s (each becomes its own AssetVersion) and the
choices they share: the task, the review session, the comment, the frames; and, apart from the
artist's choices, what the studio settings give the publish's plugins (:class:`StudioSettings`:
their ``plugins`` section, which the plugin classes receive) and the task's names the settings
read found (``task_names``: a fact of ftrack, not a setting). It crosses a process boundary
(``ft-dcc publish`` or a farm node -> a headless host; an offline publish -> its queue flush) as
the one JSON form of :mod:`ft_dcc.publish.request.wire`.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Tuple, Union

import attr

from ft_dcc.media._fps import as_fraction
from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.request.options import Invitee, PublishOptions, parse_frames
from ft_dcc.publish.request.studio_settings import StudioSettings
from ft_dcc.session.interface import EntityLike, IntegrateSession
from ft_dcc.settings.resolve import Resolved


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class Reviewable:
    """One thing to review, published as its own AssetVersion.

    ``source`` names it in the host: a camera (Blender, Maya), a Write node (Nuke) or an input
    file (the files host); None is the host's own choice (the current camera, the ticked Write
    node, the input). ``asset_name`` is the artist's; None: the settings' naming template
    (``naming.asset``, e.g. ``{shot}_{camera}``), else a name from the scene or input.
    """

    source: Optional[str] = None
    asset_name: Optional[str] = None


def _fps(value: Union[Fraction, float, str, None]) -> Optional[Fraction]:
    return as_fraction(value) if value not in (None, "") else None


def _optional_int(value: Optional[int]) -> Optional[int]:
    return None if value is None else int(value)


def _optional_path(value: Union[str, Path, None]) -> Optional[Path]:
    return Path(value) if value else None


def _optional_text(value: Union[str, Path, None]) -> Optional[str]:
    return None if value is None else str(value)


def _reviewables(values: Iterable[Union[Reviewable, Dict[str, Optional[str]]]]) -> List[Reviewable]:
    found = [v if isinstance(v, Reviewable) else Reviewable(**v) for v in values]
    return found or [Reviewable()]


def _settings(value: Union[StudioSettings, Mapping[str, Any], None]) -> StudioSettings:
    return StudioSettings.of(value)


def _names(value: Optional[Mapping[str, object]]) -> Dict[str, str]:
    return {str(key): str(name) for key, name in (value or {}).items() if name}


def _invitees(values: Optional[Iterable[Invitee]]) -> Tuple[Invitee, ...]:
    return tuple(values or ())


def _addresses(values: Optional[Iterable[str]]) -> Tuple[str, ...]:
    """Note ids, each once, in the order given (a comma-separated text is split)."""
    ids = [p.strip() for v in (values or ()) for p in str(v).split(",") if p.strip()]
    return tuple(dict.fromkeys(ids))


@attr.s(auto_attribs=True, kw_only=True)
class PublishRequest:
    """The artist's choices for one publish (see the module docstring)."""

    reviewables: List[Reviewable] = attr.ib(factory=lambda: [Reviewable()], converter=_reviewables)
    task: Optional[str] = None  # task id or "Project/Seq/Shot/Task"; FTRACK_CONTEXTID if None
    review_session_name: Optional[str] = None  # "Dailies YYYY-MM-DD" (the settings') if None
    comment: str = attr.ib(default="", converter=lambda v: v or "")
    frames: Optional[Tuple[int, int]] = attr.ib(default=None, converter=parse_frames)
    fps: Optional[Fraction] = attr.ib(default=None, converter=_fps)
    invitees: Tuple[Invitee, ...] = attr.ib(default=(), converter=_invitees)
    #: ids of the task's open to-do notes this version addresses: completed, each answered
    #: with a reply naming the version, in the version's own commit
    addresses: Tuple[str, ...] = attr.ib(default=(), converter=_addresses)
    include_source: bool = attr.ib(default=False, converter=bool)
    queue_dir: Optional[Path] = attr.ib(default=None, converter=_optional_path)
    work_dir: Optional[Path] = attr.ib(default=None, converter=_optional_path)
    #: the frame of the thumbnail/poster; None: the middle
    thumbnail_frame: Optional[int] = attr.ib(default=None, converter=_optional_int)
    #: publish each reviewable as a still: one picture, an ``ftrackreview-image`` (an input
    #: with no frame number in its name is one without it)
    still: bool = attr.ib(default=False, converter=bool)
    #: the frame a scene's still captures; None: the scene's current frame
    still_frame: Optional[int] = attr.ib(default=None, converter=_optional_int)
    burnin: Optional[str] = None  # off/on/slate/both; None: on when a template is given
    #: a template file; None: $FT_DCC_BURNIN_TEMPLATE
    burnin_template: Optional[str] = attr.ib(default=None, converter=_optional_text)
    #: create the session even when its name is close to an open one's
    new_review_session: bool = attr.ib(default=False, converter=bool)
    #: run the repairs a failed validator offers (its pyblish actions), then check again once
    repair: bool = attr.ib(default=False, converter=bool)
    #: what the studio settings give the plugins' classes
    #: (``ft_dcc.publish.request.settings_options``), kept apart from the artist's choices above
    settings: StudioSettings = attr.ib(factory=StudioSettings, converter=_settings)
    #: the names of the task's path (project/sequence/shot/task) as the settings read found the
    #: task in ftrack, for the asset's naming template before the publish reads the server
    task_names: Dict[str, str] = attr.ib(factory=dict, converter=_names)

    @property
    def several(self) -> bool:
        """True when the publish makes more than one version."""
        return len(self.reviewables) > 1


@attr.s(auto_attribs=True, kw_only=True)
class PublishRuntime:
    """How a publish runs, not what it publishes: the ftrack session to reuse (or how to make
    one) and where its progress goes."""

    session: Optional[IntegrateSession] = None
    session_factory: Optional[Callable[[], IntegrateSession]] = None
    progress: Progress = null_progress
    #: the publish's task when the caller already read it on ``session`` (with the fields of
    #: ``ft_dcc.publish.context.tasks.TASK_PROJECTION``): the publish does not read it again
    task: Optional[EntityLike] = None
    #: settle the request with the studio settings of the host, its task and scene where the
    #: pipeline starts (a host's UI publish: ``ft_dcc.publish.request.settled_publish``)
    studio_settings: bool = False
    #: told the settings the pipeline settled the request with (a UI's report shows them)
    on_settings: Optional[Callable[[Resolved], None]] = None
    #: the artist's own request when the caller settled the request before the pipeline
    #: (``ft-dcc publish``, a farm node, a headless host): what a queued publish journals
    asked: Optional[PublishRequest] = None


def request_from_options(options: PublishOptions) -> PublishRequest:
    """The :class:`PublishRequest` of a library caller's options (``publish(host, **options)``):
    one reviewable per ``cameras`` / ``writes`` entry (``camera`` / ``write`` for one), or
    per input when there are several (``inputs``), with any ``settings`` given. (An option left
    out or None is the field's default.)"""
    return PublishRequest(
        reviewables=_reviewables_of(options),
        task=options.get("task"),
        review_session_name=options.get("review_session_name"),
        new_review_session=bool(options.get("new_review_session")),
        repair=bool(options.get("repair")),
        comment=options.get("comment") or "",
        frames=options.get("frames"),
        fps=options.get("fps"),
        invitees=options.get("invitees"),
        addresses=options.get("addresses"),
        include_source=bool(options.get("include_source")),
        thumbnail_frame=options.get("thumbnail_frame"),
        still=bool(options.get("still")),
        still_frame=options.get("still_frame"),
        burnin=options.get("burnin"),
        burnin_template=options.get("burnin_template"),
        queue_dir=options.get("queue_dir"),
        work_dir=options.get("work_dir"),
        settings=options.get("settings"),
        task_names=options.get("task_names") or former_names(options.get("settings")),
    )


def former_names(settings: Optional[Mapping[str, object]]) -> Optional[Mapping[str, object]]:
    """The task's names an older client's settings carried (``name_fields``), else None."""
    names = (settings or {}).get("name_fields")
    return names if isinstance(names, Mapping) else None


def _reviewables_of(options: PublishOptions) -> List[Reviewable]:
    sources = list(options.get("cameras") or options.get("writes") or [])
    sources = sources or [s for s in (options.get("camera"), options.get("write")) if s]
    return reviewables_of(sources, options.get("inputs") or [], options.get("asset_name"))


def reviewables_of(
    sources: Iterable[str], inputs: Iterable[str], asset: Optional[str]
) -> List[Reviewable]:
    """One reviewable per source (a camera, a Write node), or per input when there are several
    (the files host's movies and sequences); ``asset`` names the one reviewable."""
    named, given = list(sources), list(inputs)
    if len(given) > 1:
        named = given
    if len(named) > 1:
        return [Reviewable(source=str(source), asset_name=None) for source in named]
    return [Reviewable(source=named[0] if named else None, asset_name=asset)]
