"""What a version addresses of its previous version's to-dos ("addresses 2 of 3 notes on v001").

For each item of a review session: the previous version of the same asset (the highest numbered
below it), that version's to-dos (``Note.is_todo``, on the version or on its review-session
objects, replies and comments not counted) and which are addressed (``completed_at``). Read with
the protocol's note queries, a handful of queries for the whole session. Studio readers only
(the notes are the studio's inside: ``identity.audience``).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from ft_dcc.protocol.feedback import Execute, feedback_notes, rows_in


def addressed_by_item(execute: Execute, object_ids: Iterable[str]) -> Dict[str, Dict[str, Any]]:
    """Per review object id whose version has a previous one with to-dos: ``{"version":
    "v001", "version_id", "object_id", "addressed": n, "total": m, "notes": [{"id", "frame",
    "content", "addressed", "object_id"}]}``; ``object_id``: the previous version's object in
    the same review session (None when the session has it not), where the page shows it and
    compares; a note's own: where it was written (its version's object in this session when
    it was written on the version itself)."""
    objects = rows_in(
        execute,
        "select id, version_id, review_session_id from ReviewSessionObject where id in",
        object_ids,
    )
    versions = {
        r["id"]: r
        for r in rows_in(
            execute,
            "select id, version, asset_id from AssetVersion where id in",
            [o["version_id"] for o in objects],
        )
    }
    siblings = rows_in(
        execute,
        "select id, version, asset_id from AssetVersion where asset_id in",
        [v["asset_id"] for v in versions.values()],
    )
    previous: Dict[str, Any] = {}  # version id -> the previous version's row
    for version in versions.values():
        older = [
            s
            for s in siblings
            if s["asset_id"] == version["asset_id"]
            and (s["version"] or 0) < (version["version"] or 0)
        ]
        if older:
            previous[version["id"]] = max(older, key=lambda s: s["version"] or 0)
    old_ids = sorted({p["id"] for p in previous.values()})
    old_objects = rows_in(
        execute,
        "select id, version_id, review_session_id from ReviewSessionObject where version_id in",
        old_ids,
    )
    parent_version = {i: i for i in old_ids}
    parent_version.update({o["id"]: o["version_id"] for o in old_objects})
    todos: Dict[str, List[Any]] = {}
    for fact in feedback_notes(execute, sorted(parent_version)):
        if fact.is_todo and not fact.in_reply_to_id and fact.parent_id in parent_version:
            todos.setdefault(parent_version[fact.parent_id], []).append(fact)
    answer: Dict[str, Dict[str, Any]] = {}
    for obj in objects:
        old = previous.get(obj["version_id"])
        notes = sorted(
            todos.get(old["id"], []) if old else [],
            key=lambda f: (f.frame is None, f.frame or 0, f.content),
        )
        if old is None or not notes:
            continue
        beside = next(
            (
                o["id"]
                for o in old_objects
                if o["version_id"] == old["id"]
                and o["review_session_id"] == obj["review_session_id"]
            ),
            None,
        )
        answer[obj["id"]] = {
            "version": f"v{int(old['version'] or 0):03d}",
            "version_id": old["id"],
            "object_id": beside,
            "addressed": sum(1 for f in notes if f.completed_at),
            "total": len(notes),
            "notes": [
                {
                    "id": f.id,
                    "frame": f.frame,
                    "content": f.content,
                    "addressed": bool(f.completed_at),
                    "object_id": beside if f.parent_id == old["id"] else f.parent_id,
                }
                for f in notes
            ],
        }
    return answer
