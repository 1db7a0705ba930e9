"""The on-disk schema cache: one file per server, valid while its ``schema_hash`` matches."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Union

from ft_dcc.protocol import ENV_SCHEMA_CACHE_PATH
from ft_dcc.protocol.json_value import JsonObject

log = logging.getLogger(__name__)


def default_cache_directory() -> Path:
    """The per-user cache directory (no third-party dependency)."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ft_dcc"


#: ``Session(schema_cache_path=...)``: a directory, False for no cache, None for the default
SchemaCachePath = Union[str, "os.PathLike[str]", bool, None]


def resolve_directory(schema_cache_path: SchemaCachePath) -> Optional[Path]:
    """Where schema files go: the argument, else ``FTRACK_API_SCHEMA_CACHE_PATH``, else the
    user cache directory. ``False`` disables the cache."""
    if schema_cache_path is False:
        return None
    if isinstance(schema_cache_path, (str, os.PathLike)) and schema_cache_path:
        return Path(schema_cache_path)
    env = os.environ.get(ENV_SCHEMA_CACHE_PATH)
    return Path(env) if env else default_cache_directory()


class SchemaCache:
    """Schemas of one server stored as ``{"schema_hash": ..., "schemas": [...]}`` in one file."""

    def __init__(self, directory: Optional[Path], server_url: str) -> None:
        self.directory = directory
        digest = hashlib.sha1(server_url.rstrip("/").encode("utf-8")).hexdigest()[:16]
        self.path = directory / f"ft_dcc_schemas_{digest}.json" if directory else None

    def load(self) -> Optional[JsonObject]:
        """The cached ``{"schema_hash", "schemas"}`` or ``None`` (missing or unreadable)."""
        if self.path is None or not self.path.is_file():
            return None
        try:
            with open(self.path, encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as error:
            log.warning("ignoring unreadable schema cache %s: %s", self.path, error)
            return None
        if not isinstance(data, dict) or not isinstance(data.get("schemas"), list):
            return None
        return data

    def save(self, schema_hash: Optional[str], schemas: List[JsonObject]) -> None:
        """Write atomically (a temp file renamed over the old one); errors are only logged."""
        if self.path is None or not schema_hash:
            return
        # json.dumps: one C-encoded string (json.dump streams through the pure-Python encoder,
        # ~4x the CPU for the ~130 KB of schemas); the same text either way
        text = json.dumps({"schema_hash": schema_hash, "schemas": schemas})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=str(self.path.parent), suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, self.path)
        except OSError as error:
            log.warning("could not write schema cache %s: %s", self.path, error)
