"""Write one :class:`IntegrateManifest` to ftrack: idempotent, in few commits, undone on failure.

Order of work:

1. read what already exists, by the manifest's client-generated ids (a replay after a crash finds
   what the earlier attempt wrote and creates only what is missing);
2. refuse a closed review session before anything is written;
3. upload the files (stored by component id, invisible until their components are committed);
4. **commit 1**: Asset (found or created), AssetVersion (the server numbers it), FileComponents
   with their ``ftr_meta``/capture metadata and ``ftrack.server`` ComponentLocations, the
   ReviewSession (found or created by name), its ReviewSessionObject and invitees;
5. **commit 2**: the version's ``thumbnail_id`` (a separate commit, as ftrack_api does, to
   avoid a server ordering problem) and the review object's ``vNNN`` label;
6. best effort: invites e-mailed, an event announcing the new review content.

A server error after commit 1 deletes what this run created, so no half-published version
remains. A lost connection is re-raised as it is: the caller queues the manifest, and the replay
completes the publish with the same ids.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import attr

from ft_dcc import review
from ft_dcc.exceptions import (
    FtDccError,
    PublishError,
    ReviewSessionClosedError,
)
from ft_dcc.progress import Progress, null_progress
from ft_dcc.protocol import SERVER_LOCATION_ID, TOPIC_REVIEW_PUBLISHED
from ft_dcc.publish.failures import is_connection_failure
from ft_dcc.publish.manifest import IntegrateManifest
from ft_dcc.publish.tasks import quote, resolve_task

log = logging.getLogger(__name__)


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


def _ids(values: List[str]) -> str:
    return ", ".join(quote(v) for v in values)


def _existing(session: Any, manifest: IntegrateManifest) -> Tuple[Any, set, set, Any]:
    version = session.query(
        "select id, version, asset_id, task_id, thumbnail_id from AssetVersion "
        f"where id is {quote(manifest.version_id)}"
    ).first()
    component_ids = [c.id for c in manifest.components]
    components: set = set()
    located: set = set()
    if component_ids:
        # one request: the components and, with them, the locations they are in
        for row in session.query(
            "select id, component_locations.location_id, component_locations.component_id "
            f"from Component where id in ({_ids(component_ids)})"
        ).all():
            components.add(row["id"])
            if any(loc["location_id"] == SERVER_LOCATION_ID for loc in row["component_locations"]):
                located.add(row["id"])
    review_object = session.query(
        "select id, version, review_session_id from ReviewSessionObject "
        f"where id is {quote(manifest.review_session_object_id)}"
    ).first()
    return version, components, located, review_object


def _find_or_create_asset(
    session: Any, manifest: IntegrateManifest, parent_id: str, created: List[Any]
) -> Any:
    asset = session.query(
        "select id, name, type_id from Asset where context_id is "
        f"{quote(parent_id)} and name is {quote(manifest.asset_name)} "
        f"and type.short is {quote(manifest.asset_type)}"
    ).first()
    if asset is not None:  # the usual case after the first publish: one request, not two
        return asset
    # no such asset: find (or make) its type to create it
    asset_type = session.query(
        f"select id from AssetType where short is {quote(manifest.asset_type)}"
    ).first()
    if asset_type is None:
        asset_type = session.create(
            "AssetType", {"name": manifest.asset_type.title(), "short": manifest.asset_type}
        )
        created.append(asset_type)
    asset = session.create(
        "Asset",
        {
            "id": manifest.asset_id,
            "name": manifest.asset_name,
            "context_id": parent_id,
            "type_id": asset_type["id"],
        },
    )
    created.append(asset)
    return asset


def _create_metadata(session: Any, parent_id: str, parent_type: str, key: str, value: str) -> Any:
    return session.create(
        "Metadata", {"parent_id": parent_id, "parent_type": parent_type, "key": key, "value": value}
    )


def _label(entity: Any) -> str:
    return f"{entity.entity_type} {'/'.join(str(k) for k in entity.primary_key)}"


def _undo(session: Any, created: List[Any]) -> List[str]:
    """Delete what this run committed, newest first; return what could not be deleted."""
    left: List[str] = []
    try:
        session.rollback()
    except Exception:
        pass
    for entity in reversed(created):
        try:
            session.delete(entity)
            session.commit()
        except Exception as exc:
            left.append(f"{_label(entity)}: {exc}")
            try:
                session.rollback()
            except Exception:
                pass
    return left


def integrate_manifest(
    session: Any,
    manifest: IntegrateManifest,
    media_dir: Optional[Path] = None,
    progress: Progress = null_progress,
    *,
    announce: bool = True,
    task: Any = None,
) -> IntegrateOutcome:
    """Make ``manifest`` true on the server (see the module docstring); return the outcome.

    ``task``: the Task entity when the caller has already looked it up (the publish's
    validation did); it is used only when it is the manifest's task.
    """
    if task is None or not manifest.task_id or task["id"] != manifest.task_id:
        task = resolve_task(session, manifest.task_id, manifest.task_path)
    manifest.task_id = task["id"]
    project_id = task["project_id"]
    parent_id = task["parent_id"] or project_id
    progress("integrate", 0.0, "checking what is already on the server")
    version, components, located, review_object = _existing(session, manifest)

    review_session = None
    if manifest.review_session_name:
        review_session = review.find_review_session(
            session, project_id, manifest.review_session_name
        )
        if review_session is not None and review_object is None:
            review.ensure_open(review_session)

    # 3. uploads: bytes stored by component id, invisible until the components are committed
    to_upload = [c for c in manifest.components if c.id not in located]
    for index, component in enumerate(to_upload):
        path = component.path(media_dir)

        def upload_progress(
            stage: str, fraction: float, message: str = "", _i: int = index
        ) -> None:
            progress("upload", (_i + fraction) / len(to_upload), message)

        session.upload_file(str(path), component_id=component.id, progress=upload_progress)
    progress("upload", 1.0, "uploaded")

    # 4. commit 1
    created: List[Any] = []
    try:
        if version is None:
            asset = _find_or_create_asset(session, manifest, parent_id, created)
            version = session.create(
                "AssetVersion",
                {
                    "id": manifest.version_id,
                    "asset_id": asset["id"],
                    "task_id": task["id"],
                    "comment": manifest.comment,
                },
            )
            created.append(version)
        for component in manifest.components:
            if component.id not in components:
                path = component.path(media_dir)
                size = component.size or (path.stat().st_size if path.is_file() else 0)
                entity = session.create(
                    "FileComponent",
                    {
                        "id": component.id,
                        "name": component.name,
                        "version_id": manifest.version_id,
                        "size": size,
                        "file_type": component.file_type or path.suffix,
                    },
                )
                created.append(entity)
                for key, value in component.metadata.items():
                    created.append(
                        _create_metadata(session, component.id, "FileComponent", key, value)
                    )
            if component.id not in located:
                created.append(
                    session.create(
                        "ComponentLocation",
                        {
                            "component_id": component.id,
                            "location_id": SERVER_LOCATION_ID,
                            "resource_identifier": component.id,
                        },
                    )
                )
        new_review_session = review_session is None and bool(manifest.review_session_name)
        if new_review_session:
            review_session = review.create_review_session(
                session, project_id, manifest.review_session_name, id=manifest.review_session_id
            )
            created.append(review_session)
        if review_object is None and review_session is not None:
            review_object = session.create(
                "ReviewSessionObject",
                {
                    "id": manifest.review_session_object_id,
                    "review_session_id": review_session["id"],
                    "version_id": manifest.version_id,
                    "name": manifest.asset_name,
                    "description": manifest.comment,
                    "version": "",
                    # a review session created by this run is still empty
                    "sort_order": 0
                    if new_review_session
                    else _next_sort_order(session, review_session),
                },
            )
            created.append(review_object)
        invitees: List[Any] = []
        if manifest.invitees and review_session is not None:
            invitees = review.add_invitees(session, review_session, manifest.invitees, commit=False)
            created.extend(i for i in invitees if i.state == "created")
        progress("integrate", 0.4, "creating the version")
        session.commit()
    except BaseException:
        try:
            session.rollback()
        except Exception:
            pass
        raise

    # 5. commit 2
    try:
        # the version as the server answered it (the commit merged its number; an attribute
        # still unknown is fetched on first read)
        number = version
        version_number = number["version"]
        thumbnail = manifest.component(manifest.thumbnail_component or "")
        changed = False
        if thumbnail is not None and number["thumbnail_id"] != thumbnail.id:
            number["thumbnail_id"] = thumbnail.id
            changed = True
        if review_object is not None and version_number is not None:
            label = f"v{int(version_number):03d}"
            if review_object["version"] != label:
                review_object["version"] = label
                changed = True
        if changed:
            progress("integrate", 0.8, "setting the thumbnail")
            session.commit()
    except Exception as error:  # an interrupt (Ctrl-C, a crash) is not undone: a replay finishes
        if is_connection_error(error):
            raise  # the replay will finish the job with the same ids
        left = _undo(session, created)
        detail = f" (could not remove: {'; '.join(left)})" if left else ""
        if isinstance(error, FtDccError):
            raise PublishError(
                f"the server refused to finish the publish: {error.message}; "
                f"what was written was removed{detail}",
                hint="publish again; if it fails again, send the publish report to your TD",
            ) from error
        raise

    outcome = IntegrateOutcome(
        task_id=task["id"],
        asset_id=number["asset_id"],
        asset_version_id=manifest.version_id,
        version_number=version_number,
        component_ids={c.name: c.id for c in manifest.components},
        review_session_id=review_session["id"] if review_session is not None else None,
        review_session_name=manifest.review_session_name,
        review_session_object_id=review_object["id"] if review_object is not None else None,
        created=[_label(e) for e in created],
    )
    if review_session is not None:
        try:
            outcome.review_url = review.review_page_url(session, review_session)
        except FtDccError as exc:  # the publish is done; only the link is missing
            outcome.warnings.append(f"no review link: {exc}")
    if invitees:
        try:
            review.send_review_session_invites(session, invitees)
        except FtDccError as exc:
            outcome.warnings.append(f"the review invitations were not sent: {exc}")
    if announce:
        announce_review(session, outcome, outcome.warnings)
    progress("integrate", 1.0, "published")
    return outcome


def _next_sort_order(session: Any, review_session: Any) -> int:
    rows = session.query(
        "select id from ReviewSessionObject where review_session_id is "
        f"{quote(review_session['id'])}"
    ).all()
    return len(rows)


#: how long a publish waits for the "new review content" event before leaving it to a thread
ANNOUNCE_WAIT_S = 2.0


def announce_review(
    session: Any,
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
