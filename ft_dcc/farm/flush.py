"""``ft-dcc farm flush``: send what a farm's publish steps kept while the server was down.

A publish step that cannot reach the server keeps its publish in its scene's work folder
(``<work>/NN-<asset>/queue``, exit 75), not in the machine's queue: the work folder is on the
farm's shared storage, where any node (or the TD's machine) finds it. This finds every such
journal under the folders given (a bundle folder: its work folder), looks each scene's publish
key up first (a version that carries it went out already: the kept copy is dropped, nothing is
published twice), and flushes the rest through the same queue flush as ``ft-dcc queue flush``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator, List

from ft_dcc.exceptions import ApiConnectionError
from ft_dcc.farm.staging import PUBLISH_MARK, WorkFolder
from ft_dcc.publish.common.report import EXIT_QUEUED


def work_folders(folders: Iterable[Path]) -> Iterator[WorkFolder]:
    """Each scene work folder under ``folders`` (a bundle's: under its ``WorkDir``)."""
    seen: List[Path] = []
    for folder in folders:
        params = folder / "openjd_params.json"
        if params.is_file():  # a bundle folder: its work folder may be elsewhere (--work-dir)
            folder = Path(json.loads(params.read_text(encoding="utf-8"))["WorkDir"])
        for mark in sorted(folder.rglob(PUBLISH_MARK)):
            if mark.parent not in seen:
                seen.append(mark.parent)
                yield WorkFolder(mark.parent)


def flush_work(work: WorkFolder) -> int:
    """Send ``work``'s kept publish; the exit status of ``ft-dcc queue flush`` (0, 75, 1)."""
    from ft_dcc.farm.publish_step import published_key, record_key
    from ft_dcc.publish.commands import flush_status, print_flush
    from ft_dcc.publish.offline.queue import OfflineQueue

    queue = OfflineQueue(work.queue)
    marked = work.marked()
    entries = queue.entries()
    if not entries or marked is None:
        return 0
    key, host = marked
    try:
        existing = published_key(key)
    except ApiConnectionError as exc:
        print(f"{work.root}: the server cannot be reached ({exc.message}): kept")
        return EXIT_QUEUED
    if existing:
        for entry in entries:
            queue.remove(entry)
        print(f"{work.root}: already published as version {existing}: dropped the kept copy")
        return 0
    result = queue.flush()
    print(f"{work.root}:")
    print_flush(result)
    code = flush_status(result)
    version = result.outcomes[-1].entry.get("asset_version_id") if result.outcomes else None
    if code == 0 and version and host not in ("files", "blender"):
        record_key(str(version), key)
    return code


def flush_folders(folders: Iterable[Path]) -> int:
    """Flush every kept publish under ``folders``: 1 when one failed, else 75 when the server
    kept one waiting, else 0."""
    codes = [flush_work(work) for work in work_folders(folders)]
    if 1 in codes:
        return 1
    return EXIT_QUEUED if EXIT_QUEUED in codes else 0
