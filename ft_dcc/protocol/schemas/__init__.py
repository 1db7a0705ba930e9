"""Entity schema data: the real ftrack ``query_schemas`` answer (116 types, properties flattened).

``query_schemas.json`` is the response recorded from a real ftrack server and published in the
ftrack JavaScript API's test fixtures (Apache-2.0, see ``NOTICE.md`` beside it). The embedded
server answers ``query_schemas`` with exactly this list and derives its storage from it; the
client hashes it with :func:`ft_dcc.protocol.schema_hash`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

from ft_dcc.protocol.json_value import JsonObject

SCHEMAS_FILE = Path(__file__).with_name("query_schemas.json")


def load_schemas() -> List[JsonObject]:
    """Return a fresh copy of the schema list, in the recorded order (the order the hash sees)."""
    with SCHEMAS_FILE.open("r", encoding="utf-8") as handle:
        return json.load(handle)
