"""Sessions on a test server and the entities tests publish into."""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

#: What a publish creates (or must not create): counted by :func:`count_entities`.
PUBLISH_ENTITY_TYPES = [
    "Asset", "AssetVersion", "Component", "ComponentLocation", "ReviewSession",
    "ReviewSessionObject", "ReviewSessionInvitee", "Metadata",
]  # fmt: skip


def open_session(server: Any, cache_dir: Path, **kwargs: Any) -> Any:
    """An ``ft_dcc.Session`` on ``server`` with its own schema cache below ``cache_dir``."""
    from ft_dcc.session import Session

    kwargs.setdefault("schema_cache_path", str(cache_dir / "schema-cache"))
    kwargs.setdefault("plugin_paths", [])
    return Session(
        server_url=server.url, api_key=server.api_key, api_user=server.api_user, **kwargs
    )


#: The file the genuine client keeps its schemas in, inside its ``schema_cache_path`` folder.
GENUINE_SCHEMA_FILE = "ftrack_api_schema_cache.json"

#: The last genuine schema cache this test process saw written: each test's own cache folder
#: starts from it, as a user's warm cache would (``seed_genuine_cache``).
_warm_genuine_cache: Dict[str, bytes] = {}


def seed_genuine_cache(cache_dir: Path) -> None:
    """Start an empty genuine cache folder from the process's last written cache file.

    The genuine client keeps a cached file while its MD5 is the server's ``schema_hash`` and
    otherwise fetches the schemas and writes the file again (as it does with no file), so the
    seed only spares a test its ``query_schemas`` request and the client's pure-Python
    ``json.dump(indent=4)`` of them (~6 CPU-ms each); every session still reads and checks it.
    """
    cached = cache_dir / GENUINE_SCHEMA_FILE
    if "schemas" in _warm_genuine_cache and not cached.exists():
        cached.write_bytes(_warm_genuine_cache["schemas"])


def keep_genuine_cache(cache_dir: Path) -> None:
    """Remember ``cache_dir``'s genuine cache file for the next :func:`seed_genuine_cache`."""
    cached = cache_dir / GENUINE_SCHEMA_FILE
    if cached.is_file():
        _warm_genuine_cache["schemas"] = cached.read_bytes()


@contextlib.contextmanager
def genuine_sessions(server: Any, cache_dir: Path) -> Iterator[Callable[..., Any]]:
    """``make(**options)``: genuine ``ftrack_api.Session`` objects on ``server`` (no event hub,
    schema cache in ``cache_dir``, seeded from the last test's), all closed on exit."""
    import ftrack_api

    sessions: List[Any] = []
    cache_dir.mkdir(parents=True, exist_ok=True)
    seed_genuine_cache(cache_dir)

    def make(**kwargs: Any) -> Any:
        options: Dict[str, Any] = dict(
            server_url=server.url,
            api_user=server.api_user,
            api_key=server.api_key,
            schema_cache_path=str(cache_dir),
            auto_connect_event_hub=False,
        )
        options.update(kwargs)
        session = ftrack_api.Session(**options)
        sessions.append(session)
        keep_genuine_cache(cache_dir)
        return session

    try:
        yield make
    finally:
        for session in sessions:
            session.close()


def emptied(session: Any) -> Any:
    """``session`` (a genuine ``ftrack_api.Session``) with nothing cached: it reads from the
    server as a new session would (``Session.reset``), without building one (its entity types,
    its schema cache read and checked, a request: ~25 CPU-ms)."""
    session.reset()
    return session


def make_task(
    session: Any,
    project_name: Optional[str] = None,
    fstart: Optional[int] = 1001,
    fend: Optional[int] = 1012,
    fps: Optional[float] = None,
    *,
    task_name: str = "comp",
    in_shot: bool = True,
) -> str:
    """A new ``<project>/sq010/sh010/<task_name>`` task; returns its path.

    The shot's ``fstart``/``fend``/``fps`` are set where not None (None keeps the configured
    default). Without ``in_shot``: a ``<project>/<task_name>`` task (no shot, no range or fps).
    """
    name = project_name or f"proj{uuid.uuid4().hex[:8]}"
    project = session.create(
        "Project",
        {"name": name, "full_name": name, "project_schema": session.query("ProjectSchema").first()},
    )
    task_type = session.query('Type where name is "Compositing"').first()
    if not in_shot:
        session.create(
            "Task", {"name": task_name, "parent": project, "project": project, "type": task_type}
        )
        session.commit()
        return f"{name}/{task_name}"
    sequence = session.create("Sequence", {"name": "sq010", "parent": project, "project": project})
    shot = session.create("Shot", {"name": "sh010", "parent": sequence, "project": project})
    session.create(
        "Task", {"name": task_name, "parent": shot, "project": project, "type": task_type}
    )
    session.commit()
    # inherited custom attributes: set once the shot is committed
    for key, value in (("fstart", fstart), ("fend", fend), ("fps", fps)):
        if value is not None:
            shot["custom_attributes"][key] = value
    session.commit()
    return f"{name}/sq010/sh010/{task_name}"


def count_entities(session: Any, types: Optional[List[str]] = None) -> Dict[str, int]:
    """How many entities of each type (default :data:`PUBLISH_ENTITY_TYPES`) the server holds,
    by fresh queries (no cache)."""
    keys = {"Metadata": "parent_id, key"}
    return {
        t: len(session.query(f"select {keys.get(t, 'id')} from {t}").all())
        for t in types or PUBLISH_ENTITY_TYPES
    }


def metadata_of(session: Any, parent_id: str) -> Dict[str, str]:
    """The Metadata key/value pairs of entity ``parent_id`` (a fresh query)."""
    rows = session.query(f'select key, value from Metadata where parent_id is "{parent_id}"')
    return {row["key"]: row["value"] for row in rows.all()}


def add_picker_tasks(session: Any, project: str) -> None:
    """Beside :func:`make_task`'s ``<project>/sq010/sh010/comp``: ``sh010/anim`` and
    ``sh020/light`` (the task pickers' tests)."""
    shot = session.query(f'Shot where name is "sh010" and project.name is "{project}"').one()
    kind = session.query('Type where name is "Compositing"').first()
    other = session.create(
        "Shot", {"name": "sh020", "parent": shot["parent"], "project": shot["project"]}
    )
    for parent, name in ((shot, "anim"), (other, "light")):
        session.create(
            "Task", {"name": name, "parent": parent, "project": shot["project"], "type": kind}
        )
    session.commit()
