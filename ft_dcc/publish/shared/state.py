"""What one publish's plugins share, the pyblish way: one ``Context``, one ``Instance`` each.

- ``context.data["ft_dcc"]``: the :class:`PublishContext`, fixed when the publish starts (the
  host, the artist's :class:`PublishRequest`, progress, the work folder, a given session).
- What the context plugins find is each its own frozen record or plain value in
  ``context.data``, written once by the plugin that finds it: the :class:`Connection`
  (``ftrackConnection``), the :class:`TaskFacts` (``ftrackTask``), ``currentFile``, ``user``,
  ``comment``, ``reviewSession``; the integrator's :class:`PublishResult`.
- ``instance.data["ft_dcc"]``: a reviewable's small :class:`ReviewItem` (its bound host, its
  capture spec, what its extractors made), beside the documented contract keys a studio plugin
  reads and writes (``ft_dcc.publish.shared.instance_data``).

A step of one reviewable reads all of it through a :class:`ReviewScope`.
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
    Mapping,
    MutableMapping,
    Optional,
    Protocol,
    TypeVar,
    Union,
)

import attr

from ft_dcc.media.encode import REVIEW_CRF
from ft_dcc.progress import Progress, null_progress
from ft_dcc.publish.common.report import DEFERRED
from ft_dcc.publish.host_port import CaptureResult, CaptureSpec, Host
from ft_dcc.publish.request.request import PublishRequest, Reviewable
from ft_dcc.session.interface import EntityLike, IntegrateSession

if TYPE_CHECKING:  # pragma: no cover - the later stages' types, imported lazily at run time
    from ft_dcc.media.burnin import BurninChoice
    from ft_dcc.media.colour import ResolvedColour
    from ft_dcc.media.probe import MovieInfo
    from ft_dcc.publish.common.manifest import IntegrateManifest
    from ft_dcc.publish.common.queue_entry import QueueEntry
    from ft_dcc.publish.integrate.commit import IntegrateOutcome
    from ft_dcc.publish.integrate.read import PublishTarget, ServerView

STATE_KEY = "ft_dcc"  # the PublishContext in context.data, the ReviewItem in instance.data
CONNECTION_KEY = "ftrackConnection"
TASK_KEY = "ftrackTask"
SESSION_NAME_KEY = "reviewSession"
SCENE_KEY = "currentFile"
USER_KEY = "user"
NEW_SESSION_KEY = "ftDccNewSessionApproved"  # the artist said "create it" to a close name
WARNINGS_KEY = "ftDccWarnings"
SKIPPED_KEY = "ftDccSkipped"  # plugin class name -> why it did not check
RESULT_KEY = "ftDccResult"
#: a burn-in field name -> its value (``version`` is a number, or "next" offline)
BurninValues = Dict[str, Union[str, int]]
#: the ``ftr_meta`` the web player reads (:func:`ft_dcc.media.probe.review_metadata`)
ReviewMeta = Dict[str, Union[int, float, str]]
REVIEW_FAMILY = "review"
#: a still's instances: one picture, published as an ``ftrackreview-image`` (no movie)
STILL_FAMILY = "still"
#: a pyblish ``data`` dict
Data = MutableMapping[str, Any]


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class PublishContext:
    """What one publish was asked, fixed when it starts."""

    host: Host
    request: PublishRequest = attr.Factory(PublishRequest)
    #: the artist's own request: the one the pipeline settled ``request`` from, or the caller
    #: handed beside the request it settled (``PublishRuntime.asked``), else ``request`` itself
    #: (None: a context built outside a publish)
    asked: Optional[PublishRequest] = None
    progress: Progress = null_progress
    work_dir: Optional[Path] = None
    session: Optional[IntegrateSession] = None  # a session the caller gave
    session_factory: Optional[Callable[[], IntegrateSession]] = None
    task: Optional[EntityLike] = None  # the task the caller already read on that session


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class Connection:
    """The publish's ftrack connection, as ``CollectFtrackConnection`` found it."""

    session: Optional[IntegrateSession] = None
    online: bool = False  # the server answered and accepted the credentials
    offline: bool = False  # unreachable: the publish is queued
    offline_reason: str = ""  # why the server could not be reached, in plain words
    error: Optional[Exception] = None  # refused credentials (said by ValidateFtrackServer)
    #: the publish's task as the connection's first read found it (its round trip proves the
    #: server answers and accepts us), or why it could not be (said by ValidateTask)
    task: Optional[EntityLike] = None
    task_error: Optional[Exception] = None

    @property
    def decided(self) -> bool:
        return self.online or self.offline or self.error is not None


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class TaskFacts:
    """The publish's task, written once by ``CollectFtrackTask``: as given (id or path) and,
    online, as the server has it (what the connection read)."""

    task_id: Optional[str] = None
    task_path: Optional[str] = None
    task: Optional[EntityLike] = None
    project: Optional[str] = None  # the task's project id
    error: Optional[Exception] = None  # the task could not be found (said by ValidateTask)


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class PublishResult:
    """What the integrator did: every version written (``outcome``) or queued."""

    manifest: Optional[IntegrateManifest] = None
    outcome: Optional[IntegrateOutcome] = None
    queue_entry: Optional[QueueEntry] = None


@attr.s(frozen=True, auto_attribs=True, kw_only=True)
class ReviewRules:
    """The settings' rules of one review, as ``CollectCaptureSpec`` received them (its class
    attributes) and wrote them on the reviewable, for the steps after it."""

    frame_rule: str = "scene"  # capture.frame_range: the scene's range, or the shot's in ftrack
    handles: int = 0  # capture.handles, around that range (not around the artist's frames)
    quality: int = REVIEW_CRF  # encode.quality: the review movie's H.264 CRF
    sound: bool = True  # encode.sound: false makes a silent review


@attr.s(auto_attribs=True, kw_only=True)
class ReviewItem:
    """One reviewable of the publish (``instance.data["ft_dcc"]``): what its steps made."""

    reviewable: Reviewable
    host: Host  # the host bound to the reviewable (a Write node's, an input file's)
    index: int = 0
    progress: Progress = null_progress
    work_dir: Optional[Path] = None
    scene: Optional[Path] = None
    asset_name: str = "review"
    #: the camera the settings' ``capture.camera`` names for a reviewable with no source of
    #: its own (``CollectReviewables``'); None: the host's choice (the scene camera)
    camera: Optional[str] = None
    still: bool = False  # one picture (family ``still``), published as an ftrackreview-image
    spec: Optional[CaptureSpec] = None
    rules: ReviewRules = attr.Factory(ReviewRules)  # written by CollectCaptureSpec
    # validated
    view: Optional[ServerView] = None  # the planned read of this version (integrate_read)
    shot: Optional[EntityLike] = None
    colour: Optional[ResolvedColour] = None  # when the frames need a display transform
    thumbnail_frame: Optional[int] = None  # the source frame the thumbnail shows
    burnin: Optional[BurninChoice] = None  # the burn-in/slate to draw, None for none
    burnin_values: BurninValues = attr.Factory(dict)  # the field values drawn
    #: what the shot's range and rate could not decide (``CollectShotFrames``), said by
    #: ``ValidateFrameRange``
    frame_notes: List[str] = attr.Factory(list)
    # extracted
    capture: Optional[CaptureResult] = None
    review_movie: Optional[Path] = None
    movie_info: Optional[MovieInfo] = None
    ftr_meta: ReviewMeta = attr.Factory(dict)
    thumbnail: Optional[Path] = None
    review_image: Optional[Path] = None  # a still's browser-ready full-size PNG

    @property
    def family(self) -> str:
        """The pyblish family of its instance: ``still`` or ``review`` (a movie)."""
        return STILL_FAMILY if self.still else REVIEW_FAMILY

    def slate_frames(self) -> int:
        """The frames the review movie holds before the first source frame (a slate)."""
        return self.burnin.slate_frames if self.burnin is not None else 0


class PyblishContext(Protocol):
    """What ft_dcc uses of a ``pyblish.api.Context`` (pyblish ships no type information)."""

    data: Dict[str, object]


class PyblishInstance(Protocol):
    """What ft_dcc uses of a ``pyblish.api.Instance``: its ``data`` and its context."""

    data: Dict[str, Any]
    context: Any


class PyblishPlugin(Protocol):
    """What ft_dcc uses of a running pyblish plugin: its logger."""

    log: logging.Logger


def publish_of(context: PyblishContext) -> PublishContext:
    """The :class:`PublishContext` of a pyblish context; PublishError if ft_dcc did not start it."""
    return publish_of_data(context.data)


def publish_of_data(data: Data) -> PublishContext:
    """The :class:`PublishContext` in a pyblish context's ``data``."""
    found = data.get(STATE_KEY)
    if not isinstance(found, PublishContext):
        from ft_dcc.exceptions import PublishError

        raise PublishError(
            "this pyblish context was not prepared by ft_dcc",
            hint="publish through ft_dcc.publish.publish(host, ...) or call "
            "ft_dcc.publish.install(host) before driving the plugins from a pyblish UI",
        )
    return found


def item_of(instance: PyblishInstance) -> ReviewItem:
    """The :class:`ReviewItem` of a review instance (one ft_dcc's collector made)."""
    found = instance.data.get(STATE_KEY)
    if not isinstance(found, ReviewItem):
        from ft_dcc.exceptions import PublishError

        raise PublishError(
            f"the instance {instance.data.get('name')!r} is not one of ft_dcc's reviewables",
            hint="create review instances with ft_dcc's collector (family 'review'); a studio "
            "plugin changes their instance.data contract keys instead",
        )
    return found


def connection_of(data: Data) -> Connection:
    found = data.get(CONNECTION_KEY)
    return found if isinstance(found, Connection) else Connection()


def task_facts_of(data: Data) -> TaskFacts:
    found = data.get(TASK_KEY)
    return found if isinstance(found, TaskFacts) else TaskFacts()


def warnings_of(data: Data) -> List[str]:
    """The publish's warnings (each plugin adds its own)."""
    found = data.setdefault(WARNINGS_KEY, [])
    assert isinstance(found, list)
    return found


def skipped_of(data: Data) -> Dict[str, str]:
    found = data.setdefault(SKIPPED_KEY, {})
    assert isinstance(found, dict)
    return found


def result_of(data: Data) -> PublishResult:
    found = data.get(RESULT_KEY)
    return found if isinstance(found, PublishResult) else PublishResult()


def publishes(data: Mapping[str, Any]) -> bool:
    """Whether a reviewable is published (a plugin may set its ``publish`` False)."""
    return bool(data.get("publish", True))


def publishing(context: Any) -> List[Any]:
    """The review instances of ``context`` that are published (:func:`publishes`)."""
    return [
        each for each in context
        if isinstance(each.data.get(STATE_KEY), ReviewItem) and publishes(each.data)
    ]  # fmt: skip


@attr.s(frozen=True, auto_attribs=True)
class ReviewScope:
    """What a step of one reviewable reads: the publish's context and facts, and its item."""

    data: Data  # the pyblish context's data
    item: ReviewItem
    instance_data: Data = attr.Factory(dict)

    @classmethod
    def of(cls, instance: Any) -> ReviewScope:
        return cls(instance.context.data, item_of(instance), instance.data)

    @classmethod
    def standalone(
        cls, host: Host, request: PublishRequest, spec: CaptureSpec, session: IntegrateSession,
        task: EntityLike, view: ServerView, rules: ReviewRules,
    ) -> ReviewScope:  # fmt: skip
        """The scope of a reviewable checked outside a publish (the farm's submit): an online
        connection, a read task and planned view, the ``rules`` the settings give."""
        data: Data = {
            STATE_KEY: PublishContext(host=host, request=request, session=session, task=task),
            CONNECTION_KEY: Connection(session=session, online=True),
            TASK_KEY: TaskFacts(task=task, task_id=str(task["id"])),
        }
        item = ReviewItem(reviewable=Reviewable(), host=host, spec=spec, view=view,
                          shot=view.shot, rules=rules)  # fmt: skip
        return cls(data, item)

    @property
    def publish(self) -> PublishContext:
        return publish_of_data(self.data)

    @property
    def request(self) -> PublishRequest:
        return self.publish.request

    @property
    def host(self) -> Host:
        return self.item.host

    @property
    def progress(self) -> Progress:
        return self.item.progress

    @property
    def connection(self) -> Connection:
        return connection_of(self.data)

    @property
    def facts(self) -> TaskFacts:
        """The task as given and as the server has it (from ``CollectFtrackTask`` on)."""
        return task_facts_of(self.data)

    @property
    def given_task_path(self) -> Optional[str]:
        """The task's path as the artist gave it (``None``: given by id, or not at all), known
        before the server is read (what names the asset)."""
        from ft_dcc.publish.context.tasks import parse_task_ref

        return parse_task_ref(self.request.task)[1]

    @property
    def offline(self) -> bool:
        return self.connection.offline

    @property
    def user(self) -> str:
        return str(self.data.get(USER_KEY) or "")

    @property
    def review_session_name(self) -> Optional[str]:
        found = self.data.get(SESSION_NAME_KEY)
        return str(found) if found else None

    def warn(self, text: str) -> None:
        warnings_of(self.data).append(text)

    def camera_choice(self) -> Optional[str]:
        """The camera this reviewable captures through: its source on a host that uses
        cameras (others name a Write node or an input there), else the one the settings'
        ``capture.camera`` names (``ReviewItem.camera``), else None: the host's choice."""
        if not self.host.uses_cameras:
            return None
        return self.item.reviewable.source or self.item.camera

    # -- what a stage needs of the stages before it (PublishError when one did not run) ------
    def connected_session(self) -> IntegrateSession:
        """The session of an online publish."""
        return _ready(self.connection.session, "has no ftrack session", "connect")

    def capture_spec(self) -> CaptureSpec:
        return _ready(self.item.spec, "has no capture settings", "collect")

    def capture_result(self) -> CaptureResult:
        return _ready(self.item.capture, "has captured nothing", "capture")

    def work_folder(self) -> Path:
        return _ready(self.item.work_dir, "has no work folder", "collect")

    def review_movie_path(self) -> Path:
        return _ready(self.item.review_movie, "has no review movie", "encode")

    def review_image_path(self) -> Path:
        return _ready(self.item.review_image, "has no review image", "extract")

    def publish_target(self) -> PublishTarget:
        """Where this version goes, once the task is read (what the one server read asks for)."""
        from ft_dcc.publish.integrate.read import PublishTarget

        return PublishTarget(
            task=_ready(self.facts.task, "has no task", "validate"),
            asset_name=self.item.asset_name,
            review_session_name=self.review_session_name,
            invitees=bool(self.request.invitees),
            addresses=self.request.addresses,
            api_user=getattr(self.connection.session, "api_user", None) or self.user,
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


def skip(context: PyblishContext, plugin: PyblishPlugin, reason: str) -> None:
    """Record that ``plugin`` did not check anything, and why (shown as "skipped" in the report)."""
    skipped_of(context.data)[type(plugin).__name__] = reason
    plugin.log.info("skipped: %s", reason)


NO_CONNECTION = "no connection to ftrack"


def defer(context: PyblishContext, plugin: PyblishPlugin) -> None:
    """Record that ``plugin`` checks nothing now because the publish is offline: the queue
    flush checks it (shown as "later" in the report)."""
    skip(context, plugin, DEFERRED)
