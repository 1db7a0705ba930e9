"""The embedded server's data layer: run ftrack ``query``/``create``/``update``/``delete`` batches.

``Store.run`` runs one ``/api`` batch of data operations in ONE database transaction and returns
a :class:`BatchResult`: one reply dict per operation and what the batch changed (for
``ftrack.update`` events); or it raises :class:`ApiOperationError` (naming the failing operation)
having written nothing. ``Store.execute`` is ``run`` for callers that want only the replies.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Optional, Sequence

from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ft_dcc.exceptions import DatabaseSetupError
from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.server.common.errors import ApiOperationError, duplicate_error
from ft_dcc.server.model import statistics
from ft_dcc.server.model.builtin_data import ensure_builtin_data
from ft_dcc.server.model.database import (
    check_reachable,
    describe,
    is_unreachable,
    setup_error,
)
from ft_dcc.server.model.side_tables import creator_table, tombstone_table
from ft_dcc.server.model.storage import make_engine, write_transaction
from ft_dcc.server.model.writers import write_turn
from ft_dcc.server.query.compiler import Compiler
from ft_dcc.server.rules import default_rules
from ft_dcc.server.rules.permissions import ensure_role
from ft_dcc.server.rules.registry import Change, Operation
from ft_dcc.server.store.batch import Answer, Batch
from ft_dcc.server.store.reads import hear
from ft_dcc.server.store.shared_tables import schema_tables
from ft_dcc.server.store.statements import Statements
from ft_dcc.server.store.upgrade import upgrade

log = logging.getLogger(__name__)

DATA_ACTIONS = ("query", "create", "update", "delete")
WRITE_ACTIONS = ("create", "update", "delete")

#: ``execute(operations, user_id)``: run data operations (JSON objects) as a user (``""``: the
#: server itself) in a batch of their own, one reply each (``ApiContext.execute``)
Execute = Callable[[List[JsonObject], str], List[JsonObject]]
#: ``execute(operations, user_id)`` on a batch's open transaction (it sees the batch's writes),
#: one reply each
InTransaction = Callable[[Sequence[object], str], List[JsonObject]]
#: a non-data action answered inside a batch's transaction in batch order (``get_widget_url``
#: after a data operation sees the writes before it): ``action(reads, operation, user_id,
#: asker)`` its reply. ``reads`` runs data operations on the open transaction, ``asker`` is what
#: the sender passed to :meth:`Store.run` for it (who asks, how they reached the server);
#: raising ``ApiOperationError`` rolls the batch back. Registered on the store
#: (:meth:`Store.answer_in_batch`) as rules are, never handed over with a batch.
InBatchAction = Callable[[InTransaction, Operation, str, object], JsonObject]


@dataclass(frozen=True)
class BatchResult:
    """What one committed batch answered and changed.

    Each change: ``{"action": "add"|"update"|"remove", "entity_type", "entity_id",
    "entity_key": [...], "keys": [changed attribute names], "parents": [ids]}``.
    """

    replies: List[JsonObject]
    changes: List[Change]


class Store:
    """Entity storage and the ftrack data actions over it.

    Attributes: ``schemas`` (the ``query_schemas`` answer), ``schema_hash`` (its MD5 as the
    client computes it), ``model`` (:class:`SchemaModel`), ``engine`` and ``metadata``
    (SQLAlchemy; other parts may add their own tables to ``metadata``), ``tables`` (family ->
    Table), ``link_tables`` (hidden many-to-many link tables: name -> Table).
    """

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        shared = schema_tables()  # built once per process: see store.shared_tables
        self.schemas = shared.schemas
        self.schema_hash: str = shared.digest
        self.model = shared.model
        self.metadata = MetaData()
        shared.add_to(self.metadata)
        self.tables = dict(shared.tables)
        self.link_tables = dict(shared.link_tables)
        creator_table(self.metadata)
        tombstone_table(self.metadata)
        self.engine = make_engine(database_url)
        hear(self.engine)  # before its first connection (see store.reads)
        try:
            check_reachable(self.engine)
            upgrade(self.engine, self.metadata, shared)  # see store.upgrade
            #: SQLite's planner statistics gathered again as the studio grows
            self.growth = statistics.Growth(self.engine, self.write_transaction)
        except (SQLAlchemyError, OSError) as error:
            self.engine.dispose()
            raise setup_error(error, self.engine) from None
        except DatabaseSetupError:
            self.engine.dispose()
            raise
        self.compiler = Compiler(self.model, self.tables, self.link_tables)
        self.statements = Statements(self.tables, self.compiler)
        self.rules = default_rules()
        #: the non-data actions a batch answers in its transaction, by action name
        self.in_batch: Dict[str, InBatchAction] = {}

    def answer_in_batch(self, action: str, answer: InBatchAction) -> None:
        """Answer ``action`` inside a batch's transaction, in batch order (see
        :data:`InBatchAction`)."""
        self.in_batch[action] = answer

    # -- public API ---------------------------------------------------------------------------
    def execute(
        self, operations: Sequence[object], user_id: str, asker: object = None
    ) -> List[JsonObject]:
        """Run data operations in one transaction; one reply dict per operation (see ``run``)."""
        return self.run(operations, user_id, asker).replies

    def run(self, operations: Sequence[object], user_id: str, asker: object = None) -> BatchResult:
        """Run data operations in one transaction: the replies and the changes.

        Raises :class:`ApiOperationError` (with ``index`` of the failing operation) and writes
        nothing when any operation fails. An action registered with :meth:`answer_in_batch`
        among them is answered in its place, in the same transaction, given ``asker``.
        """
        if not isinstance(operations, list):
            raise ApiOperationError(
                "The request body must be a JSON list of operations", "ValidationError"
            )
        writes = any(
            isinstance(op, dict) and op.get("action") in WRITE_ACTIONS for op in operations
        )
        turn = write_turn(self.engine) if writes else contextlib.nullcontext()
        try:
            with turn:  # this process's writers in order (model.writers)
                connection = self.engine.connect().execution_options(ft_write=writes)
                with connection, connection.begin():
                    answers = self._answers(connection, user_id, asker)
                    batch = Batch(self, connection, user_id, self.rules, answers)
                    replies = batch.run(operations)
        except ApiOperationError:
            raise
        except IntegrityError as error:  # a concurrent batch won a race for a unique value
            raise duplicate_error(str(getattr(error, "orig", None) or error)) from None
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or type(error).__name__)
            if not is_unreachable(error):  # an outage is logged once, by http.health.Outage
                log.error("database error while running a batch: %s", reason)
            raise ApiOperationError(
                f"The database rejected the batch ({reason}); nothing was written. Simplify the "
                "request (e.g. fewer conditions), or retry if the database was busy",
                "ServerError",
            ) from None
        except RecursionError:
            raise ApiOperationError(
                "The request is nested too deeply to process; nothing was written. Use fewer "
                "nested parentheses or 'not's",
                "ValidationError",
            ) from None
        except Exception as error:  # the API boundary: never a crash, always the error shape
            log.exception("unexpected error while running a batch")
            raise ApiOperationError(
                f"The server could not process the batch ({type(error).__name__}: {error}); "
                "nothing was written",
                "ServerError",
            ) from None
        if writes:
            self.growth.wrote(len(batch.changes))
        return BatchResult(replies, batch.changes)

    def _answers(self, connection: Connection, user_id: str, asker: object) -> Dict[str, Answer]:
        """The registered in-batch actions, bound to this batch's transaction and asker."""
        reads = self._on(connection)

        def bound(action: InBatchAction) -> Answer:
            return lambda operation: action(reads, operation, user_id, asker)

        return {name: bound(action) for name, action in self.in_batch.items()}

    def _on(self, connection: Connection) -> InTransaction:
        """An :data:`InTransaction` running on ``connection``'s open transaction."""

        def execute(operations: Sequence[object], user_id: str) -> List[JsonObject]:
            return Batch(self, connection, user_id, self.rules).run(operations)

        return execute

    def ensure_seed(self, api_user_name: str) -> str:
        """Create built-in data (locations, statuses, types…) and the API user; idempotent.

        Returns the API user's id.
        """
        with write_transaction(self.engine) as connection:
            user_id = ensure_builtin_data(self, connection, api_user_name)
            ensure_role(self, connection, user_id)
            return user_id

    @contextlib.contextmanager
    def write_transaction(self) -> Iterator[Connection]:
        """A connection in a write transaction for other parts' own tables (API keys, tokens):
        :func:`ft_dcc.server.model.storage.write_transaction` on this store's engine."""
        with write_transaction(self.engine) as connection:
            yield connection

    def describe(self) -> str:
        """The database for messages (its URL without the password)."""
        return describe(self.engine)

    def close(self) -> None:
        """Release the database connections (on SQLite after ``PRAGMA optimize``)."""
        try:
            statistics.optimize_on_close(self.engine)
        except SQLAlchemyError as error:  # a database gone away: nothing to optimise
            log.info("no PRAGMA optimize at close: %s", getattr(error, "orig", error))
        self.engine.dispose()

    def query(self, expression: str, user_id: Optional[str] = None) -> List[JsonObject]:
        """Convenience: the ``data`` of one query operation (the entities it found)."""
        reply = self.execute([{"action": "query", "expression": expression}], user_id or "")
        data = reply[0]["data"]
        if not isinstance(data, list):
            return []
        return [entity for entity in data if isinstance(entity, dict)]
