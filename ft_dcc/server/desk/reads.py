"""What the desk reads, as the signed-in person, through the server's own API batch (the same
``execute(operations, user_id)`` the review room uses): their projects, each project's review
sessions (open first, today's dailies on top), a session's items labelled with their shot, its
client rules and invitees, and another session's versions to add (a project's sessions are listed
by ``session_lists``, its versions searched by ``version_search``, both in SQL).

Every read is a fixed number of queries whatever the session's size (one batch each)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ft_dcc.protocol import client_review as rules
from ft_dcc.protocol.cut_timing import GROUP as CUT_GROUP
from ft_dcc.protocol.cut_timing import SESSION_ROW as CUT_ROW
from ft_dcc.protocol.query_text import quote, quoted_list
from ft_dcc.server.desk.note_counts import KEYS, count_notes, notes_query
from ft_dcc.server.review.reads.data import parse_date, rows_of, session_is_open
from ft_dcc.server.store.store import Execute

Row = Dict[str, Any]
SESSION_FIELDS = (
    "id, name, description, start_date, end_date, project_id, created_at, created_by_id, "
    "shareable_url_enabled, passphrase_enabled"
)
#: an AssetVersion with the names the desk labels it by (one query: nested projections)
VERSION_FIELDS = (
    "id, version, date, asset.id, asset.name, asset.parent.id, asset.parent.name, "
    "asset.parent.context_type, task.name, status.name"
)
OBJECT_FIELDS = "id, name, version, version_id, sort_order, " + ", ".join(
    "asset_version." + f.strip() for f in VERSION_FIELDS.split(",")
)
RULE_FIELDS = "parent_id, group, name, value"
INVITEE_FIELDS = "id, name, email, created_from_shared_url"
#: the most versions one search answers (narrow it to see others)
SEARCH_LIMIT = 500
#: a date in a session's name: the day it is for
DATE_IN_NAME = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
#: a search's filters, by the name the page sends
FILTERS = ("sequence", "shot", "task", "status", "asset")


def iso(value: object) -> Optional[str]:
    """A stored date as ISO-8601 UTC text (None when unset)."""
    when = parse_date(value)
    return when.astimezone(dt.timezone.utc).isoformat() if when else None


def _in(what: str, ids: Iterable[object]) -> Optional[str]:
    listed = sorted({str(i) for i in ids if i})
    return f"{what} ({quoted_list(listed)})" if listed else None


class DeskReads:
    """Reads for one person (``user_id``), each a batch of its own."""

    def __init__(self, execute: Execute, user_id: str) -> None:
        self._execute = execute
        self.user_id = user_id

    def ask(self, expressions: Sequence[Optional[str]]) -> List[List[Row]]:
        """Each expression's rows (``None``: no query, no rows), in one batch."""
        wanted = [e for e in expressions if e]
        replies = (
            self._execute([{"action": "query", "expression": e} for e in wanted], self.user_id)
            if wanted
            else []
        )
        found = iter([rows_of(reply) for reply in replies])
        return [next(found) if e else [] for e in expressions]

    # -- projects and sessions ------------------------------------------------------------------
    def project(self, project_id: str) -> Optional[Row]:
        [rows] = self.ask(
            [f"select id, name, full_name from Project where id is {quote(project_id)}"]
        )
        return rows[0] if rows else None

    def sessions_by_id(self, ids: Iterable[str]) -> List[Row]:
        """The review sessions ``ids`` this person may read (a page following what it lists:
        the work is the ids', not the studio's)."""
        query = _in(f"select {SESSION_FIELDS} from ReviewSession where id in", ids)
        if query is None:
            return []
        [rows] = self.ask([query])
        return ordered_sessions(rows, dt.datetime.now(dt.timezone.utc))

    def session_row(self, review_session_id: str) -> Optional[Row]:
        [rows] = self.ask(
            [f"select {SESSION_FIELDS} from ReviewSession where id is {quote(review_session_id)}"]
        )
        return session_row(rows[0]) if rows else None

    # -- a session ------------------------------------------------------------------------------
    def session_view(self, review_session_id: str, first: Optional[int] = None,
                     people: bool = True) -> Optional[Row]:  # fmt: skip
        """The session, its items (labelled, in ``sort_order``; only the ``first`` ones when
        given, ``total`` counting them all), client rules, invitees and (``people``) the Users
        one may invite: one batch of queries whatever the session's size. (The project's other
        sessions are ``session_lists``' to read, a page of them.)"""
        found = self.session_view_and_settings(review_session_id, first, people)
        return found[0] if found else None

    def session_view_and_settings(
        self, review_session_id: str, first: Optional[int] = None, people: bool = True
    ) -> Optional[Tuple[Row, Dict[str, object]]]:
        """:meth:`session_view` and the session's ``review`` settings it read (name -> value:
        the invitees' revocation marks among them), so the answer need not read them again."""
        return self._view_with(review_session_id, first, people, [])[0]

    def _view_with(
        self, review_session_id: str, first: Optional[int], people: bool,
        more: Sequence[Optional[str]],
    ) -> Tuple[Optional[Tuple[Row, Dict[str, object]]], List[List[Row]]]:  # fmt: skip
        """:meth:`session_view_and_settings` and the rows of ``more`` expressions asked in the
        same batch."""
        quoted = quote(review_session_id)
        where = f"where review_session_id is {quoted}"
        some = f" order by sort_order limit {int(first)}" if first is not None else ""
        found = self.ask(
            [
                f"select id from ReviewSessionObject {where}" if first is not None else None,
                f"select {SESSION_FIELDS} from ReviewSession where id is {quoted}",
                f"select {OBJECT_FIELDS} from ReviewSessionObject {where}{some}",
                f"select {RULE_FIELDS} from EntitySetting where parent_id is {quoted} "
                f"and group is {quote(rules.GROUP)}",
                f"select {INVITEE_FIELDS} from ReviewSessionInvitee "
                f"where review_session_id is {quoted}",
                "select id, username, first_name, last_name, email from User "
                'where is_active is true and email like "%@%"'
                if people
                else None,
                notes_query(review_session_id),  # each item's to-dos and comments, counted
                f"select value from EntitySetting where parent_id is {quoted} "
                f"and group is {quote(CUT_GROUP)} and name is {quote(CUT_ROW)}",
                *more,
            ]
        )
        [every, sessions, objects, settings, invitees, users, notes, cut] = found[:8]
        if not sessions:
            return None, found[8:]
        now = dt.datetime.now(dt.timezone.utc)
        counts = count_notes(notes)
        view = {
            "session": session_row(sessions[0], now),
            "items": [
                dict(item, notes=counts.get(str(item["id"]), dict.fromkeys(KEYS, 0)))
                for item in items_of(objects)
            ],
            "total": len(every) if first is not None else len(objects),
            "rules": client_rules(sessions[0], settings),
            "invitees": invitees_of(invitees),
            "cut": cut_of(cut),
        }
        values = {str(s["name"]): s.get("value") for s in settings}
        return ((dict(view, users=users_of(users)) if people else view), values), found[8:]

    def items(self, review_session_id: str) -> List[Row]:
        """The session's items in ``sort_order``, each labelled with its shot (one query)."""
        [objects] = self.ask(
            [
                f"select {OBJECT_FIELDS} from ReviewSessionObject "
                f"where review_session_id is {quote(review_session_id)}"
            ]
        )
        return items_of(objects)

    def labelled_versions(self, version_ids: Iterable[object]) -> Dict[str, Row]:
        """Versions by id with their asset, shot, task and status names (one query)."""
        [versions] = self.ask(
            [_in(f"select {VERSION_FIELDS} from AssetVersion where id in", version_ids)]
        )
        return {str(v["id"]): version_row(v) for v in versions}

    def for_adding(self, review_session_id: str, version_ids: Iterable[object]
                   ) -> Optional[Tuple[Tuple[Row, Dict[str, object]], Dict[str, Row]]]:  # fmt: skip
        """The session as :meth:`session_view_and_settings` reads it (without the Users to
        invite), and ``version_ids`` labelled (as :meth:`labelled_versions`); ``None`` when
        there is no such session (for this person): one batch, one transaction."""
        asked = _in(f"select {VERSION_FIELDS} from AssetVersion where id in", version_ids)
        read, [versions] = self._view_with(review_session_id, None, False, [asked])
        if read is None:
            return None
        return read, {str(v["id"]): version_row(v) for v in versions}

    def invitees(self, review_session_id: str) -> List[Row]:
        [rows] = self.ask(
            [
                f"select {INVITEE_FIELDS} from ReviewSessionInvitee "
                f"where review_session_id is {quote(review_session_id)}"
            ]
        )
        return invitees_of(rows)

    # -- versions to add ------------------------------------------------------------------------
    def session_versions(self, review_session_id: str) -> List[Row]:
        """Another session's versions (to add them all), labelled, in its order."""
        return [
            dict(item["version"], object_id=item["id"])
            for item in self.items(review_session_id)
            if item["version"].get("version_id")
        ]


def _nested(row: Mapping[str, Any], *path: str) -> Mapping[str, Any]:
    """``row[path[0]][path[1]]...`` of a query's nested projection ({} where it is null)."""
    found: Any = row
    for name in path:
        found = found.get(name) if isinstance(found, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def version_row(version: Mapping[str, Any]) -> Row:
    """An AssetVersion row (:data:`VERSION_FIELDS`) as the desk shows it."""
    asset = _nested(version, "asset")
    shot = _nested(asset, "parent")
    return {
        "version_id": version["id"],
        "number": version.get("version"),
        "asset": asset.get("name") or "",
        "asset_id": asset.get("id"),
        "shot": "" if shot.get("context_type") == "show" else shot.get("name") or "",
        "shot_id": shot.get("id"),
        "sequence": _nested(shot, "parent").get("name") or "",
        "task": _nested(version, "task").get("name") or "",
        "status": _nested(version, "status").get("name") or "",
        "date": iso(version.get("date")),
    }


def items_of(objects: List[Row]) -> List[Row]:
    """ReviewSessionObject rows (:data:`OBJECT_FIELDS`) in ``sort_order``, labelled."""
    objects = sorted(
        objects,
        key=lambda o: (
            o.get("sort_order") is None,
            o.get("sort_order") or 0,
            str(o.get("name") or ""),
        ),
    )
    versions = [_nested(o, "asset_version") for o in objects]
    return [item_row(o, version_row(v) if v.get("id") else {}) for o, v in zip(objects, versions)]


def cut_of(rows: List[Row]) -> Optional[Row]:
    """The cut the session was made from (its row of group ``cut``: ``name``, ``file``,
    ``revision``), or None (not made from a cut, or a row that is not the cut's)."""
    try:
        value = json.loads(str(rows[0].get("value"))) if rows else None
    except ValueError:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("revision"), int):
        return None
    return {"name": str(value.get("name") or ""), "file": str(value.get("file") or ""),
            "revision": value["revision"]}  # fmt: skip


def client_rules(session: Mapping[str, Any], settings: List[Row]) -> Row:
    """The session's client rules as the page shows them (never the passphrase)."""
    values = {s["name"]: s.get("value") for s in settings}
    return {
        "passphrase_enabled": bool(session.get("passphrase_enabled")),
        "opens": iso(session.get("start_date")),
        "closes": iso(session.get("end_date")),
        "downloads": values.get(rules.DOWNLOAD_POLICY) or "none",
        "watermark": values.get(rules.WATERMARK) == "true",
        "links_revoked_at": values.get(rules.LINKS_REVOKED_AT),
        "private": session.get("shareable_url_enabled") is False,
    }


def invitees_of(rows: List[Row]) -> List[Row]:
    found = [
        {
            "id": r["id"],
            "name": r.get("name") or "",
            "email": r.get("email") or "",
            "room": bool(r.get("created_from_shared_url")),
        }
        for r in rows
    ]
    return sorted(found, key=lambda r: (r["name"].lower(), r["id"]))


def users_of(rows: List[Row]) -> List[Row]:
    """Active Users with an e-mail, to invite: ``{"id", "name", "email"}`` by name."""
    found = []
    for row in rows:
        name = " ".join(str(p) for p in (row.get("first_name"), row.get("last_name")) if p)
        found.append({"id": row["id"], "name": name or str(row.get("username") or ""),
                      "email": str(row.get("email") or "")})  # fmt: skip
    return sorted(found, key=lambda r: (r["name"].lower(), r["id"]))


def ordered_sessions(rows: List[Row], now: dt.datetime) -> List[Row]:
    """Sessions as the desk lists them: open first; among them today's dailies, then the rest of
    today's, then newest first."""
    views = [session_row(row, now) for row in rows]
    views.sort(key=lambda v: str(v["created_at"] or ""), reverse=True)
    views.sort(key=lambda v: (not v["is_open"], not v["today"], not v["dailies"]))
    return views


def day_of(row: Mapping[str, Any]) -> Optional[dt.date]:
    """The day a session is for: the date in its name ("Dailies 2026-11-26", as a publish names
    the day's session), else its start date, else the day it was made (the studio's local
    dates: the server's time zone)."""
    found = DATE_IN_NAME.search(str(row.get("name") or ""))
    if found:
        try:
            return dt.date.fromisoformat(found.group(0))
        except ValueError:
            pass
    when = parse_date(row.get("start_date")) or parse_date(row.get("created_at"))
    return when.astimezone().date() if when else None


def session_row(row: Mapping[str, Any], now: Optional[dt.datetime] = None) -> Row:
    """A ReviewSession as the desk shows it."""
    now = now or dt.datetime.now(dt.timezone.utc)
    created = parse_date(row.get("created_at"))
    end = parse_date(row.get("end_date"))
    return {
        "id": row["id"],
        "name": row.get("name") or "",
        "description": row.get("description") or "",
        "project_id": row.get("project_id"),
        "created_at": iso(created),
        "created_by_id": row.get("created_by_id"),
        "end_date": iso(end),
        "is_open": session_is_open(end, now),
        "today": day_of(row) == now.astimezone().date(),
        "dailies": bool(DATE_IN_NAME.search(str(row.get("name") or ""))),
        "private": row.get("shareable_url_enabled") is False,
        "passphrase": bool(row.get("passphrase_enabled")),
    }


def item_row(obj: Mapping[str, Any], version: Row) -> Row:
    """One ReviewSessionObject with its labelled version."""
    return {
        "id": obj["id"],
        "name": obj.get("name") or "",
        "sort_order": obj.get("sort_order"),
        "label": item_label(version, obj),
        "version": version,
    }


def item_label(version: Mapping[str, Any], obj: Mapping[str, Any]) -> str:
    """``sh010 / anim v003`` (the shot first: two shots' "anim" are told apart)."""
    asset = version.get("asset") or obj.get("name") or ""
    number = version.get("number")
    text = f"{asset} v{int(number):03d}" if isinstance(number, int) else str(asset)
    return f"{version['shot']} / {text}" if version.get("shot") else text
