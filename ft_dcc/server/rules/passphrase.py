"""A ReviewSession's ``passphrase``: stored hashed, never read back.

ftrack's ``ReviewSession.passphrase`` (with ``passphrase_enabled``) guards the session's client
links (:mod:`ft_dcc.server.review.access.client_gate`). Whatever a client writes there is replaced,
in the same batch, by a salted scrypt hash (:func:`hash_passphrase`) kept in the same column, with a
random **generation** that changes whenever ``passphrase_enabled`` changes (turning it off and on
again ends every grant given before, as a new passphrase does).

The hash is slow on purpose (~50 ms idle, ~0.6 s on a loaded machine), so ``/api`` makes it
before the batch takes the server's write lock (:func:`prehash_passphrases`, once the caller is
known): the batch then finds the passphrase sent as a :class:`Prehashed` text carrying its hash,
and no other writer waits for the KDF. A passphrase written any other way is hashed in the batch.

What ``passphrase`` reads as, through every query, echo and event: ``"********"`` when a
passphrase is set, ``None`` when none is (it says whether one is set, and nothing of it;
:mod:`ft_dcc.server.model.secret_fields`). Filters, order and groups on ``passphrase`` see the
same value, so no query is an oracle on the hash. Writing that mark back (a client that reads a
session and commits it whole) keeps the stored passphrase; writing ``None`` or ``""`` removes it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Optional

import sqlalchemy as sa

from ft_dcc.protocol.json_value import JsonValue
from ft_dcc.server.common.errors import ApiOperationError
from ft_dcc.server.model.secret_fields import ENTITY, FIELD, MASK
from ft_dcc.server.query.values import StoredRow
from ft_dcc.server.rules.registry import FTRACK_ORDER, BatchView, Rule, WriteStep

ENABLED = "passphrase_enabled"
SCHEME = "scrypt"
#: scrypt's cost (16 MB of memory, ~50 ms a check): slow for a guesser, fine once per viewer
COST_N, COST_R, COST_P = 2**14, 8, 1
#: the longest passphrase taken (characters)
MOST_CHARACTERS = 1024


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2**26,
                          dklen=32)  # fmt: skip


def hash_passphrase(passphrase: str) -> str:
    """``scrypt$N$r$p$<salt>$<hash>$<generation>`` of ``passphrase`` (a new salt each time)."""
    salt = secrets.token_bytes(16)
    digest = _derive(passphrase, salt, COST_N, COST_R, COST_P)
    return "$".join((SCHEME, str(COST_N), str(COST_R), str(COST_P), _b64(salt), _b64(digest),
                     new_generation()))  # fmt: skip


def new_generation() -> str:
    return secrets.token_hex(4)


def with_new_generation(stored: str) -> str:
    """``stored`` with another generation (the same passphrase; earlier grants end)."""
    parts = stored.split("$")
    return "$".join([*parts[:6], new_generation()]) if len(parts) == 7 else stored


def verify(passphrase: str, stored: Optional[str]) -> bool:
    """Whether ``passphrase`` is the one hashed in ``stored`` (constant-time compare)."""
    parts = (stored or "").split("$")
    if len(parts) != 7 or parts[0] != SCHEME or len(passphrase) > MOST_CHARACTERS:
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.urlsafe_b64decode(parts[4] + "=" * (-len(parts[4]) % 4))
        expected = base64.urlsafe_b64decode(parts[5] + "=" * (-len(parts[5]) % 4))
        found = _derive(passphrase, salt, n, r, p)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(found, expected)


class Prehashed(str):
    """A passphrase as sent (the text itself), with its hash made before the batch: only the
    server makes one (a client's JSON is plain text), so the hash is always the server's."""

    stored: str

    def __new__(cls, text: str) -> Prehashed:
        made = super().__new__(cls, text)
        made.stored = hash_passphrase(text)
        return made


def _prehashed(operation: JsonValue) -> JsonValue:
    """``operation`` with the passphrase it writes (a ReviewSession's create or update) hashed."""
    if not isinstance(operation, dict) or operation.get("entity_type") != ENTITY:
        return operation
    data = operation.get("entity_data")
    if operation.get("action") not in ("create", "update") or not isinstance(data, dict):
        return operation
    sent = data.get(FIELD)
    if not isinstance(sent, str) or sent in ("", MASK) or len(sent) > MOST_CHARACTERS:
        return operation  # nothing to hash, or refused in the batch
    return dict(operation, entity_data=dict(data, **{FIELD: Prehashed(sent)}))


def prehash_passphrases(batch: JsonValue) -> JsonValue:
    """An ``/api`` batch with each passphrase it writes hashed now, outside the write lock (run
    off the event loop, after the caller is known: nobody anonymous makes the server hash)."""
    if not isinstance(batch, list):
        return batch
    return [_prehashed(operation) for operation in batch]


def mark(stored: Optional[str]) -> str:
    """A short mark of the stored hash and its generation: a grant made under it ends when it
    changes (``""``: none set)."""
    if not stored:
        return ""
    return hashlib.sha256(stored.encode("utf-8")).hexdigest()[:24]


class PassphraseRule(Rule):
    """Replaces a written ``ReviewSession.passphrase`` by its hash before the batch commits."""

    name = "review session passphrase"
    order = FTRACK_ORDER

    def check_written(self, batch: BatchView, step: WriteStep, row: StoredRow) -> None:
        if step.etype.name != ENTITY or not ({FIELD, ENABLED} & set(step.data)):
            return
        before = (step.before or {}).get(FIELD) if step.action == "update" else None
        stored = row.get(FIELD)
        if FIELD in step.data:
            stored = _new_stored(step.data.get(FIELD), before)
        elif isinstance(stored, str) and stored:
            stored = _toggled(step, stored)
        if stored != row.get(FIELD):
            table = batch.table(step.etype)
            batch.connection.execute(
                sa.update(table).where(table.c.id == row["id"]).values({FIELD: stored})
            )


def _new_stored(sent: object, before: object) -> Optional[str]:
    """What the column holds after a client sent ``sent`` (``before``: what it held)."""
    if sent == MASK:
        return before if isinstance(before, str) and before else None
    if sent is None or sent == "":
        return None
    if isinstance(sent, Prehashed):
        return sent.stored
    text = str(sent)
    if len(text) > MOST_CHARACTERS:
        raise ApiOperationError(
            f"A review passphrase has at most {MOST_CHARACTERS} characters; choose a shorter one.",
            "ValidationError",
        )
    return hash_passphrase(text)


def _toggled(step: WriteStep, stored: str) -> str:
    """A change of ``passphrase_enabled`` gives the stored hash a new generation."""
    was = (step.before or {}).get(ENABLED) if step.before else None
    now = step.data.get(ENABLED)
    return with_new_generation(stored) if bool(was) != bool(now) else stored
