"""Session start-up: the server's information and entity schemas, via the schema cache.

The start can ride with the session's first request (``Session(defer_start=True)``): its
operations go first in that batch and :meth:`SessionStart.finish` reads their answers.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Tuple

from ft_dcc.session.schema_cache import SchemaCache, resolve_directory
from ft_dcc.session.transport import Transport

log = logging.getLogger(__name__)

#: ``(server information, raw schemas by entity type)``
Started = Tuple[Dict[str, Any], Dict[str, Dict[str, Any]]]

INFO_OPERATION = {"action": "query_server_information"}
SCHEMAS_OPERATION = {"action": "query_schemas"}


class SessionStart:
    """What a session asks the server when it starts, and what the answers make.

    With a cached copy of the schemas only the server information is asked (the schemas are
    fetched, in a request of their own, only when its ``schema_hash`` no longer matches);
    without one both are asked in the same batch and the cache is refreshed.
    """

    def __init__(self, server_url: str, schema_cache_path: Any) -> None:
        self._store = SchemaCache(resolve_directory(schema_cache_path), server_url)
        self._cached = self._store.load()

    @property
    def operations(self) -> List[Dict[str, Any]]:
        """The operations to send first (alone, or ahead of the session's first request)."""
        if self._cached is not None:
            return [dict(INFO_OPERATION)]
        return [dict(INFO_OPERATION), dict(SCHEMAS_OPERATION)]

    def finish(self, replies: List[Any], transport: Transport) -> Started:
        """The start's result from the answers to :attr:`operations` (in their order)."""
        info = replies[0]
        if self._cached is None:
            schemas = replies[1]
            self._store.save(info.get("schema_hash"), schemas)
        elif info.get("schema_hash") and info["schema_hash"] == self._cached.get("schema_hash"):
            schemas = self._cached["schemas"]
            log.debug("schemas from cache %s", self._store.path)
        else:
            schemas = transport.call([dict(SCHEMAS_OPERATION)])[0]
            self._store.save(info.get("schema_hash"), schemas)
        return info, {schema["id"]: schema for schema in schemas}


def load_server_schemas(transport: Transport, server_url: str, schema_cache_path: Any) -> Started:
    """``(server_information, raw schemas by entity type)`` in one request (see
    :class:`SessionStart`)."""
    start = SessionStart(server_url, schema_cache_path)
    return start.finish(transport.call(start.operations), transport)
