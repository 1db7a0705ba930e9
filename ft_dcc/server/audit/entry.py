"""One audit entry: what it holds, what may never be in it, and the hash that chains it.

An entry's hash is the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of every
field but the hash itself, ``prev_hash`` included: changing any stored field, or the entry
before it, shows as a broken chain (:mod:`ft_dcc.server.audit.chain`).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Dict, List, Mapping, Optional, TypedDict

#: The acts the trail records (names shared with every caller).
ACTS = frozenset(
    {
        "link.opened", "passphrase.failed", "passphrase.passed", "media.played",
        "media.downloaded", "note.created", "drawing.created", "verdict.given",
        "presenter.taken", "link.revoked", "session.changed", "access.refused",
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
#: ``name=value`` in a URL or text whose name says it is secret (``?token=…``, ``&key=…``).
_SECRET_PARAM = re.compile(
    r"(?i)((?:[a-z_]*(?:" + "|".join((*SECRET_WORDS, "key")) + r")[a-z_]*)=)[^&#\s\"']*"
)
MAX_TEXT = 2000
MAX_DEPTH = 4


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


def scrub_text(text: str) -> str:
    """``text`` with every secret URL parameter's value removed, cut at :data:`MAX_TEXT`."""
    return _SECRET_PARAM.sub(r"\1" + REMOVED, text)[:MAX_TEXT]


def scrub(value: object, depth: int = 0) -> object:
    """A JSON value with nothing secret in it: secret-named keys lose their value, texts lose
    secret URL parameters; anything not JSON becomes its text."""
    if depth > MAX_DEPTH:
        return REMOVED
    if isinstance(value, Mapping):
        return {
            str(k)[:200]: REMOVED if is_secret_name(str(k)) else scrub(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [scrub(item, depth + 1) for item in list(value)[:200]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return scrub_text(str(value))


def clean_detail(detail: Optional[Mapping[str, object]]) -> Dict[str, object]:
    cleaned = scrub(dict(detail or {}))
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
