"""Session start-up: the server's information and entity schemas, via the schema cache."""

from __future__ import annotations

import logging
from typing import Any, Dict, Tuple

from ft_dcc.session.schema_cache import SchemaCache, resolve_directory
from ft_dcc.session.transport import Transport

log = logging.getLogger(__name__)


def load_server_schemas(
    transport: Transport, server_url: str, schema_cache_path: Any
) -> Tuple[Dict[str, Any], Dict[str, Dict[str, Any]]]:
    """``(server_information, raw schemas by entity type)`` in one request.

    With a cached copy whose ``schema_hash`` still matches, only the server information is
    fetched; otherwise both come in one batch and the cache is refreshed.
    """
    store = SchemaCache(resolve_directory(schema_cache_path), server_url)
    cached = store.load()
    info_op = {"action": "query_server_information"}
    if cached is not None:
        info = transport.call([info_op])[0]
        if info.get("schema_hash") and info["schema_hash"] == cached.get("schema_hash"):
            schemas = cached["schemas"]
            log.debug("schemas from cache %s", store.path)
        else:
            schemas = transport.call([{"action": "query_schemas"}])[0]
            store.save(info.get("schema_hash"), schemas)
    else:
        info, schemas = transport.call([info_op, {"action": "query_schemas"}])
        store.save(info.get("schema_hash"), schemas)
    return info, {schema["id"]: schema for schema in schemas}
