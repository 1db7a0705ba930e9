"""A publish's request (:class:`PublishRequest`) and its plugins' shared :class:`PublishState`.

The state lives in ``context.data["ft_dcc"]``: collectors fill it from the host and the request,
validators check it, extractors add media, the integrator writes it to ftrack (or the queue).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Dict,
    List,
    Optional,
    Protocol,
    Tuple,
    TypeVar,
    Union,
)

import attr

from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec, Host
from ft_dcc.publish.report import DEFERRED
from ft_dcc.publish.request import PublishRequest, Reviewable
from ft_dcc.session.interface import EntityLike, IntegrateSession

if TYPE_CHECKING:  # pragma: no cover - the integrate stage's types, imported lazily at run time
    from ft_dcc.media.burnin import BurninChoice
    from ft_dcc.media.colour import ResolvedColour
    from ft_dcc.media.probe import MovieInfo
    from ft_dcc.publish.integrate import IntegrateOutcome
    from ft_dcc.publish.integrate_read import PublishTarget, ServerView
    from ft_dcc.publish.manifest import IntegrateManifest
    from ft_dcc.publish.queue_entry import QueueEntry

STATE_KEY = "ft_dcc"
#: a burn-in field name -> its value (``version`` is a number, or "next" offline)
BurninValues = Dict[str, Union[str, int]]
#: the ``ftr_meta`` the web player reads (:func:`ft_dcc.media.probe.review_metadata`)
ReviewMeta = Dict[str, Union[int, float]]
REVIEW_FAMILY = "review"


@attr.s(auto_attribs=True, kw_only=True)
class PublishState:
    """Shared, mutable state of one publish run."""

    host: Host
    request: PublishRequest = attr.Factory(PublishRequest)
    reviewable: Reviewable = attr.Factory(Reviewable)  # the one of the request this run makes
    #: the manifests (and planned reads) the earlier runs of a several-reviewable publish
    #: made: this run's integrate step writes them with its own, in one commit
    siblings: List[Tuple[IntegrateManifest, Optional[ServerView]]] = attr.Factory(list)
    integrate_now: bool = True  # False: describe the version (state.manifest) for a later run
    taken_names: List[str] = attr.Factory(list)  # the asset names of the earlier reviewables
    new_session_approved: bool = False  # the artist said "create it" to a close session name
    progress: Progress = null_progress
    work_dir: Optional[Path] = None
    session: Optional[IntegrateSession] = None
    session_factory: Optional[Callable[[], IntegrateSession]] = None
    offline: bool = False
    offline_reason: str = ""  # why the server could not be reached, in plain words
    online: bool = False  # the server answered and accepted the credentials
    connect_error: Optional[Exception] = None  # refused credentials (said by ValidateFtrackServer)
    skipped: Dict[str, str] = attr.Factory(dict)  # plugin class name -> why it did not check
    #: the review instance's ``data`` (the contract a studio plugin reads and writes:
    #: ``ft_dcc.publish.instance_data``) and the pyblish context's, once collected
    instance_data: Dict[str, Any] = attr.Factory(dict)
    context_data: Dict[str, Any] = attr.Factory(dict)
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
    burnin_values: BurninValues = attr.Factory(dict)  # the field values drawn
    # extracted
    capture: Optional[CaptureResult] = None
    review_movie: Optional[Path] = None
    movie_info: Optional[MovieInfo] = None
    ftr_meta: ReviewMeta = attr.Factory(dict)
    thumbnail: Optional[Path] = None
    # integrated
    manifest: Optional[IntegrateManifest] = None
    outcome: Optional[IntegrateOutcome] = None
    queue_entry: Optional[QueueEntry] = None
    warnings: List[str] = attr.Factory(list)

    def camera_choice(self) -> Optional[str]:
        """The camera this run captures through: its reviewable's source on a host that uses
        cameras (others name a Write node or an input there), else the one the settings'
        ``capture.camera`` names, else None: the host's choice (the scene camera)."""
        if not self.host.uses_cameras:
            return None
        rule = self.request.camera_rule
        return self.reviewable.source or (rule if rule != "scene" else None)

    # -- what a stage needs of the stages before it (PublishError when one did not run) ------
    def connected_session(self) -> IntegrateSession:
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

    def described(self) -> IntegrateManifest:
        """The manifest of this run's version (a run that does not integrate makes it)."""
        return _ready(self.manifest, "has no manifest", "integrate")

    def slate_frames(self) -> int:
        """The frames the review movie holds before the first source frame (a slate)."""
        return self.burnin.slate_frames if self.burnin is not None else 0

    def review_movie_path(self) -> Path:
        """The encoded and verified review movie."""
        return _ready(self.review_movie, "has no review movie", "encode")

    def publish_target(self) -> PublishTarget:
        """Where this publish goes, once its task is read (what the one server read asks for)."""
        from ft_dcc.publish.integrate_read import PublishTarget

        return PublishTarget(
            task=_ready(self.task, "has no task", "validate"),
            asset_name=self.asset_name or "review",
            review_session_name=self.review_session_name,
            invitees=bool(self.request.invitees),
        )


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


class PyblishContext(Protocol):
    """What ft_dcc uses of a ``pyblish.api.Context`` (pyblish ships no type information): its
    ``data``, where ft_dcc keeps the :class:`PublishState` (``STATE_KEY``) and pyblish the
    plugins' ``"results"``."""

    data: Dict[str, object]


class PyblishPlugin(Protocol):
    """What ft_dcc uses of a running pyblish plugin (an instance of a ``pyblish.api`` plugin
    class): its logger."""

    log: logging.Logger


def skip(context: PyblishContext, plugin: PyblishPlugin, reason: str) -> None:
    """Record that ``plugin`` did not check anything, and why (shown as "skipped" in the report)."""
    state = context.data.get(STATE_KEY)
    if isinstance(state, PublishState):
        state.skipped[type(plugin).__name__] = reason
    plugin.log.info("skipped: %s", reason)


NO_CONNECTION = "no connection to ftrack"


def defer(context: PyblishContext, plugin: PyblishPlugin) -> None:
    """Record that ``plugin`` checks nothing now because the publish is offline: the queue
    flush checks it (shown as "later" in the report)."""
    skip(context, plugin, DEFERRED)


def state_of(context: PyblishContext) -> PublishState:
    """The :class:`PublishState` of a pyblish context; PublishError if ft_dcc did not start it."""
    state = context.data.get(STATE_KEY)
    if not isinstance(state, PublishState):
        from ft_dcc.exceptions import PublishError

        raise PublishError(
            "this pyblish context was not prepared by ft_dcc",
            hint="publish through ft_dcc.publish.publish(host, ...) or call "
            "ft_dcc.publish.install(host) before driving the plugins from a pyblish UI",
        )
    return state
