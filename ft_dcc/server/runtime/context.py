"""What every request handler of one server process uses: the store, files, keys and settings.

:class:`ApiContext` runs data operations (writes one at a time, under the writer lock) and
hands what a committed write changed to the event hub.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence

import sqlalchemy as sa

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.audit import audit_table, record_changes
from ft_dcc.server.files.encode import MediaEncoder
from ft_dcc.server.files.filestore import FileStore
from ft_dcc.server.files.retire import mark_committed, remove_deleted_files
from ft_dcc.server.grants.bus import LocalBus, RevocationBus
from ft_dcc.server.grants.changes import revoke_changed
from ft_dcc.server.http.auth import KeyRing
from ft_dcc.server.mail.mailer import Mailer
from ft_dcc.server.model.side_tables import side_table
from ft_dcc.server.model.writers import WriteTurns, turns_of
from ft_dcc.server.rules import permissions
from ft_dcc.server.rules.registry import Change
from ft_dcc.server.runtime.config import ServerConfig
from ft_dcc.server.store.chunks import chunkable, run_in_chunks
from ft_dcc.server.store.store import WRITE_ACTIONS, Store

log = logging.getLogger(__name__)

INVITATION_TABLE = "ft_dcc_invitation"


@dataclass
class ApiContext:
    """What the handlers need: the store, files, keys, settings and the writer lock."""

    config: ServerConfig
    store: Store
    files: FileStore
    keys: KeyRing
    encoder: Optional[MediaEncoder] = None
    #: the server's outgoing mail (``EmbeddedServer.mail``; ``None``: none in this context)
    mail: Optional[Mailer] = None
    #: Called with (changes, user_id) after a write batch commits (publishes ``ftrack.update``).
    on_changes: Optional[Callable[[Sequence[Change], str], None]] = None
    #: Called with (changes, user_id) after a write batch commits, before its update events:
    #: records who should hear of it (``ft_dcc.server.notify``; cheap, never waits for mail).
    on_committed: Optional[Callable[[Sequence[Change], str], None]] = None
    write_lock: threading.RLock = field(default_factory=threading.RLock)
    #: writers take turns in order of arrival, this process's every write transaction of the
    #: store's database (``model.writers``); a big import is written in chunks (store.chunks)
    write_turns: WriteTurns = field(default_factory=WriteTurns)
    invitations: Optional[sa.Table] = None
    #: This process's revocation bus (``grants.bus``): told of every committed write that
    #: takes a grant's ground away, before the write's update event goes out.
    revocations: RevocationBus = field(default_factory=LocalBus)

    def __post_init__(self) -> None:
        self.write_turns = turns_of(self.store.engine)  # every writer of the process queues there
        self.invitations = side_table(
            self.store.engine,
            self.store.metadata,
            INVITATION_TABLE,
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("kind", sa.String(40), nullable=False),
            sa.Column("target_id", sa.String(64), nullable=False),
            sa.Column("sent_by_id", sa.String(64), nullable=False),
            sa.Column("sent_at", sa.DateTime, nullable=False),
        )
        audit_table(self.store)  # created at start-up, before any worker serves

    # -- store access --------------------------------------------------------------------------
    def execute(
        self, operations: List[JsonObject], user_id: str, asker: object = None
    ) -> List[JsonObject]:
        """Run data operations in one transaction (an action registered with the store answered
        in its place, given ``asker``: see ``Store.run``); emit update events after a write
        commits."""
        writes = any(op.get("action") in WRITE_ACTIONS for op in operations)
        if not writes:
            return list(self.store.execute(operations, user_id, asker))
        if chunkable(self.store.model, operations):  # a big import: in chunks, each its turn
            result = run_in_chunks(self.store, self.write_turns, self.write_lock, operations,
                                   user_id)  # fmt: skip
        else:
            with self.write_turns.turn(), self.write_lock:
                result = self.store.run(operations, user_id, asker)
        permissions.forget_deleted_users(self.keys, result.changes)
        revoke_changed(self.revocations, result.changes)
        record_changes(self.store, result.changes, user_id)
        if self.on_committed is not None and result.changes:
            self.on_committed(result.changes, user_id)
        self._emit(result.changes, user_id)
        self._retire_files(result.changes)
        return list(result.replies)

    def _retire_files(self, changes: Sequence[Change]) -> None:
        """Mark the files of committed components; remove those of deleted ones."""
        try:
            mark_committed(self.files, changes)
            remove_deleted_files(self.store, self.files, changes)
        except Exception:  # the batch is committed: a file left behind is not worth failing it
            log.exception("could not remove the files of deleted components")

    def _emit(self, changes: Sequence[Change], user_id: str) -> None:
        if self.on_changes is None or not changes:
            return
        try:
            self.on_changes(changes, user_id)
        except Exception:
            log.exception("could not publish update events for a committed batch")
