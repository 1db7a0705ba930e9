"""Session start-up: the server's information and entity schemas, via the schema cache.

The start can ride with the session's first request (``Session(defer_start=True)``): its
operations go first in that batch and :meth:`SessionStart.finish` reads their answers.
"""

from __future__ import annotations

import logging
from typing import Dict, List, Sequence, Tuple

from ft_dcc.protocol.json_value import JsonObject, JsonValue
from ft_dcc.session.schema_cache import SchemaCache, SchemaCachePath, resolve_directory
from ft_dcc.session.transport import Transport

log = logging.getLogger(__name__)

#: ``(server information, raw schemas by entity type)``
Started = Tuple[JsonObject, Dict[str, JsonObject]]

INFO_OPERATION = {"action": "query_server_information"}
SCHEMAS_OPERATION = {"action": "query_schemas"}


class SessionStart:
    """What a session asks the server when it starts, and what the answers make.

    With a cached copy of the schemas only the server information is asked (the schemas are
    fetched, in a request of their own, only when its ``schema_hash`` no longer matches);
    without one both are asked in the same batch and the cache is refreshed.
    """

    def __init__(self, server_url: str, schema_cache_path: SchemaCachePath) -> None:
        self._store = SchemaCache(resolve_directory(schema_cache_path), server_url)
        self._cached = self._store.load()

    @property
    def operations(self) -> List[Dict[str, str]]:
        """The operations to send first (alone, or ahead of the session's first request)."""
        if self._cached is not None:
            return [dict(INFO_OPERATION)]
        return [dict(INFO_OPERATION), dict(SCHEMAS_OPERATION)]

    def finish(self, replies: Sequence[JsonValue], transport: Transport) -> Started:
        """The start's result from the answers to :attr:`operations` (in their order)."""
        info = replies[0] if isinstance(replies[0], dict) else {}
        schema_hash = info.get("schema_hash")
        schema_hash = schema_hash if isinstance(schema_hash, str) else None
        if self._cached is None:
            schemas = _schema_list(replies[1])
            self._store.save(schema_hash, schemas)
        elif schema_hash and schema_hash == self._cached.get("schema_hash"):
            schemas = _schema_list(self._cached["schemas"])
            log.debug("schemas from cache %s", self._store.path)
        else:
            schemas = _schema_list(transport.call([dict(SCHEMAS_OPERATION)])[0])
            self._store.save(schema_hash, schemas)
        return info, {str(schema["id"]): schema for schema in schemas}


def _schema_list(value: JsonValue) -> List[JsonObject]:
    """The schemas of a ``query_schemas`` answer (a list of objects)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def load_server_schemas(
    transport: Transport, server_url: str, schema_cache_path: SchemaCachePath
) -> Started:
    """``(server_information, raw schemas by entity type)`` in one request (see
    :class:`SessionStart`)."""
    start = SessionStart(server_url, schema_cache_path)
    return start.finish(transport.call(start.operations), transport)
