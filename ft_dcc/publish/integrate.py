"""Write one :class:`IntegrateManifest` to ftrack: planned, in one commit, idempotent, race-free.

The steps (each a function below):

1. :func:`target_of` — the task (already read by validation, or read now) and the names the
   publish adds to;
2. :func:`~ft_dcc.publish.integrate_read.read_view` — ONE request for what the server has
   (reused from validation when the manifest is fresh);
3. :func:`_check_open` — refuse a closed review session before anything is written;
4. :func:`_upload` — the files, with ONE request for all their upload URLs; the bytes are stored
   by component id and invisible until the commit;
5. :func:`_commit` — ONE transactional batch (:mod:`~ft_dcc.publish.integrate_write`) creating
   what is missing, with the review link asked in the same request when the session exists. A
   refusal caused by a racing publish (which created the same asset or review session under the
   same derived id first) re-reads and retries; any other refusal wrote nothing;
6. :func:`_finish` — only when a racing publish took the predicted version number: the review
   object's label (a refusal here removes what the commit wrote); the link when not fetched yet;
   invites;
7. the ``ft_dcc.review.published`` event, from a thread that never delays the report.

A lost connection is re-raised as it is: the journal entry (``queue.py``) keeps the manifest and
its media, and the replay completes the publish with the same ids.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

import attr

from ft_dcc.exceptions import FtDccError, PublishError, ReviewSessionClosedError
from ft_dcc.progress import Progress, null_progress
from ft_dcc.protocol import TOPIC_REVIEW_PUBLISHED
from ft_dcc.publish.failures import is_connection_failure
from ft_dcc.publish.integrate_read import PublishTarget, ServerView, read_view
from ft_dcc.publish.integrate_write import CommitPlan, label_for, plan_commit
from ft_dcc.publish.manifest import IntegrateManifest
from ft_dcc.publish.tasks import resolve_task
from ft_dcc.review import sessions as review
from ft_dcc.session.interface import IntegrateSession, PublishSession

log = logging.getLogger(__name__)

#: a commit refused because racing publishes created the same entities is tried this often
COMMIT_ATTEMPTS = 8
#: ``FT_DCC_FAULT_AT=<point>`` stops the publishing process at that point (fault tests);
#: ``FT_DCC_FAULT_SIGNAL`` is ``KILL`` (default), ``INT`` or ``TERM``
ENV_FAULT_AT = "FT_DCC_FAULT_AT"
ENV_FAULT_SIGNAL = "FT_DCC_FAULT_SIGNAL"


def fault_point(name: str) -> None:
    """Kill this process here when ``$FT_DCC_FAULT_AT`` names this point (for fault tests)."""
    if os.environ.get(ENV_FAULT_AT) != name:
        return
    sig = getattr(signal, "SIG" + os.environ.get(ENV_FAULT_SIGNAL, "KILL").upper())
    log.warning("fault point %s: sending %s to myself", name, sig)
    os.kill(os.getpid(), sig)


@attr.s(auto_attribs=True, kw_only=True)
class IntegrateOutcome:
    """What is on the server after a successful integrate."""

    task_id: str
    asset_id: str
    asset_version_id: str
    version_number: Optional[int]
    component_ids: Dict[str, str]
    review_session_id: Optional[str] = None
    review_session_name: Optional[str] = None
    review_session_object_id: Optional[str] = None
    created: List[str] = attr.Factory(list)  # "EntityType id" written by this run
    review_url: Optional[str] = None
    warnings: List[str] = attr.Factory(list)

    def to_dict(self) -> Dict[str, Any]:
        return attr.asdict(self)


def is_connection_error(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) means the server could not be reached."""
    return is_connection_failure(error)


def target_of(
    session: PublishSession, manifest: IntegrateManifest, task: Any = None
) -> PublishTarget:
    """The manifest's task (``task`` when it is that task, else read) and names."""
    if task is None or not manifest.task_id or task["id"] != manifest.task_id:
        task = resolve_task(session, manifest.task_id, manifest.task_path)
    manifest.task_id = task["id"]
    return PublishTarget(
        task=task,
        asset_name=manifest.asset_name,
        asset_type=manifest.asset_type,
        review_session_name=manifest.review_session_name,
        invitees=bool(manifest.invitees),
    )


def _check_open(view: ServerView) -> None:
    if view.review_session is not None and view.review_object is None:
        review.ensure_open(view.review_session)


def _upload(
    session: IntegrateSession,
    manifest: IntegrateManifest,
    view: ServerView,
    media_dir: Optional[Path],
    progress: Progress,
) -> None:
    """Upload the files the server does not hold yet (one metadata request for all)."""
    todo = [c for c in manifest.components if c.id not in view.located]
    sizes = [_file_size(c.path(media_dir)) for c in todo]
    total = sum(sizes)

    def file_progress(index: int, stage: str, fraction: float, message: str = "") -> None:
        if index == 1 and fraction == 0.0:
            fault_point("mid-upload")
        if not total:
            progress("upload", (index + fraction) / len(todo), message)
            return
        done = sum(sizes[:index]) + round(fraction * sizes[index])
        progress("upload", done / total, f"{done}/{total} bytes")  # every file's bytes

    session.upload_files([(c.path(media_dir), c.id) for c in todo], progress=file_progress)
    progress("upload", 1.0, "uploaded")


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@attr.s(auto_attribs=True, kw_only=True)
class Committed:
    """What the commit left on the server."""

    plan: CommitPlan
    view: ServerView
    version_number: Optional[int] = None
    asset_id: Optional[str] = None
    review_url: Optional[str] = None


def _send(session: PublishSession, plan: CommitPlan, with_link: bool) -> List[Any]:
    operations = list(plan.operations)
    if with_link and plan.review_session_id:
        operations.append(review.review_link_operation(plan.review_session_id))
    return session.call(operations) if operations else []


def _commit_once(
    session: PublishSession, manifest: IntegrateManifest, target: PublishTarget, view: ServerView,
    media_dir: Optional[Path],
) -> Committed:  # fmt: skip
    plan = plan_commit(manifest, target, view, media_dir)
    with_link = view.review_session is not None  # a new session has no link before it exists
    try:
        replies = _send(session, plan, with_link)
    except FtDccError as error:
        if not with_link or is_connection_error(error):
            raise
        replies = _send(session, plan, False)  # a server without the review-page widget
        with_link = False
    done = Committed(plan=plan, view=view)
    if with_link and plan.review_session_id:
        done.review_url = (replies[-1] or {}).get("widget_url")
    index = plan.index_of("AssetVersion", manifest.version_id)
    version = replies[index]["data"] if index is not None else view.version
    if version is not None:
        done.version_number = version["version"]
        done.asset_id = version["asset_id"]
    return done


def _raced(before: ServerView, after: ServerView) -> bool:
    """True when a racing publish created what this one meant to create."""
    return (
        (before.asset is None and after.asset is not None)
        or (before.review_session is None and after.review_session is not None)
        or (before.asset_type_id is None and after.asset_type_id is not None)
        or len(after.invitees) > len(before.invitees)
    )


def _commit(
    session: PublishSession, manifest: IntegrateManifest, target: PublishTarget, view: ServerView,
    media_dir: Optional[Path],
) -> Committed:  # fmt: skip
    """The one commit; re-read and retry when a racing publish created the same entities."""
    for attempt in range(COMMIT_ATTEMPTS):
        try:
            return _commit_once(session, manifest, target, view, media_dir)
        except FtDccError as error:
            if is_connection_error(error) or attempt + 1 == COMMIT_ATTEMPTS:
                raise
            fresh = read_view(session, target, manifest)
            if not _raced(view, fresh):
                raise PublishError(
                    f"the server refused the publish: {error.message}; nothing was written",
                    hint="publish again; if it fails again, send the publish report to your TD",
                ) from error
            log.info("a racing publish created the same entities first; committing again")
            view = fresh
    raise AssertionError("unreachable")


def _undo(session: PublishSession, plan: CommitPlan) -> None:
    """Delete what the commit created, newest first, in one request."""
    operations = [
        {"action": "delete", "entity_type": entity_type, "entity_key": key}
        for entity_type, key in reversed(plan.created)
        if entity_type not in ("Asset", "AssetType", "ReviewSession")  # others may use them
    ]
    session.call(operations)


def _fix_label(session: PublishSession, manifest: IntegrateManifest, done: Committed) -> None:
    """A racing publish took the predicted number: label the review object with the real one."""
    label = label_for(done.version_number)
    if not done.plan.review_session_id or not label or label == done.plan.label:
        return
    update = {"__entity_type__": "ReviewSessionObject", "version": label}
    operation = {
        "action": "update",
        "entity_type": "ReviewSessionObject",
        "entity_key": [manifest.review_session_object_id],
        "entity_data": update,
    }
    try:
        session.call([operation])
    except FtDccError as error:
        if is_connection_error(error):
            raise  # the replay will finish the job with the same ids
        _undo(session, done.plan)
        raise PublishError(
            f"the server refused to finish the publish: {error.message}; "
            "what was written was removed",
            hint="publish again; if it fails again, send the publish report to your TD",
        ) from error


def _outcome(
    manifest: IntegrateManifest, target: PublishTarget, done: Committed
) -> IntegrateOutcome:
    return IntegrateOutcome(
        task_id=target.task["id"],
        asset_id=done.asset_id or "",
        asset_version_id=manifest.version_id,
        version_number=done.version_number,
        component_ids={c.name: c.id for c in manifest.components},
        review_session_id=done.plan.review_session_id,
        review_session_name=manifest.review_session_name,
        review_session_object_id=(
            manifest.review_session_object_id if done.plan.review_session_id else None
        ),
        created=[f"{t} {'/'.join(k)}" for t, k in done.plan.created],
        review_url=done.review_url,
    )


def _finish(session: PublishSession, outcome: IntegrateOutcome, invitee_ids: List[str]) -> None:
    """The link when the commit could not carry it, and the invitations."""
    if outcome.review_session_id and not outcome.review_url:
        try:
            outcome.review_url = review.review_page_url(session, outcome.review_session_id)
        except FtDccError as exc:  # the publish is done; only the link is missing
            outcome.warnings.append(f"no review link: {exc}")
    if invitee_ids:
        try:
            review.send_review_session_invites(session, invitee_ids)
        except FtDccError as exc:
            outcome.warnings.append(f"the review invitations were not sent: {exc}")


def integrate_manifest(
    session: IntegrateSession,
    manifest: IntegrateManifest,
    media_dir: Optional[Path] = None,
    progress: Progress = null_progress,
    *,
    announce: bool = True,
    task: Any = None,
    view: Optional[ServerView] = None,
) -> IntegrateOutcome:
    """Make ``manifest`` true on the server (see the module docstring); return the outcome.

    ``task`` and ``view``: what validation already read, reused when ``manifest`` is fresh
    (made after that read, so nothing can exist under its ids yet).
    """
    target = target_of(session, manifest, task)
    progress("integrate", 0.0, "checking what is already on the server")
    if view is None:
        view = read_view(session, target, manifest)
    _check_open(view)
    _upload(session, manifest, view, media_dir, progress)
    fault_point("uploaded")
    progress("integrate", 0.4, "creating the version")
    done = _commit(session, manifest, target, view, media_dir)
    fault_point("committed")
    _fix_label(session, manifest, done)
    outcome = _outcome(manifest, target, done)
    _finish(session, outcome, done.plan.invitee_ids)
    fault_point("before-event")
    if announce:
        announce_review(session, outcome, outcome.warnings)
    progress("integrate", 1.0, "published")
    return outcome


#: how long a publish waits for the "new review content" event before leaving it to a thread
ANNOUNCE_WAIT_S = 2.0


def announce_review(
    session: IntegrateSession,
    outcome: IntegrateOutcome,
    warnings: List[str],
    wait: float = ANNOUNCE_WAIT_S,
) -> None:
    """Publish the ``ft_dcc.review.published`` event from a background thread.

    The publish waits at most ``wait`` seconds: a slow or unreachable event hub (whose own
    timeout is 10 s) never delays or fails it. A failure seen in that time, or an event still
    on its way, is a warning; a later failure is only logged.
    """
    event_data = {
        "asset_version_id": outcome.asset_version_id,
        "version": outcome.version_number,
        "task_id": outcome.task_id,
        "component_ids": dict(outcome.component_ids),
        "review_session_id": outcome.review_session_id,
        "review_session_object_id": outcome.review_session_object_id,
    }
    failure: List[BaseException] = []
    finished = threading.Event()
    gave_up = threading.Event()  # the publish went on without waiting any longer

    def send() -> None:
        try:
            from ft_dcc.session.event_hub import Event

            hub = session.event_hub
            if not getattr(hub, "connected", True):
                hub.connect()
            hub.publish(Event(topic=TOPIC_REVIEW_PUBLISHED, data=event_data))
        except Exception as exc:
            failure.append(exc)
            if gave_up.is_set():
                log.warning("could not announce the new review content: %s", exc)
        finally:
            finished.set()

    thread = threading.Thread(target=send, name="ft_dcc-announce-review", daemon=True)
    thread.start()
    thread.join(wait)
    if not finished.is_set():
        gave_up.set()
    if failure:
        log.warning("could not announce the new review content: %s", failure[0])
        warnings.append(f"the 'new review content' event was not sent: {failure[0]}")
    elif gave_up.is_set():
        log.warning("the event hub did not answer within %.0f s; announcing in background", wait)
        warnings.append(
            f"the 'new review content' event was not confirmed within {wait:g} s (event hub "
            "slow or unreachable); it is still being sent in the background"
        )


__all__ = [
    "IntegrateOutcome",
    "ReviewSessionClosedError",
    "announce_review",
    "integrate_manifest",
    "is_connection_error",
]
