"""A publish's request (:class:`PublishRequest`) and its plugins' shared :class:`PublishState`.

The state lives in ``context.data["ft_dcc"]``: collectors fill it from the host and the request,
validators check it, extractors add media, the integrator writes it to ftrack (or the queue).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Tuple, TypeVar

import attr

from ft_dcc.host.interface import CaptureResult, CaptureSpec, Host
from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.report import DEFERRED
from ft_dcc.session.interface import EntityLike, PublishSession

if TYPE_CHECKING:  # pragma: no cover - the integrate stage's types, imported lazily at run time
    from ft_dcc.media.burnin import BurninChoice
    from ft_dcc.media.colour import ResolvedColour
    from ft_dcc.media.probe import MovieInfo
    from ft_dcc.publish.integrate import IntegrateOutcome
    from ft_dcc.publish.integrate_read import ServerView
    from ft_dcc.publish.manifest import IntegrateManifest
    from ft_dcc.publish.queue import QueueEntry

STATE_KEY = "ft_dcc"
REVIEW_FAMILY = "review"


@attr.s(auto_attribs=True, kw_only=True)
class PublishRequest:
    """The artist's choices for one publish (the arguments of :func:`ft_dcc.publish.publish`)."""

    task: Optional[str] = None  # task id or "Project/Seq/Shot/Task"; FTRACK_CONTEXTID if None
    review_session: Optional[str] = None  # name; "Dailies YYYY-MM-DD" if None
    comment: str = ""
    frames: Optional[Tuple[int, int]] = None
    fps: Optional[Fraction] = None
    camera: Optional[str] = None
    invitees: Tuple[Any, ...] = ()
    include_source: bool = False
    asset_name: Optional[str] = None
    queue_dir: Optional[Path] = None
    work_dir: Optional[Path] = None
    thumbnail_frame: Optional[int] = None  # the frame of the thumbnail/poster; None: the middle
    burnin: Optional[str] = None  # off/on/slate/both; None: on when a template is given
    burnin_template: Optional[str] = None  # a template file; None: $FT_DCC_BURNIN_TEMPLATE
    new_review_session: bool = False  # create the session even when its name is close to one
    # from the resolved settings (ft_dcc.settings; see ft_dcc.publish.settings_options)
    asset_name_template: Optional[str] = None  # naming.asset, e.g. "{shot}_{camera}"
    name_fields: Dict[str, str] = attr.Factory(dict)  # project/sequence/shot/task for templates
    resolution: Optional[Tuple[int, int]] = None  # capture.resolution
    scale: Optional[float] = None  # capture.scale, when no resolution is given
    check_severity: Dict[str, str] = attr.Factory(dict)  # validator class -> block/warn/off


@attr.s(auto_attribs=True, kw_only=True)
class PublishState:
    """Shared, mutable state of one publish run."""

    host: Host
    request: PublishRequest = attr.Factory(PublishRequest)
    progress: Progress = null_progress
    work_dir: Optional[Path] = None
    session: Optional[PublishSession] = None
    session_factory: Optional[Callable[[], PublishSession]] = None
    offline: bool = False
    offline_reason: str = ""  # why the server could not be reached, in plain words
    online: bool = False  # the server answered and accepted the credentials
    skipped: Dict[str, str] = attr.Factory(dict)  # plugin class name -> why it did not check
    # collected
    task_id: Optional[str] = None
    task_path: Optional[str] = None
    review_session_name: Optional[str] = None
    asset_name: Optional[str] = None
    spec: Optional[CaptureSpec] = None
    scene: Optional[Path] = None
    user: Optional[str] = None
    # validated (online only)
    task: Optional[EntityLike] = None
    task_error: Optional[Exception] = None  # the task could not be found (said by ValidateTask)
    view: Optional[ServerView] = None  # the publish's planned read (integrate_read)
    shot: Optional[EntityLike] = None
    project: Optional[str] = None  # the task's project id
    colour: Optional[ResolvedColour] = None  # when the frames need a display transform
    thumbnail_frame: Optional[int] = None  # the source frame the thumbnail shows
    burnin: Optional[BurninChoice] = None  # the burn-in/slate to draw, None for none
    burnin_values: Dict[str, Any] = attr.Factory(dict)  # the field values drawn
    # extracted
    capture: Optional[CaptureResult] = None
    review_movie: Optional[Path] = None
    movie_info: Optional[MovieInfo] = None
    ftr_meta: Dict[str, Any] = attr.Factory(dict)
    thumbnail: Optional[Path] = None
    # integrated
    manifest: Optional[IntegrateManifest] = None
    outcome: Optional[IntegrateOutcome] = None
    queue_entry: Optional[QueueEntry] = None
    warnings: List[str] = attr.Factory(list)

    # -- what a stage needs of the stages before it (PublishError when one did not run) ------
    def connected_session(self) -> PublishSession:
        """The session of an online publish."""
        return _ready(self.session, "has no ftrack session", "connect")

    def capture_spec(self) -> CaptureSpec:
        """The collected capture settings."""
        return _ready(self.spec, "has no capture settings", "collect")

    def capture_result(self) -> CaptureResult:
        """The captured frames or movie."""
        return _ready(self.capture, "has captured nothing", "capture")

    def work_folder(self) -> Path:
        """The folder the publish writes its media to."""
        return _ready(self.work_dir, "has no work folder", "collect")

    def slate_frames(self) -> int:
        """The frames the review movie holds before the first source frame (a slate)."""
        return self.burnin.slate_frames if self.burnin is not None else 0

    def review_movie_path(self) -> Path:
        """The encoded and verified review movie."""
        return _ready(self.review_movie, "has no review movie", "encode")


_T = TypeVar("_T")


def _ready(value: Optional[_T], what: str, stage: str) -> _T:
    """``value`` once the ``stage`` step has set it; PublishError saying so before that."""
    if value is None:
        from ft_dcc.exceptions import PublishError

        raise PublishError(
            f"this publish {what}: its {stage} step did not run",
            hint="publish through ft_dcc.publish.publish(host, ...), which runs every step",
        )
    return value


def skip(context: Any, plugin: Any, reason: str) -> None:
    """Record that ``plugin`` did not check anything, and why (shown as "skipped" in the report)."""
    state = context.data.get(STATE_KEY)
    if state is not None:
        state.skipped[type(plugin).__name__] = reason
    plugin.log.info("skipped: %s", reason)


NO_CONNECTION = "no connection to ftrack"


def defer(context: Any, plugin: Any) -> None:
    """Record that ``plugin`` checks nothing now because the publish is offline: the queue
    flush checks it (shown as "later" in the report)."""
    skip(context, plugin, DEFERRED)


def state_of(context: Any) -> PublishState:
    """The :class:`PublishState` of a pyblish context; PublishError if ft_dcc did not start it."""
    state = context.data.get(STATE_KEY)
    if state is None:
        from ft_dcc.exceptions import PublishError

        raise PublishError(
            "this pyblish context was not prepared by ft_dcc",
            hint="publish through ft_dcc.publish.publish(host, ...) or call "
            "ft_dcc.publish.install(host) before driving the plugins from a pyblish UI",
        )
    return state
