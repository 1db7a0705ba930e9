"""One audit entry: what it holds, what may never be in it, and the hash that chains it.

An entry's hash is the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of every
field but the hash itself, ``prev_hash`` included: changing any stored field, or the entry
before it, shows as a broken chain (:mod:`ft_dcc.server.audit.chain`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from typing import Dict, List, Mapping, Optional, TypedDict

#: The acts the trail records (names shared with every caller).
ACTS = frozenset(
    {
        "link.opened", "passphrase.failed", "passphrase.passed", "media.played",
        "media.downloaded", "note.created", "drawing.created", "verdict.given",
        "presenter.taken", "link.revoked", "session.changed", "access.refused",
        "audit.counted", "version.added", "version.removed", "version.moved",
        "note.reopened", "note.shared",
    }
)  # fmt: skip
#: ``prev_hash`` of a session's first entry.
GENESIS = "0" * 64
#: A detail key containing one of these words is never stored (its value reads as REMOVED),
#: nor is a URL parameter's value (``?token=…``; there also any name with ``key`` in it).
SECRET_WORDS = (
    "token",
    "passphrase",
    "password",
    "secret",
    "cookie",
    "authorization",
    "signature",
    "api_key",
    "apikey",
)
REMOVED = "[removed]"
_WHO = re.compile(r"^(user:[^\s]{1,255}|invitee:[^\s]{1,255}|room|server)$")
#: ``name=value`` in a URL or text (``?token=…``, ``&key=…``); the name is a whole run of
#: letters and ``_`` (the look-behind starts a match only where such a run starts, so each
#: character is looked at a bounded number of times: linear in the text), and
#: :func:`_secret_param` keeps the value when the name says nothing secret.
_PARAM = re.compile(r"(?<![A-Za-z_])([A-Za-z_]+=)[^&#\s\"']*")
#: the longest text kept of any one value (cut before it is scanned)
MAX_TEXT = 2000
#: the longest address kept as an entry's source
MAX_SOURCE = 200
MAX_DEPTH = 4
#: the most items kept of one list or mapping, and characters of text in one entry's detail
MAX_ITEMS = 200
MAX_DETAIL_TEXT = 20_000


class Entry(TypedDict):
    """An entry as stored and read back (``time``: ISO-8601 UTC)."""

    seq: int
    time: str
    act: str
    who: str
    review_session_id: Optional[str]
    source: str
    detail: Dict[str, object]
    prev_hash: str
    hash: str


def is_secret_name(name: str) -> bool:
    """Whether a detail key names a secret: one of :data:`SECRET_WORDS` in it, or a key
    (``key``, ``…_key``, ``key_…``; not ``keys``)."""
    lowered = name.lower()
    if any(word in lowered for word in SECRET_WORDS):
        return True
    return lowered == "key" or lowered.endswith(("_key", "-key")) or lowered.startswith("key_")


def _secret_param(match: re.Match[str]) -> str:
    name = match.group(1)[:-1].lower()
    if name == "key" or any(word in name for word in (*SECRET_WORDS, "key")):
        return match.group(1) + REMOVED
    return match.group(0)


def scrub_text(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut at ``limit`` (first: nothing past it is ever scanned), with every secret URL
    parameter's value removed."""
    return _PARAM.sub(_secret_param, text[:limit])[:limit]


def scrub_source(source: object) -> str:
    """An entry's source address: cut at :data:`MAX_SOURCE`, then scrubbed."""
    return scrub_text(str(source or "unknown")[:MAX_SOURCE], MAX_SOURCE)


def _text_of(value: object) -> str:
    """``value`` as text, never more than :data:`MAX_TEXT` characters made (a long ``str`` is
    sliced, anything else is turned into text only when it is small)."""
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value[:MAX_TEXT]).decode("utf-8", "replace")
    return str(value)[:MAX_TEXT]


class _Budget:
    """The characters of text one detail may still keep (:data:`MAX_DETAIL_TEXT`)."""

    def __init__(self, left: int = MAX_DETAIL_TEXT) -> None:
        self.left = left

    def take(self, text: str) -> str:
        kept = text[: max(0, self.left)]
        self.left -= len(kept)
        return kept


def scrub(value: object, depth: int = 0, budget: Optional[_Budget] = None) -> object:
    """A JSON value with nothing secret in it: secret-named keys lose their value, texts lose
    secret URL parameters; anything not JSON becomes its text. Bounded before any work: at most
    :data:`MAX_ITEMS` items of a list or mapping, :data:`MAX_DEPTH` levels, :data:`MAX_TEXT`
    characters of one text and :data:`MAX_DETAIL_TEXT` in all."""
    budget = budget if budget is not None else _Budget()
    if depth > MAX_DEPTH or budget.left <= 0:
        return REMOVED
    if isinstance(value, Mapping):
        kept = {}
        for k, v in itertools.islice(value.items(), MAX_ITEMS):
            name = budget.take(_text_of(k)[:200])
            kept[name] = REMOVED if is_secret_name(name) else scrub(v, depth + 1, budget)
        return kept
    if isinstance(value, (list, tuple)):
        return [scrub(item, depth + 1, budget) for item in value[:MAX_ITEMS]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return budget.take(scrub_text(_text_of(value)))


def clean_detail(detail: Optional[Mapping[str, object]]) -> Dict[str, object]:
    cleaned = scrub(detail or {})
    assert isinstance(cleaned, dict)
    return cleaned


def check_act(act: str, who: str) -> None:
    """Refuse an act or a ``who`` the trail does not know (a programming error)."""
    if act not in ACTS:
        raise ValueError(f"unknown audit act {act!r}; use one of {sorted(ACTS)}")
    if not _WHO.match(who):
        raise ValueError(f"audit 'who' {who!r} must be user:<id>, invitee:<id>, room or server")


def canonical(fields: Mapping[str, object]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(fields: Mapping[str, object]) -> str:
    """The hash of an entry: over every field but ``hash``."""
    return hashlib.sha256(canonical({k: v for k, v in fields.items() if k != "hash"})).hexdigest()


def detail_text(detail: Mapping[str, object]) -> str:
    return canonical(detail).decode()


def detail_of(text: Optional[str]) -> Dict[str, object]:
    """The stored detail JSON; a row edited into something not JSON reads as its text."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {"unreadable": str(text)[:MAX_TEXT]}
    return value if isinstance(value, dict) else {"unreadable": value}


FIELDS: List[str] = list(Entry.__annotations__)
