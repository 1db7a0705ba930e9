"""Stored files of deleted components go with them.

- A component deleted by name (``delete FileComponent``) loses its stored file, sidecar and
  cached thumbnails as soon as the batch commits (:func:`remove_deleted_files`).
- A component deleted with its version, asset or project is removed by the next cleanup pass
  (the server's start, :func:`remove_orphan_files`): a stored file that a component once owned
  (marked when its Component or ComponentLocation row was committed, :func:`mark_committed`)
  and that no component owns any more is removed whatever its age. A file no component ever
  owned (an upload whose commit never happened) is removed once older than ``older_than``, so
  a publish still uploading is never touched.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Iterable, List, Mapping, Sequence, Set

from ft_dcc.protocol.query_text import quoted_list
from ft_dcc.server.files.filestore import FileStore, FileStoreError, check_component_id

if TYPE_CHECKING:
    from ft_dcc.server.store.store import Store

log = logging.getLogger(__name__)

#: Change types that are link rows, not components (their key is not a component id).
NOT_COMPONENTS = frozenset({"NoteComponent"})


def _component_ids(changes: Sequence[Mapping[str, object]], action: str) -> Set[str]:
    """Ids of the components ``action`` ("add" or "remove") changes name, with the component
    of each added ComponentLocation."""
    found: Set[str] = set()
    for change in changes:
        entity_type = str(change.get("entity_type") or "")
        if change.get("action") != action or entity_type in NOT_COMPONENTS:
            continue
        if entity_type.endswith("Component"):
            ident: object = change.get("entity_id")
        elif entity_type == "ComponentLocation" and action == "add":
            values = change.get("values")
            ident = values.get("component_id") if isinstance(values, Mapping) else None
        else:
            continue
        try:
            found.add(check_component_id(ident))
        except FileStoreError:
            continue
    return found


def mark_committed(files: FileStore, changes: Sequence[Mapping[str, object]]) -> None:
    """After a commit: mark the stored files of the components (and locations) it added."""
    for component_id in _component_ids(changes, "add"):
        files.mark_committed(component_id)


def _unowned(store: Store, user_id: str, candidates: Iterable[str]) -> List[str]:
    ids = sorted(set(candidates))
    unowned = []
    for start in range(0, len(ids), 200):
        chunk = ids[start : start + 200]
        listed = quoted_list(chunk)
        known = {r["id"] for r in store.query(f"select id from Component where id in ({listed})",
                                              user_id)}  # fmt: skip
        unowned += [component_id for component_id in chunk if component_id not in known]
    return unowned


def remove_deleted_files(
    store: Store, files: FileStore, changes: Sequence[Mapping[str, object]], user_id: str = ""
) -> int:
    """After a commit: remove the stored files of the components it deleted by name."""
    removed = 0
    for component_id in _unowned(store, user_id, _component_ids(changes, "remove")):
        if files.remove(component_id):
            removed += 1
            log.info("removed the stored file of deleted component %s", component_id)
    return removed


def remove_orphan_files(store: Store, files: FileStore, user_id: str, older_than: float) -> int:
    """The cleanup pass: remove stored files no component owns (see the module docstring)."""
    removed = 0
    candidates = set(files.stored_ids(older_than)) | set(files.committed_ids())
    for component_id in _unowned(store, user_id, candidates):
        files.remove(component_id)
        removed += 1
        log.info("removed stored file %s: no component owns it", component_id)
    return removed
