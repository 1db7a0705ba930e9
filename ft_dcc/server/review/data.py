"""What the web review page shows, read from (and notes written to) the server's Store.

Everything goes through ``execute(operations, user_id)`` (``ApiContext.execute``), so writes
take the server's writer lock and publish ``ftrack.update`` events like any ``/api`` batch.
A review session is read in a fixed number of queries, whatever its size.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Set

from ft_dcc.protocol.feedback import FRAME_OUT_KEY
from ft_dcc.server.files.filestore import FileStoreError, check_component_id

log = logging.getLogger(__name__)

Execute = Callable[[List[Dict[str, Any]], str], List[Any]]

REVIEW_COMPONENT = "ftrackreview-mp4"
#: The Note metadata key holding the frame a note refers to (read by ``ft_dcc.review``).
FRAME_KEY = "frame"
#: The review component's metadata key where ft_dcc publishes record their capture spec.
CAPTURE_KEY = "ft_dcc_capture"
MAX_NOTE_LENGTH = 20000
USERS = "select id, username, first_name, last_name, email from User where id in"


@dataclass
class NoteView:
    id: str
    content: str
    author: str
    date: Optional[dt.datetime]
    frame: Optional[int]
    author_email: str = ""
    in_reply_to_id: Optional[str] = None
    #: the Component of a drawn annotation (a PNG attached through NoteComponent)
    annotation_id: Optional[str] = None
    parent_id: str = ""
    #: the last frame a drawing is held to (None: only ``frame``)
    frame_out: Optional[int] = None


@dataclass
class StatusView:
    """An invitee's current ReviewSessionObjectStatus on one object."""

    object_id: str
    invitee_id: str
    name: str
    email: str
    status: str
    date: Optional[dt.datetime]


@dataclass
class ItemView:
    """One ReviewSessionObject with its version, movie and notes."""

    id: str
    name: str
    description: str
    version_id: Optional[str]
    version_number: Optional[int]
    asset_name: str
    comment: str
    author: str
    date: Optional[dt.datetime]
    thumbnail_id: Optional[str]
    movie_id: Optional[str]
    movie_meta: Dict[str, Any] = field(default_factory=dict)
    notes: List[NoteView] = field(default_factory=list)


@dataclass
class SessionView:
    id: str
    name: str
    description: str
    project_name: str
    is_open: bool
    end_date: Optional[dt.datetime]
    items: List[ItemView] = field(default_factory=list)
    #: shareable link off: only invitees and its managers get in (see review_rules)
    private: bool = False
    created_by_id: Optional[str] = None


def parse_date(value: Any) -> Optional[dt.datetime]:
    """A timezone-aware datetime from a Store value (``{"__type__": "datetime", ...}``)."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and value:
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def session_is_open(end_date: Optional[dt.datetime], now: Optional[dt.datetime] = None) -> bool:
    """Open while its ``end_date`` has not passed (as ``ft_dcc.review.is_open``)."""
    return end_date is None or end_date > (now or dt.datetime.now(dt.timezone.utc))


def _quoted_ids(ids: Iterable[str]) -> str:
    """``"a", "b"`` for an ``in (...)`` test; ids that are not plain ids are left out."""
    safe = []
    for value in ids:
        try:
            safe.append(f'"{check_component_id(value)}"')
        except FileStoreError:
            log.warning("review page: skipping the unusual id %r", str(value)[:80])
    return ", ".join(safe) or '""'


class ReviewData:
    """Reads review sessions for the page and adds notes, as ``user_id``."""

    def __init__(self, execute: Execute, user_id: str) -> None:
        self._execute = execute
        self.user_id = user_id

    def _query(self, expression: str) -> List[Dict[str, Any]]:
        reply = self._execute([{"action": "query", "expression": expression}], self.user_id)
        return list(reply[0].get("data") or [])

    def _by_id(self, expression: str, ids: Iterable[Optional[str]]) -> Dict[str, Dict[str, Any]]:
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        return {row["id"]: row for row in self._query(f"{expression} ({_quoted_ids(wanted)})")}

    # -- reading -------------------------------------------------------------------------------
    def open_sessions(self) -> List[SessionView]:
        """Open review sessions, newest first, without their items."""
        rows = self._query(
            "select id, name, description, end_date, project_id, created_at, created_by_id, "
            "shareable_url_enabled from ReviewSession"
        )
        projects = self._by_id(
            "select id, full_name, name from Project where id in",
            (r.get("project_id") for r in rows),
        )
        views = []
        for row in sorted(rows, key=lambda r: str(r.get("created_at") or ""), reverse=True):
            end = parse_date(row.get("end_date"))
            if not session_is_open(end):
                continue
            project = projects.get(row.get("project_id") or "", {})
            views.append(
                SessionView(
                    id=row["id"],
                    name=row.get("name") or "",
                    description=row.get("description") or "",
                    project_name=project.get("full_name") or project.get("name") or "",
                    is_open=True,
                    end_date=end,
                    private=row.get("shareable_url_enabled") is False,
                    created_by_id=row.get("created_by_id"),
                )
            )
        return views

    def session(self, review_session_id: str) -> Optional[SessionView]:
        """The review session with its items in ``sort_order``, or ``None`` if there is none."""
        view = self.session_facts(review_session_id)
        if view is not None:
            view.items = self._items(review_session_id)
        return view

    def session_facts(self, review_session_id: str) -> Optional[SessionView]:
        """The review session without its items, or ``None`` if there is none."""
        rows = self._by_id(
            "select id, name, description, end_date, project_id, created_by_id, "
            "shareable_url_enabled from ReviewSession where id in",
            [review_session_id],
        )
        row = rows.get(review_session_id)
        if row is None:
            return None
        project = self._by_id(
            "select id, full_name, name from Project where id in", [row.get("project_id")]
        ).get(row.get("project_id") or "", {})
        end = parse_date(row.get("end_date"))
        return SessionView(
            id=row["id"],
            name=row.get("name") or "",
            description=row.get("description") or "",
            project_name=project.get("full_name") or project.get("name") or "",
            is_open=session_is_open(end),
            end_date=end,
            private=row.get("shareable_url_enabled") is False,
            created_by_id=row.get("created_by_id"),
        )

    def _items(self, review_session_id: str) -> List[ItemView]:
        objects = self._query(
            "select id, name, description, version, version_id, sort_order "
            "from ReviewSessionObject where review_session_id is "
            f'"{check_component_id(review_session_id)}"'
        )
        objects.sort(key=lambda o: (o.get("sort_order") or 0, str(o.get("name") or "")))
        versions = self._by_id(
            "select id, version, comment, date, user_id, asset_id, thumbnail_id "
            "from AssetVersion where id in",
            (o.get("version_id") for o in objects),
        )
        assets = self._by_id(
            "select id, name from Asset where id in",
            (v.get("asset_id") for v in versions.values()),
        )
        movies = self._movies(versions)
        notes = self._notes(o["id"] for o in objects)
        users = self._by_id(
            USERS,
            [v.get("user_id") for v in versions.values()] + [n["user_id"] for n in notes],
        )
        items = []
        for obj in objects:
            version = versions.get(obj.get("version_id") or "", {})
            movie = movies.get(version.get("id") or "")
            items.append(
                ItemView(
                    id=obj["id"],
                    name=obj.get("name") or "",
                    description=obj.get("description") or "",
                    version_id=obj.get("version_id"),
                    version_number=version.get("version"),
                    asset_name=assets.get(version.get("asset_id") or "", {}).get("name")
                    or obj.get("name")
                    or "",
                    comment=version.get("comment") or "",
                    author=_display_name(users.get(version.get("user_id") or "")),
                    date=parse_date(version.get("date")),
                    thumbnail_id=version.get("thumbnail_id"),
                    movie_id=movie["id"] if movie else None,
                    movie_meta=movie["meta"] if movie else {},
                    notes=[_note_view(n, users) for n in notes if n["parent_id"] == obj["id"]],
                )
            )
        return items

    def _movies(self, versions: Dict[str, Dict[str, Any]]) -> Dict[str, Dict[str, Any]]:
        """Per version id: its ``ftrackreview-mp4`` component id and parsed ``ftr_meta``."""
        if not versions:
            return {}
        components = self._query(
            f'select id, version_id from Component where name is "{REVIEW_COMPONENT}" '
            f"and version_id in ({_quoted_ids(versions)})"
        )
        metas: Dict[str, Dict[str, Any]] = {}
        if components:
            captures: Dict[str, Dict[str, Any]] = {}
            for row in self._query(
                'select parent_id, key, value from Metadata where key in ("ftr_meta", '
                f'"{CAPTURE_KEY}") and parent_id in ({_quoted_ids(c["id"] for c in components)})'
            ):
                try:
                    parsed = json.loads(row.get("value") or "{}")
                except ValueError:
                    parsed = {}
                target = metas if row["key"] == "ftr_meta" else captures
                target[row["parent_id"]] = parsed if isinstance(parsed, dict) else {}
            for component_id, capture in captures.items():
                # ft_dcc publishes record the scene's first frame: show shot frame numbers.
                first = capture.get("source_first_frame")
                if isinstance(first, int):
                    metas.setdefault(component_id, {})["sourceFirstFrame"] = first
                poster = capture.get("thumbnail_frame")  # the frame the thumbnail shows
                if isinstance(poster, int):
                    metas.setdefault(component_id, {})["posterFrame"] = poster
        movies: Dict[str, Dict[str, Any]] = {}
        for component in sorted(components, key=lambda c: c["id"]):
            movies.setdefault(
                component["version_id"],
                {"id": component["id"], "meta": metas.get(component["id"], {})},
            )
        return movies

    def _notes(self, object_ids: Iterable[str]) -> List[Dict[str, Any]]:
        ids = list(object_ids)
        if not ids:
            return []
        rows = self._query(
            "select id, content, date, user_id, parent_id, in_reply_to_id from Note "
            f"where parent_id in ({_quoted_ids(ids)})"
        )
        frames: Dict[str, Optional[int]] = {}
        last_frames: Dict[str, Optional[int]] = {}
        drawings: Dict[str, str] = {}
        if rows:
            note_ids = _quoted_ids(r["id"] for r in rows)
            for meta in self._query(
                "select parent_id, key, value from Metadata where key in "
                f'("{FRAME_KEY}", "{FRAME_OUT_KEY}") and parent_id in ({note_ids})'
            ):
                into = frames if meta.get("key") == FRAME_KEY else last_frames
                into[meta["parent_id"]] = _int_or_none(meta.get("value"))
            links = self._query(
                f"select note_id, component_id from NoteComponent where note_id in ({note_ids})"
            )
            for link in sorted(links, key=lambda r: str(r.get("component_id"))):
                drawings.setdefault(link["note_id"], link["component_id"])
        notes = [
            {
                "id": r["id"],
                "content": r.get("content") or "",
                "user_id": r.get("user_id"),
                "parent_id": r.get("parent_id"),
                "date": parse_date(r.get("date")),
                "frame": frames.get(r["id"]),
                "frame_out": last_frames.get(r["id"]),
                "in_reply_to_id": r.get("in_reply_to_id"),
                "annotation_id": drawings.get(r["id"]),
            }
            for r in rows
        ]
        oldest = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        # replies after what they answer when both were written in the same second
        notes.sort(key=lambda n: (n["date"] or oldest, n["in_reply_to_id"] is not None))
        return notes

    def notes_by_item(self, review_session_id: str) -> Dict[str, List[NoteView]]:
        """Per ReviewSessionObject id of the session: its notes, oldest first."""
        objects = self._query(
            "select id from ReviewSessionObject "
            f'where review_session_id is "{check_component_id(review_session_id)}"'
        )
        grouped: Dict[str, List[NoteView]] = {o["id"]: [] for o in objects}
        notes = self._notes(grouped)
        users = self._by_id(
            USERS,
            [n["user_id"] for n in notes],
        )
        for n in notes:
            grouped[n["parent_id"]].append(_note_view(n, users))
        return grouped

    def object_ids(self, review_session_id: str) -> List[str]:
        """The ReviewSessionObject ids of the session."""
        return [
            o["id"]
            for o in self._query(
                "select id from ReviewSessionObject "
                f'where review_session_id is "{check_component_id(review_session_id)}"'
            )
        ]

    def media_ids(self, review_session_id: str) -> Set[str]:
        """Component ids the page of this review session may serve (movies, thumbnails and
        the drawings attached to its notes)."""
        objects = self._query(
            "select id, version_id from ReviewSessionObject "
            f'where review_session_id is "{check_component_id(review_session_id)}"'
        )
        allowed = {n["annotation_id"] for n in self._notes(o["id"] for o in objects)}
        allowed.discard(None)
        version_ids = sorted({o["version_id"] for o in objects if o.get("version_id")})
        if not version_ids:
            return allowed
        versions = self._by_id("select id, thumbnail_id from AssetVersion where id in", version_ids)
        allowed.update(v["thumbnail_id"] for v in versions.values() if v.get("thumbnail_id"))
        allowed.update(
            c["id"]
            for c in self._query(
                f'select id from Component where name is "{REVIEW_COMPONENT}" '
                f"and version_id in ({_quoted_ids(version_ids)})"
            )
        )
        return allowed

    def version_statuses(self, object_ids: Iterable[str]) -> Dict[str, Dict[str, str]]:
        """Each object's version's workflow status (``{"name", "color"}``), by object id; the
        one a verdict moves (``verdict_status.py``). Objects without one are left out."""
        ids = list(object_ids)
        if not ids:
            return {}
        objects = self._query(
            "select id, version_id, asset_version.status.name, asset_version.status.color "
            f"from ReviewSessionObject where id in ({_quoted_ids(ids)})"
        )
        found = {}
        for row in objects:
            status = (row.get("asset_version") or {}).get("status") or {}
            if status.get("name"):
                found[row["id"]] = {"name": status["name"], "color": status.get("color") or ""}
        return found

    def statuses(self, object_ids: Iterable[str]) -> List[StatusView]:
        """Each invitee's current (latest) status on each of ``object_ids``."""
        ids = list(object_ids)
        if not ids:
            return []
        rows = self._query(
            "select id, status, created_at, review_session_object_id, review_session_invitee_id "
            f"from ReviewSessionObjectStatus where review_session_object_id in ({_quoted_ids(ids)})"
        )
        rows.sort(key=lambda r: (str(r.get("created_at") or ""), r["id"]))
        current: Dict[tuple, Dict[str, Any]] = {}
        for row in rows:  # the latest per (object, invitee) wins
            current[(row["review_session_object_id"], row.get("review_session_invitee_id"))] = row
        invitees = self._by_id(
            "select id, name, email from ReviewSessionInvitee where id in",
            (key[1] for key in current),
        )
        views = []
        for (object_id, invitee_id), row in current.items():
            invitee = invitees.get(invitee_id or "", {})
            views.append(
                StatusView(
                    object_id=object_id,
                    invitee_id=invitee_id or "",
                    name=invitee.get("name") or "",
                    email=invitee.get("email") or "",
                    status=row.get("status") or "",
                    date=parse_date(row.get("created_at")),
                )
            )
        return views


def _int_or_none(value: Any) -> Optional[int]:
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def _note_view(note: Dict[str, Any], users: Dict[str, Dict[str, Any]]) -> NoteView:
    user = users.get(note["user_id"] or "")
    return NoteView(
        id=note["id"],
        content=note["content"],
        author=_display_name(user),
        date=note["date"],
        frame=note["frame"],
        author_email=(user or {}).get("email") or "",
        in_reply_to_id=note.get("in_reply_to_id"),
        annotation_id=note.get("annotation_id"),
        parent_id=note.get("parent_id") or "",
        frame_out=note.get("frame_out"),
    )


def _display_name(user: Optional[Dict[str, Any]]) -> str:
    if not user:
        return ""
    full = " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p)
    return full or user.get("username") or ""
