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
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Mapping,
    Optional,
    Sequence,
    Set,
    Tuple,
    cast,
)

from ft_dcc.protocol import REVIEW_COMPONENT_IMAGE, REVIEW_COMPONENT_MP4, REVIEW_META_KEY
from ft_dcc.protocol.feedback import (
    USER_FIELDS,
    StatusFacts,
    current_statuses,
    display_name,
    feedback_notes,
    rows_in,
)
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.identity.audience import Inside
from ft_dcc.server.review.reads.sight import SHARED_KEY, STUDIO_SIGHT, Sight
from ft_dcc.server.rules.review_rights import OPEN_STATUS
from ft_dcc.server.store.store import Execute

log = logging.getLogger(__name__)

#: one row of a query reply, as the store gives it (JSON values)
ReplyRow = Dict[str, Any]
#: runs query expressions as one user, in one batch; each one's rows, in order (the
#: ``execute`` of :mod:`ft_dcc.protocol.feedback`)
Ask = Callable[[Sequence[str]], List[List[ReplyRow]]]

REVIEW_COMPONENT = REVIEW_COMPONENT_MP4
#: the components a version is reviewed in: its movie, or a still's image
REVIEWABLES = f"({quote(REVIEW_COMPONENT_MP4)}, {quote(REVIEW_COMPONENT_IMAGE)})"
#: The review component's metadata key where ft_dcc publishes record their capture spec.
CAPTURE_KEY = "ft_dcc_capture"
MAX_NOTE_LENGTH = 20000
#: open sessions the review room's list names at most (the newest; the desk pages through all)
MOST_LISTED = 200
#: which of a session's items (given them all, in order) to read whole (ReviewData.session)
Detail = Callable[[List["ItemView"]], Iterable[str]]
USERS = f"select {USER_FIELDS} from User where id in"
#: a session's objects (``id, name, description, version, version_id, sort_order``), their
#: versions (``id, version, comment, date, user_id, asset_id, thumbnail_id``) and those
#: versions' assets (``id, name, context_id``), both by id
Skeleton = Tuple[List[Dict[str, Any]], Dict[str, Dict[str, Any]], Dict[str, Dict[str, Any]]]
SessionRows = Callable[[str], Skeleton]


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
    #: an ftrack to-do (``Note.is_todo``: a note not marked as a comment; never a reply)
    is_todo: bool = False
    #: when the to-do was completed (None: open)
    completed_at: Optional[dt.datetime] = None
    #: the author's User id (``Note.user_id``; only to the studio)
    author_id: str = ""
    #: shared with the session's clients (:data:`~ft_dcc.server.review.reads.sight.SHARED_KEY`)
    shared: bool = False


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
    date: Optional[dt.datetime]
    thumbnail_id: Optional[str]
    author: str = ""
    movie_id: Optional[str] = None
    movie_meta: Dict[str, Any] = field(default_factory=dict)
    #: a still's ``ftrackreview-image`` (a version with no movie), shown as a picture
    image_id: Optional[str] = None
    notes: List[NoteView] = field(default_factory=list)
    #: what the link that reads it may download: (component id, label) (``media_route``)
    downloads: List[Tuple[str, str]] = field(default_factory=list)
    #: its asset's id, and the shot (the asset's context: a shot, an asset build...) it is of
    #: ("" when the asset is the project's own): two shots' "anim" are two assets
    asset_id: Optional[str] = None
    shot: str = ""


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
    project_id: Optional[str] = None
    #: its project was closed by an administrator (``Project.status`` not active): its links
    #: open nothing (``links.open_link``)
    project_closed: bool = False


def _closed(project: Mapping[str, Any]) -> bool:
    """Whether an administrator closed ``project`` (a row of Project; ``{}``: none)."""
    status = project.get("status")
    return isinstance(status, str) and status != OPEN_STATUS


def _shot_name(context: Dict[str, Any]) -> str:
    """The name of an asset's context for the page ("sh010"; "" for the project itself)."""
    if context.get("context_type") == "show":
        return ""
    return str(context.get("name") or "")


def parse_date(value: object) -> Optional[dt.datetime]:
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


def rows_of(reply: JsonObject) -> List[JsonObject]:
    """The rows of one query reply (its ``data``; none when it has no list of objects)."""
    data = reply.get("data")
    return [row for row in data if isinstance(row, dict)] if isinstance(data, list) else []


def asker(execute: Execute, user_id: str) -> Ask:
    """``execute`` as an :data:`Ask`: the expressions asked in one batch as ``user_id``."""

    def ask(expressions: Sequence[str]) -> List[List[ReplyRow]]:
        replies = execute([{"action": "query", "expression": e} for e in expressions], user_id)
        return [rows_of(reply) for reply in replies]

    return ask


class ReviewData:
    """Reads review sessions for the page and adds notes, as ``user_id``, holding what it reads
    to ``sight``: who is looking (:mod:`ft_dcc.server.review.reads.sight`; by default the studio,
    who sees everything). Every reply of the review room is read here, so a client's sight is kept
    in this one place: their versions without the internal status, the artist or the comment,
    the notes and verdicts they may see, the studio's people unnamed."""

    def __init__(self, execute: Execute, user_id: str, sight: Sight = STUDIO_SIGHT,
                 session_rows: Optional[SessionRows] = None) -> None:  # fmt: skip
        self._execute = execute
        self.user_id = user_id
        self.sight = sight
        self._rows = asker(execute, user_id)
        #: reads a session's :data:`Skeleton` in one statement (``review.skeleton``); without
        #: it, three queries
        self._session_rows = session_rows

    @property
    def rows(self) -> Any:
        """The reader's query runner (``execute(expressions) -> rows``, as the protocol's)."""
        return self._rows

    def _query(self, expression: str) -> List[ReplyRow]:
        return self._rows([expression])[0]

    def _in(self, expression: str, ids: Iterable[object]) -> List[Dict[str, Any]]:
        """``expression`` (ending in ``... in``) over ``ids``; nothing asked for none."""
        return cast(List[Dict[str, Any]], rows_in(self._rows, expression, ids))

    def _by_id(self, expression: str, ids: Iterable[Optional[str]]) -> Dict[str, Dict[str, Any]]:
        return {row["id"]: row for row in self._in(expression, ids)}

    # -- reading -------------------------------------------------------------------------------
    def _open_rows(self, now: dt.datetime) -> List[ReplyRow]:
        """The newest :data:`MOST_LISTED` sessions with no end and those whose end is to come:
        two ordered index ranges cut at their bound, not every session of the studio. Without
        their descriptions, which the list does not show (a year of dailies' notes)."""
        fields = ("select id, name, start_date, end_date, project_id, created_at, "
                  "created_by_id, shareable_url_enabled from ReviewSession")  # fmt: skip
        newest = f"order by created_at descending limit {MOST_LISTED}"
        stamp = now.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        endless, ending = self._rows([f"{fields} where end_date is None {newest}",
                                      f'{fields} where end_date > "{stamp}" {newest}'])  # fmt: skip
        return list(endless) + list(ending)

    def open_sessions(self) -> List[SessionView]:
        """Open review sessions, newest first, without their items: in their window now (a
        session whose ``start_date`` has not come is not named before it opens)."""
        now = dt.datetime.now(dt.timezone.utc)
        rows = self._open_rows(now)
        projects = self._by_id(
            "select id, full_name, name, status from Project where id in",
            (r.get("project_id") for r in rows),
        )
        views = []
        for row in sorted(rows, key=lambda r: str(r.get("created_at") or ""), reverse=True):
            end, start = parse_date(row.get("end_date")), parse_date(row.get("start_date"))
            if not session_is_open(end, now) or (start is not None and start > now):
                continue
            project = projects.get(row.get("project_id") or "", {})
            if _closed(project):  # its links open nothing: not listed
                continue
            views.append(
                SessionView(
                    id=row["id"],
                    name=row.get("name") or "",
                    description="",  # not read: the list shows none
                    project_name=project.get("full_name") or project.get("name") or "",
                    is_open=True,
                    end_date=end,
                    private=row.get("shareable_url_enabled") is False,
                    created_by_id=row.get("created_by_id"),
                    project_id=row.get("project_id"),
                )
            )
        return views[:MOST_LISTED]

    def session(
        self, review_session_id: str, detail: Optional[Detail] = None
    ) -> Optional[SessionView]:
        """The review session with its items in ``sort_order``, or ``None`` if there is none.
        ``detail``: which items (given them all) to read whole -- movie, notes, author, shot --
        the others named only (asset, version: enough to group and count them), so a page of a
        few of a big session's items does not read every note of it."""
        view = self.session_facts(review_session_id)
        if view is not None:
            view.items = self._items(review_session_id, detail)
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
            "select id, full_name, name, status from Project where id in", [row.get("project_id")]
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
            project_id=row.get("project_id"),
            project_closed=_closed(project),
        )

    def _skeleton(self, review_session_id: str) -> Skeleton:
        """The session's objects, their versions and assets by id (:data:`Skeleton`)."""
        if self._session_rows is not None:
            return self._session_rows(review_session_id)
        objects = self._query(
            "select id, name, description, version, version_id, sort_order "
            f"from ReviewSessionObject where review_session_id is {quote(review_session_id)}"
        )
        versions = self._by_id(
            "select id, version, comment, date, user_id, asset_id, thumbnail_id "
            "from AssetVersion where id in",
            (o.get("version_id") for o in objects),
        )
        assets = self._by_id(
            "select id, name, context_id from Asset where id in",
            (v.get("asset_id") for v in versions.values()),
        )
        return objects, versions, assets

    def _items(self, review_session_id: str, detail: Optional[Detail] = None) -> List[ItemView]:
        objects, versions, assets = self._skeleton(review_session_id)
        objects.sort(key=lambda o: (o.get("sort_order") or 0, str(o.get("name") or "")))
        items = []
        comments = self.sight.sees(Inside.VERSION_COMMENT)
        for obj in objects:
            version = versions.get(obj.get("version_id") or "", {})
            asset = assets.get(version.get("asset_id") or "", {})
            comment = str(version.get("comment") or "")
            description = str(obj.get("description") or "")
            if not comments and description.strip() == comment.strip():
                description = ""  # the artist's comment, copied onto the item
            items.append(
                ItemView(
                    id=obj["id"],
                    name=obj.get("name") or "",
                    description=description,
                    version_id=obj.get("version_id"),
                    version_number=version.get("version"),
                    asset_name=asset.get("name") or obj.get("name") or "",
                    asset_id=asset.get("id"),
                    comment=comment if comments else "",
                    date=parse_date(version.get("date")),
                    thumbnail_id=version.get("thumbnail_id"),
                )
            )
        wanted = set(detail(items)) if detail is not None else {i.id for i in items}
        self._detail([i for i in items if i.id in wanted], versions, assets)
        return items

    def _detail(
        self, items: List[ItemView], versions: Dict[str, Dict[str, Any]],
        assets: Dict[str, Dict[str, Any]],
    ) -> None:  # fmt: skip
        """Fill in ``items``' movies, notes, authors and shots."""
        chosen = [versions.get(i.version_id or "", {}) for i in items]
        contexts = self._by_id(
            "select id, name, context_type from Context where id in",
            (assets.get(v.get("asset_id") or "", {}).get("context_id") for v in chosen),
        )
        movies = self._movies(v["id"] for v in chosen if v.get("id"))
        notes: Dict[str, List[NoteView]] = {}
        for note in self._notes(i.id for i in items):
            notes.setdefault(note.parent_id, []).append(note)
        people = self.sight.sees(Inside.STUDIO_PEOPLE)
        users = self._by_id(USERS, (v.get("user_id") for v in chosen)) if people else {}
        for item, version in zip(items, chosen):
            asset = assets.get(version.get("asset_id") or "", {})
            movie = movies.get(version.get("id") or "")
            item.shot = _shot_name(contexts.get(asset.get("context_id") or "", {}))
            item.author = display_name(users.get(version.get("user_id") or ""))
            still = movie is not None and movie["name"] == REVIEW_COMPONENT_IMAGE
            item.movie_id = movie["id"] if movie and not still else None
            item.image_id = movie["id"] if movie and still else None
            item.movie_meta = movie["meta"] if movie else {}
            item.notes = notes.get(item.id, [])

    def _movies(self, versions: Iterable[str]) -> Dict[str, Dict[str, Any]]:
        """Per version id: its ``ftrackreview-mp4`` (else its ``ftrackreview-image``: a still)
        component id, name and parsed ``ftr_meta``."""
        components = self._in(
            f"select id, name, version_id from Component where name in {REVIEWABLES} "
            "and version_id in",
            versions,
        )
        metas: Dict[str, Dict[str, Any]] = {}
        captures: Dict[str, Dict[str, Any]] = {}
        for row in self._in(
            f"select parent_id, key, value from Metadata where key in ({quote(REVIEW_META_KEY)}, "
            f"{quote(CAPTURE_KEY)}) and parent_id in",
            (c["id"] for c in components),
        ):
            try:
                parsed = json.loads(row.get("value") or "{}")
            except ValueError:
                parsed = {}
            target = metas if row["key"] == REVIEW_META_KEY else captures
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
        for component in sorted(components, key=lambda c: (c["name"] != REVIEW_COMPONENT, c["id"])):
            movies.setdefault(
                component["version_id"],
                {"id": component["id"], "name": component["name"],
                 "meta": metas.get(component["id"], {})},
            )  # fmt: skip
        return movies

    def _notes(self, object_ids: Iterable[str]) -> List[NoteView]:
        """The notes on ``object_ids`` (replies among them) this reader may see, oldest first,
        read with the protocol's feedback queries (:mod:`ft_dcc.protocol.feedback`, shared with
        the client); each author named as the reader's sight names them."""
        ids = set(object_ids)
        facts = [f for f in feedback_notes(self._rows, ids) if f.parent_id in ids]
        shared = self.shared_notes(f.id for f in facts)
        sight = self.sight
        notes = [
            NoteView(
                id=fact.id,
                content=fact.content,
                author=sight.author_name(fact.author_id, fact.author),
                date=parse_date(fact.date),
                frame=fact.frame,
                author_email=fact.author_email if sight.shows_email(fact.author_id) else "",
                in_reply_to_id=fact.in_reply_to_id,
                annotation_id=min(fact.drawings, default=None),
                parent_id=fact.parent_id,
                frame_out=fact.frame_out,
                is_todo=fact.is_todo,
                completed_at=parse_date(fact.completed_at),
                author_id=fact.author_id if sight.is_studio else "",
                shared=fact.id in shared,
            )
            for fact in facts
            if sight.note_shown(fact.author_id, fact.id in shared)
        ]
        oldest = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        # replies after what they answer when both were written in the same second
        notes.sort(key=lambda n: (n.date or oldest, n.in_reply_to_id is not None))
        return notes

    def shared_notes(self, note_ids: Iterable[str]) -> Set[str]:
        """Which of ``note_ids`` a studio member shared with the session's clients."""
        return {
            str(row["parent_id"])
            for row in self._in(
                f"select parent_id, value from Metadata where key is {quote(SHARED_KEY)} "
                "and parent_id in",
                note_ids,
            )
            if str(row.get("value") or "").strip().lower() == "true"
        }

    def notes_by_item(self, review_session_id: str) -> Dict[str, List[NoteView]]:
        """Per ReviewSessionObject id of the session: its notes, oldest first."""
        grouped: Dict[str, List[NoteView]] = {o: [] for o in self.object_ids(review_session_id)}
        for note in self._notes(grouped):
            grouped[note.parent_id].append(note)
        return grouped

    def object_ids(self, review_session_id: str) -> List[str]:
        """The ReviewSessionObject ids of the session."""
        return [
            o["id"]
            for o in self._query(
                "select id from ReviewSessionObject "
                f"where review_session_id is {quote(review_session_id)}"
            )
        ]

    def serves(self, review_session_id: str, component_id: str) -> bool:
        """Whether ``component_id`` is one of :meth:`media_ids`, asked of that one file (a
        version's movie or thumbnail in a few queries: a page's media requests never read every
        note of a big session; a note's drawing is looked for among them all)."""
        component = self._by_id(
            "select id, name, version_id from Component where id in", [component_id]
        ).get(component_id, {})
        version_ids = {
            v["id"] for v in self._in("select id from AssetVersion where thumbnail_id in",
                                      [component_id])
        }  # fmt: skip
        if component.get("name") in (REVIEW_COMPONENT, REVIEW_COMPONENT_IMAGE) and component.get(
            "version_id"
        ):
            version_ids.add(component["version_id"])
        if version_ids and self._in(
            "select id from ReviewSessionObject where review_session_id is "
            f"{quote(review_session_id)} and version_id in",
            sorted(version_ids),
        ):
            return True
        return component_id in self.media_ids(review_session_id)

    def is_review_image(self, component_id: str) -> bool:
        """Whether ``component_id`` is a still's ``ftrackreview-image`` (what a watermark marks
        as it marks a movie)."""
        found = self._by_id("select id, name from Component where id in", [component_id])
        return found.get(component_id, {}).get("name") == REVIEW_COMPONENT_IMAGE

    def media_ids(self, review_session_id: str) -> Set[str]:
        """Component ids the page of this review session may serve (movies, thumbnails and
        the drawings attached to its notes)."""
        objects = self._query(
            "select id, version_id from ReviewSessionObject "
            f"where review_session_id is {quote(review_session_id)}"
        )
        notes = self._notes(o["id"] for o in objects)
        allowed = {n.annotation_id for n in notes if n.annotation_id}
        version_ids = sorted({o["version_id"] for o in objects if o.get("version_id")})
        versions = self._by_id("select id, thumbnail_id from AssetVersion where id in", version_ids)
        allowed.update(v["thumbnail_id"] for v in versions.values() if v.get("thumbnail_id"))
        allowed.update(
            c["id"]
            for c in self._in(
                f"select id from Component where name in {REVIEWABLES} and version_id in",
                version_ids,
            )
        )
        return allowed

    def version_statuses(self, object_ids: Iterable[str]) -> Dict[str, Dict[str, str]]:
        """Each object's version's workflow status (``{"name", "color"}``), by object id; the
        one a verdict moves (``verdict_status.py``). Objects without one are left out; none
        at all for a reader who may not see internal statuses."""
        if not self.sight.sees(Inside.INTERNAL_STATUS):
            return {}
        objects = self._in(
            "select id, version_id, asset_version.status.name, asset_version.status.color "
            "from ReviewSessionObject where id in",
            object_ids,
        )
        found = {}
        for row in objects:
            status = (row.get("asset_version") or {}).get("status") or {}
            if status.get("name"):
                found[row["id"]] = {"name": status["name"], "color": status.get("color") or ""}
        return found

    def statuses(self, object_ids: Iterable[str]) -> List[StatusFacts]:
        """Each invitee's current (latest) status on each of ``object_ids`` that this reader may
        see (a client: their own, never the studio's internal ones; no address but their own)."""
        sight = self.sight
        return [
            fact if sight.is_studio or fact.invitee_id == sight.own_invitee
            else fact._replace(email="")
            for fact in current_statuses(self._rows, object_ids)
            if sight.verdict_shown(fact.invitee_id)
        ]
