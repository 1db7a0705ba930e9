"""What the desk writes: ftrack's own entities only, through the server's own API batch as the
signed-in person (``execute(operations, user_id)``, as the review room writes), so every rule of
``/api`` applies (who manages the session, a closed session, the writer lock, ``ftrack.update``
events, the audit trail) and ``ftrack_api`` reads back exactly what was written.

- a session: ``ReviewSession`` (create; ``name``, ``description``; ``end_date`` to close or
  reopen);
- its versions: ``ReviewSessionObject`` (create, delete, ``sort_order`` 0, 1, 2…: ftrack's order,
  so ftrack clients list them the same);
- invitees: ``ReviewSessionInvitee``;
- client rules: ``ReviewSession.passphrase`` / ``passphrase_enabled`` / ``start_date`` /
  ``end_date`` and the session's ``EntitySetting`` rows of group ``review`` (``download_policy``,
  ``watermark``, ``links_revoked_at``, ``invitee_links_revoked_at:<id>``), as
  ``ft-dcc review client`` writes them (``ft_dcc.review.client_write``).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ft_dcc.protocol import client_review as rules
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.protocol.query_text import quote
from ft_dcc.server.common.errors import BadInput
from ft_dcc.server.desk.reads import DeskReads, item_label
from ft_dcc.server.desk.write_views import ViewRead, after_adding, after_removing
from ft_dcc.server.store.store import Execute

MAX_NAME = 255
MAX_DESCRIPTION = 4000
#: the most versions one request adds, removes or orders
MAX_ITEMS = 2000
MAX_INVITEES = 50
#: a reopened session stays open this long (as ``ft-dcc review reopen``)
REOPEN_DAYS = 30
MIN_PASSPHRASE, MAX_PASSPHRASE = 8, 256
EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]{1,190}\.[^@\s<>\"',;.]{1,63}$")
ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
NO_SESSION = "No such review session; it may have been deleted."
#: the writes that read their session in their own first batch (no read of it beforehand)
READ_THEIR_SESSION = frozenset({"add", "remove"})


def create_op(entity_type: str, data: Mapping[str, Any], key: Sequence[str]) -> JsonObject:
    return {
        "action": "create",
        "entity_type": entity_type,
        "entity_key": list(key),
        "entity_data": dict(data, __entity_type__=entity_type),
    }


def update_op(entity_type: str, key: Sequence[str], data: Mapping[str, Any]) -> JsonObject:
    return {
        "action": "update",
        "entity_type": entity_type,
        "entity_key": list(key),
        "entity_data": dict(data, __entity_type__=entity_type),
    }


def delete_op(entity_type: str, key: Sequence[str]) -> JsonObject:
    return {"action": "delete", "entity_type": entity_type, "entity_key": list(key)}


def date_value(when: dt.datetime) -> JsonObject:
    return {"__type__": "datetime", "value": when.astimezone(dt.timezone.utc).isoformat()}


def checked_ids(value: object, what: str) -> List[str]:
    """A list of ids (distinct, in order), or :class:`BadInput` saying what to send."""
    if not isinstance(value, list) or not value or len(value) > MAX_ITEMS:
        raise BadInput(f"Send {what} as a list of 1 to {MAX_ITEMS} ids.")
    ids: List[str] = []
    for item in value:
        if not isinstance(item, str) or not ID.match(item):
            raise BadInput(f"Each of {what} is an id (letters, digits, - and _).")
        if item not in ids:
            ids.append(item)
    return ids


def checked_text(value: object, what: str, most: int, required: bool = True) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else None
    if text is None or (required and not text) or len(text) > most or not text.isprintable():
        raise BadInput(f"Give the {what} as text of 1 to {most} characters.")
    return text


def parse_when(value: object, what: str) -> Optional[dt.datetime]:
    """An ISO date or time (UTC unless it says otherwise); ``None``/"" leaves it unset."""
    if value is None or value == "":
        return None
    try:
        when = dt.datetime.fromisoformat(str(value)[:40].replace("Z", "+00:00"))
        if when.tzinfo is None:
            return when.replace(tzinfo=dt.timezone.utc)
        return when.astimezone(dt.timezone.utc)  # past year 9999 or before year 1: refused
    except (ValueError, OverflowError):
        raise BadInput(
            f"{what} is not a date: give an ISO date or time (2031-01-05T18:00Z)."
        ) from None


def _data(reply: Mapping[str, Any]) -> Mapping[str, Any]:
    """A create's reply's data (the row as written: its place given by the server)."""
    data = reply.get("data")
    return data if isinstance(data, dict) else {}


#: what records a desk edit in the audit trail: (review session id, act, detail)
Record = Callable[[str, str, Dict[str, object]], None]
#: what records one act done several times at once in the trail: ``(session_id, act, details)``
RecordAll = Callable[[str, str, List[Dict[str, object]]], None]


def item_detail(item: Mapping[str, Any]) -> Dict[str, object]:
    """What the trail keeps of an item: its id, its version's and its label."""
    version = item.get("version") or {}
    return {"object_id": item["id"], "version_id": version.get("version_id"),
            "label": item.get("label")}  # fmt: skip


def moved_item(before: List[str], after: List[str]) -> Optional[str]:
    """The one item whose move turns ``before`` into ``after`` (the first such, nearest the top,
    when two neighbours swapped); ``None`` when no single move does."""
    for candidate in after:
        rest_same = [i for i in before if i != candidate] == [i for i in after if i != candidate]
        if rest_same and before.index(candidate) != after.index(candidate):
            return candidate
    return None


class DeskWrites:
    """Writes for one person, each request one batch."""

    def __init__(
        self, execute: Execute, user_id: str, record: Optional[Record] = None,
        record_all: Optional[RecordAll] = None,
    ) -> None:  # fmt: skip
        self._execute = execute
        self.user_id = user_id
        self.reads = DeskReads(execute, user_id)
        self._record = record or (lambda session_id, act, detail: None)
        self._record_all = record_all or self._each

    def _each(self, session_id: str, act: str, details: List[Dict[str, object]]) -> None:
        for detail in details:
            self._record(session_id, act, detail)

    def run(self, operations: List[JsonObject]) -> List[JsonObject]:
        return self._execute(operations, self.user_id) if operations else []

    # -- sessions -------------------------------------------------------------------------------
    def create_session(self, project_id: str, fields: Mapping[str, object]) -> str:
        session_id, operation = self.session_op(project_id, fields)
        self.run([operation])
        return session_id

    def session_op(self, project_id: str, fields: Mapping[str, object]) -> Tuple[str, JsonObject]:
        """The new session's id and the operation that creates it (checked, not run)."""
        name = checked_text(fields.get("name"), "session's name", MAX_NAME)
        description = checked_text(
            fields.get("description", ""), "description", MAX_DESCRIPTION, required=False
        )
        private = fields.get("private", False)
        if not isinstance(private, bool):
            raise BadInput("private is true (no room link: invitees only) or false.")
        if self.reads.project(project_id) is None:
            raise BadInput("No such project; pick one from the desk.", 404)
        session_id = str(uuid.uuid4())
        data = {
            "id": session_id,
            "name": name,
            "description": description,
            "project_id": project_id,
            "created_by_id": self.user_id,
            "shareable_url_enabled": not private,
        }
        return session_id, create_op("ReviewSession", data, [session_id])

    def rename(self, session_id: str, fields: Mapping[str, object]) -> None:
        data: Dict[str, object] = {"name": checked_text(fields.get("name"), "name", MAX_NAME)}
        if "description" in fields:
            data["description"] = checked_text(
                fields.get("description"), "description", MAX_DESCRIPTION, required=False
            )
        self.run([update_op("ReviewSession", [session_id], data)])

    def set_open(self, session_id: str, is_open: object) -> None:
        """Close now (``end_date`` a second ago) or reopen for :data:`REOPEN_DAYS` days, as
        ``ft-dcc review close`` / ``reopen`` do."""
        if not isinstance(is_open, bool):
            raise BadInput('Send {"open": true} to reopen or {"open": false} to close.')
        now = dt.datetime.now(dt.timezone.utc)
        end = now + dt.timedelta(days=REOPEN_DAYS) if is_open else now - dt.timedelta(seconds=1)
        self.run([update_op("ReviewSession", [session_id], {"end_date": date_value(end)})])

    def set_private(self, session_id: str, private: object) -> None:
        """Private (``shareable_url_enabled`` false: its room link and every room identity end
        at once; invitees' and its managers' own links still open it) or not."""
        if not isinstance(private, bool):
            raise BadInput('Send {"private": true} to end its room link or {"private": false}.')
        self.run([update_op("ReviewSession", [session_id], {"shareable_url_enabled": not private})])

    # -- versions -------------------------------------------------------------------------------
    def add(self, session_id: str, version_ids: object) -> Tuple[List[str], ViewRead]:
        """Each version not in the session yet, appended in the order given (the server puts a
        new item after the last one); the ids of the items made, and the session's view after
        (``write_views``: the view read before the write, with them)."""
        wanted = checked_ids(version_ids, "version_ids")
        found = self.reads.for_adding(session_id, wanted)
        if found is None:
            raise BadInput(NO_SESSION, 404)
        read, versions = found
        present = {str(i["version"].get("version_id")) for i in read[0]["items"]}
        missing = [v for v in wanted if v not in versions]
        if missing:
            raise BadInput(f"No version has the id {missing[0]}; search again and pick one.", 404)
        adding = [v for v in wanted if v not in present]
        making = [self._item_op(session_id, versions[v]) for v in adding]
        made, operations = [i for i, _ in making], [op for _, op in making]
        replies = self.run(operations)  # one batch: the items written together (store.writing)
        self._record_all(session_id, "version.added", [
            {"object_id": object_id, "version_id": version_id,
             "label": item_label(versions[version_id], {})}
            for object_id, version_id in zip(made, adding)])  # fmt: skip
        written = [(_data(reply), versions[v]) for reply, v in zip(replies, adding)]
        return made, after_adding(read, written)

    @staticmethod
    def _item_op(session_id: str, version: Mapping[str, Any]) -> Tuple[str, JsonObject]:
        """A new item's id and the operation that makes it, of ``version`` (labelled)."""
        number = version["number"]
        object_id = str(uuid.uuid4())
        data = {
            "id": object_id,
            "review_session_id": session_id,
            "version_id": version["version_id"],
            "name": version["asset"],
            "description": "",
            "version": f"v{int(number):03d}" if isinstance(number, int) else "",
        }
        return object_id, create_op("ReviewSessionObject", data, [object_id])

    def remove(self, session_id: str, object_ids: object) -> ViewRead:
        """Take the items ``object_ids`` out; the session's view after (``write_views``)."""
        wanted = set(checked_ids(object_ids, "object_ids"))
        read = self.reads.session_view_and_settings(session_id, people=False)
        if read is None:
            raise BadInput(NO_SESSION, 404)
        known = {str(i["id"]): i for i in read[0]["items"]}
        if not wanted <= set(known):
            raise BadInput("That item is not part of this session; reload the desk.", 404)
        gone = sorted(wanted)
        # one batch: the items are deleted together (store.removing), the trail in one go
        self.run([delete_op("ReviewSessionObject", [object_id]) for object_id in gone])
        self._record_all(session_id, "version.removed", [item_detail(known[i]) for i in gone])
        return after_removing(read, wanted)

    def order(self, session_id: str, object_ids: object) -> None:
        """``sort_order`` 0, 1, 2… in the order given (every item of the session, once), written
        only where it changes."""
        wanted = checked_ids(object_ids, "object_ids")
        items = self.reads.items(session_id)
        if sorted(wanted) != sorted(i["id"] for i in items):
            raise BadInput(
                "Send every item of the session once, in the new order; reload the "
                "desk (someone changed it).",
                409,
            )
        current = {i["id"]: i["sort_order"] for i in items}
        operations = [
            update_op("ReviewSessionObject", [object_id], {"sort_order": place})
            for place, object_id in enumerate(wanted)
            if current[object_id] != place
        ]
        self.run(operations)
        moved = moved_item([i["id"] for i in items], wanted)
        if operations and moved is not None:
            [item] = [i for i in items if i["id"] == moved]
            detail = dict(item_detail(item), place=wanted.index(moved), of=len(wanted))
            self._record(session_id, "version.moved", detail)
        elif operations:
            self._record(session_id, "version.moved", {"of": len(wanted), "order": wanted})

    # -- people ---------------------------------------------------------------------------------
    def invite(self, session_id: str, people: object) -> List[str]:
        """Invite ``[{"email", "name"?}]`` or ``[{"user_id"}]``; the invitees' ids."""
        if not isinstance(people, list) or not people or len(people) > MAX_INVITEES:
            raise BadInput(f"Send people as a list of 1 to {MAX_INVITEES}.")
        known = {i["email"].lower() for i in self.reads.invitees(session_id)}
        operations, made = [], []
        for name, email in (self._person(p) for p in people):
            if email.lower() in known:
                continue
            known.add(email.lower())
            invitee_id = str(uuid.uuid4())
            data = {
                "id": invitee_id,
                "name": name,
                "email": email,
                "review_session_id": session_id,
                "created_by_id": self.user_id,
            }
            operations.append(create_op("ReviewSessionInvitee", data, [invitee_id]))
            made.append(invitee_id)
        self.run(operations)
        return made

    def _person(self, given: object) -> tuple[str, str]:
        if isinstance(given, dict) and isinstance(given.get("user_id"), str):
            [users] = self.reads.ask(
                [
                    "select id, username, first_name, last_name, email from User "
                    f"where id is {quote(given['user_id'][:64])}"
                ]
            )
            if not users or not users[0].get("email"):
                raise BadInput("That user has no e-mail address; invite them by e-mail.", 404)
            user = users[0]
            name = " ".join(str(p) for p in (user.get("first_name"), user.get("last_name")) if p)
            return name or str(user.get("username")), str(user["email"])
        email = checked_text(
            given.get("email") if isinstance(given, dict) else given, "e-mail", 254
        )
        if not EMAIL.match(email):
            raise BadInput(f"{email!r} is not an e-mail address: give name@example.com.")
        named = given.get("name") if isinstance(given, dict) else None
        return (checked_text(named, "name", 100) if named else email.split("@", 1)[0]), email

    # -- client rules ---------------------------------------------------------------------------
    def set_rules(self, session_id: str, fields: Mapping[str, Any]) -> None:
        """Passphrase (set, or ``passphrase_enabled`` false to turn it off), the window
        (``opens``, ``closes``), ``downloads`` and ``watermark``; checked before anything is
        written, then one batch."""
        data: Dict[str, object] = {}
        passphrase = fields.get("passphrase")
        if passphrase not in (None, ""):
            if not isinstance(passphrase, str) or not (
                len(passphrase.strip()) >= MIN_PASSPHRASE and len(passphrase) <= MAX_PASSPHRASE
            ):
                raise BadInput(
                    f"A passphrase has {MIN_PASSPHRASE} to {MAX_PASSPHRASE} "
                    "characters; a few words are easy to say and hard to guess."
                )
            data.update(passphrase=passphrase, passphrase_enabled=True)
        elif fields.get("passphrase_enabled") is False:
            data["passphrase_enabled"] = False
        data.update(self._window(fields))
        settings = self._settings(fields)
        operations = [update_op("ReviewSession", [session_id], data)] if data else []
        operations += self.setting_ops(session_id, settings)
        if not operations:
            raise BadInput(
                "Nothing to change: set a passphrase, a window, downloads or the watermark."
            )
        self.run(operations)

    @staticmethod
    def _window(fields: Mapping[str, Any]) -> Dict[str, object]:
        opens = parse_when(fields.get("opens"), "opens")
        closes = parse_when(fields.get("closes"), "closes")
        if closes is not None and closes <= dt.datetime.now(dt.timezone.utc):
            raise BadInput("The closing date has passed: give a later one (or close the session).")
        if opens is not None and closes is not None and closes <= opens:
            raise BadInput("The window must close after it opens.")
        found: Dict[str, object] = {}
        if opens is not None:
            found["start_date"] = date_value(opens)
        if closes is not None:
            found["end_date"] = date_value(closes)
        return found

    @staticmethod
    def _settings(fields: Mapping[str, Any]) -> Dict[str, str]:
        found: Dict[str, str] = {}
        downloads = fields.get("downloads")
        if downloads is not None:
            if downloads not in rules.DOWNLOADS:
                raise BadInput(f"downloads is one of {', '.join(rules.DOWNLOADS)}.")
            found[rules.DOWNLOAD_POLICY] = str(downloads)
        watermark = fields.get("watermark")
        if watermark is not None:
            if not isinstance(watermark, bool):
                raise BadInput("watermark is true or false.")
            found[rules.WATERMARK] = "true" if watermark else "false"
        return found

    def setting_ops(self, session_id: str, settings: Mapping[str, str]) -> List[JsonObject]:
        """Create or change the session's ``review`` settings (ftrack's ``EntitySetting``)."""
        if not settings:
            return []
        [rows] = self.reads.ask(
            [
                "select parent_id, group, name, value from EntitySetting "
                f"where parent_id is {quote(session_id)} and group is {quote(rules.GROUP)}"
            ]
        )
        existing = {r["name"] for r in rows}
        operations = []
        for name, value in settings.items():
            key = [session_id, rules.GROUP, name]
            if name in existing:
                operations.append(update_op("EntitySetting", key, {"value": value}))
            else:
                data = {
                    "parent_id": session_id,
                    "parent_type": "ReviewSession",
                    "group": rules.GROUP,
                    "name": name,
                    "value": value,
                }
                operations.append(create_op("EntitySetting", data, key))
        return operations

    def revoke(self, session_id: str, invitee_id: Optional[object]) -> str:
        """End the session's client links issued before now (only ``invitee_id``'s when
        given): the server's clock, which its links carry."""
        name = rules.LINKS_REVOKED_AT
        if invitee_id is not None:
            if not isinstance(invitee_id, str) or invitee_id not in {
                i["id"] for i in self.reads.invitees(session_id)
            }:
                raise BadInput("That person is not invited to this session; reload the desk.", 404)
            name = rules.INVITEE_LINKS_REVOKED_AT + invitee_id
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
        self.run(self.setting_ops(session_id, {name: now}))
        return now
