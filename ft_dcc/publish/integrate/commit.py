"""Write one :class:`IntegrateManifest` to ftrack: planned, in one commit, idempotent, race-free.

The steps (each a function below):

1. :func:`target_of` — the task (already read by validation, or read now) and the names the
   publish adds to;
2. :func:`~ft_dcc.publish.integrate.read.read_view` — ONE request for what the server has
   (reused from validation when the manifest is fresh);
3. :func:`_check_open` — refuse a closed review session before anything is written;
4. :func:`_upload` — the files, with ONE request for all their upload URLs; the bytes are stored
   by component id and invisible until the commit;
5. :func:`_commit` — ONE transactional batch (:mod:`~ft_dcc.publish.integrate.write`) creating
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
from typing import Dict, List, Mapping, Optional

import attr

from ft_dcc.exceptions import DeletedIdError, FtDccError, PublishError, ReviewSessionClosedError
from ft_dcc.progress import Progress, null_progress
from ft_dcc.protocol import TOPIC_REVIEW_PUBLISHED
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.publish.common.failures import is_connection_failure
from ft_dcc.publish.common.manifest import IntegrateManifest
from ft_dcc.publish.context.tasks import resolve_task
from ft_dcc.publish.integrate.addresses import check_addresses
from ft_dcc.publish.integrate.read import PublishTarget, ServerView, read_views
from ft_dcc.publish.integrate.write import (
    CommitPlan,
    Generations,
    join_plans,
    label_for,
    plan_commit,
)
from ft_dcc.review import sessions as review
from ft_dcc.session.interface import EntityLike, IntegrateSession, PublishSession
from ft_dcc.session.replies import created_entity, widget_url

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
    asset_name: Optional[str] = attr.ib(default=None, kw_only=True)
    version_number: Optional[int]
    component_ids: Dict[str, str]
    review_session_id: Optional[str] = None
    review_session_name: Optional[str] = None
    review_session_object_id: Optional[str] = None
    created: List[str] = attr.Factory(list)  # "EntityType id" written by this run
    review_url: Optional[str] = None
    warnings: List[str] = attr.Factory(list)
    siblings: List[IntegrateOutcome] = attr.Factory(list)  # the publish's other versions

    def every(self) -> List[IntegrateOutcome]:
        """This version's outcome and its siblings', in the publish's order."""
        return [self, *self.siblings]

    def to_dict(self) -> JsonObject:
        data: JsonObject = attr.asdict(self)
        return data


def is_connection_error(error: BaseException) -> bool:
    """True when ``error`` (or what caused it) means the server could not be reached."""
    return is_connection_failure(error)


def target_of(
    session: PublishSession, manifest: IntegrateManifest, task: Optional[EntityLike] = None
) -> PublishTarget:
    """The manifest's task (``task`` when it is that task, else read) and names."""
    if task is None or not manifest.task_id or task["id"] != manifest.task_id:
        task = resolve_task(session, manifest.task_id, manifest.task_path)
    manifest.task_id = task["id"]
    return _target(manifest, task, getattr(session, "api_user", None))


def _target(
    manifest: IntegrateManifest, task: Optional[EntityLike], api_user: Optional[str] = None
) -> PublishTarget:
    """``api_user``: who integrates (the flushing session's user for a queued publish)."""
    return PublishTarget(
        task=task,
        asset_name=manifest.asset_name,
        asset_type=manifest.asset_type,
        review_session_name=manifest.review_session_name,
        invitees=bool(manifest.invitees),
        addresses=tuple(manifest.addresses),
        api_user=api_user or manifest.api_user,
    )


@attr.s(auto_attribs=True, kw_only=True)
class Versions:
    """The versions one commit writes (one per reviewable), their targets and planned reads."""

    manifests: List[IntegrateManifest]
    targets: List[PublishTarget]
    views: List[ServerView] = attr.Factory(list)

    def read(self, session: PublishSession) -> List[ServerView]:
        return read_views(session, list(zip(self.targets, self.manifests)))


def _versions(
    session: PublishSession, manifest: IntegrateManifest, task: Optional[EntityLike]
) -> Versions:
    head = target_of(session, manifest, task)
    for sibling in manifest.siblings:
        sibling.task_id = manifest.task_id
    manifests = manifest.versions()
    targets = [head] + [attr.evolve(_target(m, head.task), addresses=()) for m in manifests[1:]]
    return Versions(manifests=manifests, targets=targets)


def _check_open(view: ServerView) -> None:
    if view.review_session is not None and view.review_object is None:
        review.ensure_open(view.review_session)


def _upload(
    session: IntegrateSession, versions: Versions, media_dir: Optional[Path], progress: Progress
) -> None:
    """Upload the files the server does not hold yet (one metadata request for all)."""
    todo = [
        component
        for manifest, view in zip(versions.manifests, versions.views)
        for component in manifest.components
        if component.id not in view.located
    ]
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
    """What the commit left on the server: per version its plan, number and asset."""

    plans: List[CommitPlan]
    joined: CommitPlan  # the one batch that was sent
    numbers: List[Optional[int]] = attr.Factory(list)
    asset_ids: List[Optional[str]] = attr.Factory(list)
    review_url: Optional[str] = None


def _operations(plan: CommitPlan, with_link: bool) -> List[Mapping[str, object]]:
    """The commit's operations; ``with_link`` adds the review link's request after the creates
    (the server answers a batch in order, so a review session this batch creates has its link
    too; a refused link fails the whole batch, which then writes nothing)."""
    operations: List[Mapping[str, object]] = list(plan.operations)
    if with_link and plan.review_session_id:
        operations.append(review.review_link_operation(plan.review_session_id))
    return operations


def _plans(
    versions: Versions, media_dir: Optional[Path], generations: Generations
) -> List[CommitPlan]:
    """Each version's commit plan on the views read (``integrate_write.plan_commit``)."""
    return [
        plan_commit(manifest, target, view, media_dir, generations)
        for manifest, target, view in zip(versions.manifests, versions.targets, versions.views)
    ]


def _committed(
    versions: Versions, plans: List[CommitPlan], joined: CommitPlan, replies: List[object],
    with_link: bool,
) -> Committed:  # fmt: skip
    """What the sent commit's replies say: each version's number and asset, the review link."""
    done = Committed(plans=plans, joined=joined)
    if with_link:
        done.review_url = widget_url(replies[-1])
    for manifest, view in zip(versions.manifests, versions.views):
        index = joined.index_of("AssetVersion", manifest.version_id)
        version = created_entity(replies[index]) if index is not None else view.version
        done.numbers.append(version["version"] if version is not None else None)
        done.asset_ids.append(version["asset_id"] if version is not None else None)
    return done


def _raced(before: ServerView, after: ServerView) -> bool:
    """True when a racing publish created what this one meant to create."""
    return (
        (before.asset is None and after.asset is not None)
        or (before.review_session is None and after.review_session is not None)
        or (before.asset_type_id is None and after.asset_type_id is not None)
        or len(after.invitees) > len(before.invitees)
    )


def _commit(session: PublishSession, versions: Versions, media_dir: Optional[Path]) -> Committed:
    """The one commit, sent here: planned on the views read, with the review link asked last
    in the same batch. Refused, it is sent again without the link (a server without the
    review-page widget), under the next generation of a derived id the server refused as a
    deleted row's (a review session or invitee of that name was deleted: it is made again),
    or on a fresh read when a racing publish created the same entities (:func:`_reread`)."""
    generations = Generations()
    attempt, link = 0, True
    while True:
        plans = _plans(versions, media_dir, generations)
        joined = join_plans(plans)
        with_link = link and bool(joined.review_session_id)
        operations = _operations(joined, with_link)
        try:
            replies = session.call(operations) if operations else []
        except DeletedIdError as error:
            _next_generation(generations, error)
            link = True
        except FtDccError as error:
            if with_link and not is_connection_error(error):
                link = False  # the same batch again, without the link
                continue
            attempt += 1
            _reread(session, versions, error, attempt)
            link = True
        else:
            return _committed(versions, plans, joined, replies, with_link)


def _next_generation(generations: Generations, error: DeletedIdError) -> None:
    """The next generation of the refused derived id; a PublishError when there is none."""
    if not generations.next_after(error.entity_id):
        raise PublishError(
            f"the server refused the publish: {error.message}; nothing was written",
            hint="send the publish report to your TD",
        ) from error
    log.info("%s %s was deleted; committing again", error.entity_type, error.entity_id)


def _reread(session: PublishSession, versions: Versions, error: FtDccError, attempt: int) -> None:
    """After a refused commit: the fresh views when a racing publish created the same
    entities first; else (or a lost connection, or the last attempt) the refusal."""
    if is_connection_error(error) or attempt == COMMIT_ATTEMPTS:
        raise error
    fresh = versions.read(session)
    if not any(_raced(a, b) for a, b in zip(versions.views, fresh)):
        raise PublishError(
            f"the server refused the publish: {error.message}; nothing was written",
            hint="publish again; if it fails again, send the publish report to your TD",
        ) from error
    log.info("a racing publish created the same entities first; committing again")
    versions.views = fresh


def _undo(session: PublishSession, plan: CommitPlan) -> None:
    """Delete what the commit created, newest first, in one request."""
    operations = [
        {"action": "delete", "entity_type": entity_type, "entity_key": key}
        for entity_type, key in reversed(plan.created)
        if entity_type not in ("Asset", "AssetType", "ReviewSession")  # others may use them
    ]
    session.call(operations)


def _fix_labels(session: PublishSession, versions: Versions, done: Committed) -> None:
    """A racing publish took a predicted number: label the review objects with the real ones."""
    operations = []
    for manifest, plan, number in zip(versions.manifests, done.plans, done.numbers):
        label = label_for(number)
        if plan.review_session_id and label and label != plan.label:
            operations.append({
                "action": "update",
                "entity_type": "ReviewSessionObject",
                "entity_key": [manifest.review_session_object_id],
                "entity_data": {"__entity_type__": "ReviewSessionObject", "version": label},
            })  # fmt: skip
    if not operations:
        return
    try:
        session.call(operations)
    except FtDccError as error:
        if is_connection_error(error):
            raise  # the replay will finish the job with the same ids
        _undo(session, done.joined)
        raise PublishError(
            f"the server refused to finish the publish: {error.message}; "
            "what was written was removed",
            hint="publish again; if it fails again, send the publish report to your TD",
        ) from error


def _outcome(versions: Versions, done: Committed, index: int) -> IntegrateOutcome:
    manifest, target, plan = versions.manifests[index], versions.targets[index], done.plans[index]
    return IntegrateOutcome(
        task_id=target.task["id"],
        asset_id=done.asset_ids[index] or "",
        asset_name=manifest.asset_name,
        asset_version_id=manifest.version_id,
        version_number=done.numbers[index],
        component_ids={c.name: c.id for c in manifest.components},
        review_session_id=plan.review_session_id,
        review_session_name=manifest.review_session_name,
        review_session_object_id=(
            manifest.review_session_object_id if plan.review_session_id else None
        ),
        created=[f"{t} {'/'.join(k)}" for t, k in plan.created],
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
    task: Optional[EntityLike] = None,
    views: Optional[List[ServerView]] = None,
) -> IntegrateOutcome:
    """Make ``manifest`` (and its siblings) true on the server (see the module docstring);
    return the outcome (the siblings' in ``outcome.siblings``).

    ``task`` and ``views``: what validation already read (one view per version, in order),
    reused when ``manifest`` is fresh (made after that read, so nothing can exist under its
    ids yet).
    """
    versions = _versions(session, manifest, task)
    progress("integrate", 0.0, "checking what is already on the server")
    versions.views = list(views) if views is not None else versions.read(session)
    for target, view in zip(versions.targets, versions.views):
        _check_open(view)
        if target.addresses and view.version is None:
            check_addresses(target.addresses, view.addressed, manifest.task_label)
    _upload(session, versions, media_dir, progress)
    fault_point("uploaded")
    progress("integrate", 0.4, "creating the version" + ("s" if manifest.siblings else ""))
    done = _commit(session, versions, media_dir)
    fault_point("committed")
    _fix_labels(session, versions, done)
    outcome = _outcome(versions, done, 0)
    outcome.siblings = [_outcome(versions, done, i) for i in range(1, len(versions.manifests))]
    _finish(session, outcome, done.joined.invitee_ids)
    for sibling in outcome.siblings:
        sibling.review_url = outcome.review_url
    fault_point("before-event")
    if announce:
        for each in outcome.every():
            announce_review(session, each, outcome.warnings)
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
