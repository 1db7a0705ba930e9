"""What the mixins of :class:`ft_dcc.server.store.batch.Batch` use of it, declared for the type checker.

``CollectionWriter`` and ``BatchValidator`` are parts of ``Batch``; they inherit this class so
that their use of the batch's state and helpers is checked. Nothing here exists at run time
beyond the class itself: ``Batch`` provides every attribute and method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import ColumnElement, Table
    from sqlalchemy.engine import Connection

    from ft_dcc.server.model.schema import EntityType, SchemaModel
    from ft_dcc.server.query.compiler import Compiler


class BatchSurface:
    """The state and helpers of a ``Batch`` that its mixins rely on."""

    model: SchemaModel
    compiler: Compiler
    tables: Dict[str, Table]
    connection: Connection
    changes: List[Dict[str, Any]]
    #: (index in ``changes``, entity type, key) of every row written, for end-of-batch checks
    _touched: List[Tuple[int, EntityType, Tuple[Any, ...]]]

    if TYPE_CHECKING:  # pragma: no cover

        def entity_key(self, etype: EntityType, key: Any) -> Tuple[Any, ...]: ...

        def table(self, etype: EntityType) -> Table: ...

        def key_condition(self, etype: EntityType, key: Tuple[Any, ...]) -> ColumnElement[bool]: ...

        def load(self, etype: EntityType, key: Tuple[Any, ...]) -> Optional[Dict[str, Any]]: ...

        def _exists_in_family(self, target: EntityType, value: Any) -> bool: ...

        def delete_row(
            self, etype: EntityType, key: Tuple[Any, ...], row: Dict[str, Any], depth: int
        ) -> None: ...
