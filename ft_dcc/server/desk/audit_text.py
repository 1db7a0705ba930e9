"""The audit trail as the desk shows it: one sentence per act, by name ("Cleo Client opened the
link", "Sam Super moved sh020 / comp v003 to first"), at the studio's local time (the server's
time zone, to the second), filtered by person or act, and as CSV.

The names come from the database as it is now (one batch: the users and invitees the entries
name, the items and versions they point at); an entry whose person or item is gone reads
"someone" / "a version". The raw trail (hash chain, ids, detail) stays what
``ft-dcc review audit`` and the ``ft_dcc.audit`` action read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence

from ft_dcc.protocol.query_text import quote
from ft_dcc.protocol.review_status import verdict_word
from ft_dcc.server.audit import Entry
from ft_dcc.server.desk.export import safe_cell
from ft_dcc.server.desk.reads import DeskReads, item_label, version_row

#: each act as the filter lists it
ACT_NAMES: Dict[str, str] = {
    "link.opened": "Opened the link",
    "passphrase.passed": "Answered the passphrase",
    "passphrase.failed": "Wrong passphrase",
    "media.played": "Watched",
    "media.downloaded": "Downloaded",
    "note.created": "Wrote a note",
    "drawing.created": "Drew",
    "verdict.given": "Gave a verdict",
    "presenter.taken": "Presented",
    "session.changed": "Changed the session",
    "link.revoked": "Revoked a link",
    "access.refused": "Was refused",
    "audit.counted": "Repeated acts",
    "version.added": "Added a version",
    "version.removed": "Removed a version",
    "version.moved": "Moved a version",
}
CSV_COLUMNS = ("time", "person", "act", "what happened")
SETTING_WORDS = {"download_policy": "downloads", "watermark": "the watermark"}


def _when(stored: str) -> dt.datetime:
    """A stored ISO time (UTC unless it says otherwise); unreadable: the earliest."""
    try:
        when = dt.datetime.fromisoformat(stored.strip()[:40].replace("Z", "+00:00"))
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def local_time(stored: str) -> str:
    """An entry's ISO UTC time as the studio reads it: the server's local time, to the second,
    with its zone ("2026-11-26 16:04:12 CET")."""
    local = _when(stored).astimezone()
    return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname() or ''}".strip()


def ordinal(place: int, of: int) -> str:
    """Where a moved version went: "first", "last", "3rd"."""
    if place == 0:
        return "first"
    if of and place == of - 1:
        return "last"
    number = place + 1
    ends = {1: "st", 2: "nd", 3: "rd"}
    suffix = "th" if 10 <= number % 100 <= 20 else ends.get(number % 10, "th")
    return f"{number}{suffix}"


class Names:
    """The people and items a session's entries name, read in one batch."""

    def __init__(self, reads: DeskReads, session_id: str, entries: Sequence[Entry]) -> None:
        users = {e["who"][5:] for e in entries if e["who"].startswith("user:")}
        quoted = quote(session_id)
        user_query = (
            "select id, username, first_name, last_name from User where id in ("
            + ", ".join(quote(u) for u in sorted(users)) + ")"
        ) if users else None  # fmt: skip
        found = reads.ask(
            [
                user_query,
                "select id, name, email from ReviewSessionInvitee "
                f"where review_session_id is {quoted}",
                "select id, asset_version.id, asset_version.version, asset_version.asset.name, "
                "asset_version.asset.parent.name, asset_version.asset.parent.context_type "
                f"from ReviewSessionObject where review_session_id is {quoted}",
            ]
        )
        [user_rows, invitee_rows, object_rows] = found
        self.people: Dict[str, str] = {}
        for row in user_rows:
            name = " ".join(str(p) for p in (row.get("first_name"), row.get("last_name")) if p)
            self.people["user:" + str(row["id"])] = name or str(row.get("username") or "")
        for row in invitee_rows:
            self.people["invitee:" + str(row["id"])] = str(row.get("name") or row.get("email"))
        self.invitees = {str(r["id"]): str(r.get("name") or r.get("email")) for r in invitee_rows}
        self.items: Dict[str, str] = {}
        for row in object_rows:
            version = row.get("asset_version")
            if isinstance(version, Mapping) and version.get("id"):
                self.items[str(row["id"])] = item_label(version_row(version), row)

    def who(self, who: str) -> str:
        if who == "room":
            return "A room guest"
        if who == "server":
            return "The server"
        return self.people.get(who) or "Someone"

    def item(self, detail: Mapping[str, Any]) -> str:
        label = detail.get("label")
        if isinstance(label, str) and label:
            return label
        return self.items.get(str(detail.get("object_id") or "")) or "a version"


def _at_frame(detail: Mapping[str, Any]) -> str:
    frame = detail.get("frame")
    return f" at frame {frame}" if isinstance(frame, (int, float)) else ""


def _session_sentence(detail: Mapping[str, Any], names: Names, time: str) -> str:
    if detail.get("removed") is True and "setting" not in detail:
        return "deleted the session"
    if "invitee_added" in detail:
        return f"invited {names.invitees.get(str(detail['invitee_added']), 'someone')}"
    if "setting" in detail:
        name, value = str(detail["setting"]), detail.get("value")
        if name == "watermark":
            return "turned the watermark " + ("on" if value == "true" else "off")
        return f"set {SETTING_WORDS.get(name, name)} to {value}"
    if detail.get("created"):
        private = (detail.get("values") or {}).get("shareable_url_enabled") is False
        return "created the session" + (" as private" if private else "")
    values = detail.get("values") or {}
    parts: List[str] = []
    keys = detail.get("keys") or []
    if "shareable_url_enabled" in values:
        private = values["shareable_url_enabled"] is False
        parts.append("made the session private" if private
                     else "made the session not private (its room link opens it)")  # fmt: skip
    if "end_date" in values:
        end = str(values["end_date"] or "")
        if end and _when(end) <= _when(time):
            parts.append("closed the session")
        else:
            parts.append(f"set the session to close on {local_time(end)}" if end
                         else "left the session open with no end")  # fmt: skip
    if values.get("start_date"):
        parts.append(f"set the session to open on {local_time(str(values['start_date']))}")
    if "passphrase" in keys:
        parts.append("set a new passphrase")
    elif values.get("passphrase_enabled") is False:
        parts.append("turned the passphrase off")
    return " and ".join(parts) or "changed the session (" + ", ".join(map(str, keys)) + ")"


def _revoked(detail: Mapping[str, Any], names: Names) -> str:
    invitee = detail.get("invitee_id")
    if invitee is None:
        return "revoked every client link"
    named = names.invitees.get(str(invitee), "an invitee")
    return f"removed {named}" if detail.get("removed") else f"revoked {named}'s link"


def _counted(detail: Mapping[str, Any]) -> str:
    counted = detail.get("counted")
    if not isinstance(counted, Mapping):
        return "repeated some acts"
    acts = [f"{ACT_NAMES.get(str(k), str(k)).lower()} {v} times" for k, v in counted.items()]
    return "repeated: " + ", ".join(acts)


def _moved(detail: Mapping[str, Any], item: str) -> str:
    place, of = detail.get("place"), detail.get("of")
    if not isinstance(place, int):
        return "reordered the versions"
    return f"moved {item} to {ordinal(place, of if isinstance(of, int) else 0)}"


#: act -> what follows the person's name (detail, names, the entry's item, the entry's time)
_SAYS: Dict[str, Callable[[Mapping[str, Any], Names, str, str], str]] = {
    "link.opened": lambda d, n, i, t: "opened the link",
    "passphrase.passed": lambda d, n, i, t: "answered the passphrase",
    "passphrase.failed": lambda d, n, i, t: "gave a wrong passphrase",
    "media.played": lambda d, n, i, t: "watched a movie",
    "media.downloaded": lambda d, n, i, t: "downloaded a file",
    "note.created": lambda d, n, i, t: (
        f"wrote a note on {i}{_at_frame(d)}" + (" (a reply)" if d.get("in_reply_to_id") else "")
    ),
    "drawing.created": lambda d, n, i, t: f"drew on {i}{_at_frame(d)}",
    "verdict.given": lambda d, n, i, t: (
        f"gave {i} the verdict {verdict_word(str(d.get('status') or ''))}"
    ),
    "presenter.taken": lambda d, n, i, t: "took the presenter's lead",
    "link.revoked": lambda d, n, i, t: _revoked(d, n),
    "access.refused": lambda d, n, i, t: "was refused",
    "audit.counted": lambda d, n, i, t: _counted(d),
    "version.added": lambda d, n, i, t: f"added {i}",
    "version.removed": lambda d, n, i, t: f"removed {i}",
    "version.moved": lambda d, n, i, t: _moved(d, i),
    "session.changed": lambda d, n, i, t: _session_sentence(d, n, t),
}


def sentence(entry: Entry, names: Names) -> str:
    """One entry as a sentence: who did what."""
    detail = entry["detail"] or {}
    says = _SAYS.get(entry["act"])
    what = says(detail, names, names.item(detail), entry["time"]) if says else entry["act"]
    return f"{names.who(entry['who'])} {what}"


def readable(reads: DeskReads, session_id: str, entries: Iterable[Entry],
             who: Optional[str] = None, act: Optional[str] = None) -> Dict[str, Any]:  # fmt: skip
    """The session's entries as the desk shows them (``who``: only that person's; ``act``:
    only that act), and the people and acts to filter by."""
    every = list(entries)
    names = Names(reads, session_id, every)
    people = sorted({e["who"] for e in every}, key=lambda w: names.who(w).lower())
    acts = {e["act"] for e in every}
    rows = [
        {
            "seq": e["seq"],
            "time": local_time(e["time"]),
            "who": e["who"],
            "person": names.who(e["who"]),
            "act": e["act"],
            "sentence": sentence(e, names),
        }
        for e in every
        if (not who or e["who"] == who) and (not act or e["act"] == act)
    ]
    return {
        "entries": rows,
        "people": [{"who": w, "name": names.who(w)} for w in people],
        "acts": [{"act": a, "name": n} for a, n in ACT_NAMES.items() if a in acts],
    }


def audit_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows (:func:`readable`) as CSV: time, person, act, what happened."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = [row["time"], row["person"], ACT_NAMES.get(row["act"], row["act"]),
                 row["sentence"]]  # fmt: skip
        writer.writerow([safe_cell(c) for c in cells])
    return out.getvalue()
