"""The queue's order rule: a publish first publishes the work queued before it.

History keeps the artist's order. When a publish reaches the server, before it reads anything
for its own version, it publishes every entry of this machine's queue for that server (offline
publishes and interrupted ones), oldest first, so their versions and review-session places
come before its own. A queued publish that cannot go first (the server refuses it: a closed
review session, a removed task) is never overtaken silently: when it is of the same asset, the
new publish's report names it and says how to publish or drop it. After the publish, entries
queued meanwhile (by another publish of the machine) are published too. What a flush publishes
after later work reached the server some other way (another machine) says so in its outcome
(:func:`ft_dcc.publish.offline.queue.OfflineQueue.flush`).
"""

from __future__ import annotations

import logging
from typing import Callable, List, Sequence

from ft_dcc.exceptions import FtDccError
from ft_dcc.progress import Progress
from ft_dcc.publish.offline.queue import FlushResult, OfflineQueue, QueueEntry, QueueSummary
from ft_dcc.publish.shared.state import (
    Data,
    connection_of,
    publish_of_data,
    task_facts_of,
    warnings_of,
)
from ft_dcc.session.interface import IntegrateSession

log = logging.getLogger(__name__)


def _for_this_server(data: Data) -> Callable[[QueueEntry], bool]:
    url = str(getattr(connection_of(data).session, "server_url", "") or "").rstrip("/").lower()

    def select(entry: QueueEntry) -> bool:
        queued_for = (entry.manifest.server_url or "").rstrip("/").lower()
        return not queued_for or not url or queued_for == url

    return select


def _flush_progress(progress: Progress) -> Progress:
    """The backlog's upload and commit, shown as the transient "flush" stage (the overall bar
    of the publish itself does not move)."""

    def report(stage: str, fraction: float, message: str = "") -> None:
        progress("flush", fraction, f"queued work: {message}" if message else "queued work")

    return report


def publish_backlog(data: Data, assets: Sequence[str]) -> None:
    """Publish the work queued before this publish (see the module docstring); add what
    happened to the publish's warnings (``context.data``); ``assets``: the names of the
    publish's versions (a queued one of the same asset that cannot go first is named). Never
    fails the publish."""
    publish = publish_of_data(data)
    queue = OfflineQueue(publish.request.queue_dir)
    select = _for_this_server(data)
    if not any(select(entry) for entry in queue.entries()):
        return
    try:
        result = queue.flush(
            _session(data), progress=_flush_progress(publish.progress), select=select
        )
    except FtDccError as exc:  # another flush runs: it publishes them
        log.info("queued work left for the running flush: %s", exc)
        return
    warnings = warnings_of(data)
    if result.flushed:
        warnings.append(f"published first the {result.flushed} publish(es) queued before this one")
        warnings.extend(_flush_warnings(result))
    warnings.extend(_not_published(data, result, assets))


def publish_rest(data: Data) -> None:
    """After a successful publish: the entries queued meanwhile (best effort)."""
    queue = OfflineQueue(publish_of_data(data).request.queue_dir)
    select = _for_this_server(data)
    if not any(select(entry) for entry in queue.entries()):
        return
    try:
        result = queue.flush(_session(data), select=select)
    except FtDccError as exc:
        log.info("queued work left for the running flush: %s", exc)
        return
    if result.flushed:
        warnings_of(data).append(f"also published {result.flushed} queued publish(es)")
        warnings_of(data).extend(_flush_warnings(result))


def _flush_warnings(result: FlushResult) -> List[str]:
    found: List[str] = []
    for outcome in result.outcomes:
        found.extend(outcome.result.get("warnings") or [])
    return found


def _session(data: Data) -> IntegrateSession:
    session = connection_of(data).session
    if session is None:
        from ft_dcc.exceptions import PublishError

        raise PublishError("the queued work needs the publish's connection: it did not run")
    return session


def _same_asset(data: Data, summary: QueueSummary, assets: Sequence[str]) -> bool:
    if (summary.get("asset") or "review") not in assets:
        return False
    facts = task_facts_of(data)
    return summary.get("task") in (facts.task_id, facts.task_path)


def _not_published(data: Data, result: FlushResult, assets: Sequence[str]) -> List[str]:
    """Warnings naming the queued publishes that could not go first."""
    failed = [o for o in result.outcomes if not o.ok and o.entry_id != "*"]
    if not failed or any(o.result.get("unreachable") for o in failed):
        return []  # unreachable: this publish is queued behind them
    warnings: List[str] = []
    others = 0
    for outcome in failed:
        summary = outcome.entry
        if not _same_asset(data, summary, assets):
            others += 1
            continue
        short = outcome.entry_id[:8]
        warnings.append(
            f"the queued publish {short} of {summary.get('asset')} (made "
            f"{summary.get('created_at')}) could not be published first: {outcome.message}. "
            f"This version overtakes it: fix that and run 'ft-dcc queue flush', or "
            f"'ft-dcc queue drop {short}'"
        )
    if others:
        warnings.append(
            f"{others} queued publish(es) could not be published: 'ft-dcc queue list' says why"
        )
    return warnings
