"""What the ftrack client and the embedded server share: wire-protocol facts and schema data.

Nothing here performs I/O. The client (``ft_dcc.session``) and the server (``ft_dcc.server``)
both import these names; neither imports the other's code.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from typing import Dict, Mapping, Sequence

# -- environment ------------------------------------------------------------------------------
ENV_SERVER = "FTRACK_SERVER"
ENV_API_KEY = "FTRACK_API_KEY"
ENV_API_USER = "FTRACK_API_USER"
ENV_SCHEMA_CACHE_PATH = "FTRACK_API_SCHEMA_CACHE_PATH"
ENV_EVENT_PLUGIN_PATH = "FTRACK_EVENT_PLUGIN_PATH"
ENV_CONTEXT_ID = "FTRACK_CONTEXTID"

# -- HTTP -------------------------------------------------------------------------------------
API_PATH = "/api"
HEADER_USER = "ftrack-user"
HEADER_API_KEY = "ftrack-api-key"
HEADER_STRICT = "ftrack-strict-api"

# -- built-in locations (fixed ids used by every ftrack server) --------------------------------
LOCATION_ORIGIN = ("ce9b348f-8809-11e3-821c-20c9d081909b", "ftrack.origin")
LOCATION_UNMANAGED = ("cb268ecc-8809-11e3-a7e2-20c9d081909b", "ftrack.unmanaged")
LOCATION_REVIEW = ("cd41be70-8809-11e3-b98a-20c9d081909b", "ftrack.review")
LOCATION_SERVER = ("3a372bde-05bc-11e4-8908-20c9d081909b", "ftrack.server")
LOCATION_CONNECT = ("07b82a97-8cf9-11e3-9383-20c9d081909b", "ftrack.connect")
BUILTIN_LOCATIONS = (
    LOCATION_ORIGIN,
    LOCATION_UNMANAGED,
    LOCATION_REVIEW,
    LOCATION_SERVER,
    LOCATION_CONNECT,
)
SERVER_LOCATION_ID = LOCATION_SERVER[0]

#: the Project Metadata key holding a project's ft_dcc settings (only administrators write it)
PROJECT_SETTINGS_KEY = "ft_dcc_settings"

# -- web review -------------------------------------------------------------------------------
REVIEW_COMPONENT_MP4 = "ftrackreview-mp4"
REVIEW_COMPONENT_IMAGE = "ftrackreview-image"
THUMBNAIL_COMPONENT = "thumbnail"
#: ftrack's placeholder image: the ``thumbnail_url`` of an entity without a thumbnail (never
#: null: ftrack's own tools read ``["thumbnail_url"]["url"]`` unconditionally) and what
#: ``@ftrack/api``'s ``thumbnailUrl(null)`` answers
DEFAULT_THUMBNAIL_PATH = "/img/thumbnail2.png"
REVIEW_META_KEY = "ftr_meta"
#: the review component's Metadata key where a publish records its capture (camera, frames)
CAPTURE_META_KEY = "ft_dcc_capture"

# -- event topics -----------------------------------------------------------------------------
TOPIC_UPDATE = "ftrack.update"
TOPIC_REVIEW_PUBLISHED = "ft_dcc.review.published"

# -- error replies ------------------------------------------------------------------------------
#: the ``error_code`` of an ``IntegrityError`` reply refusing a create whose id is that of a
#: deleted row (never used again); the reply names it in ``entity_type`` and ``entity_id``.
#: ftrack's clients ignore both; ``ft_dcc.Session`` raises ``DeletedIdError``
ERROR_DELETED_ID = "deleted_id"


def schema_hash(schemas: Sequence[Mapping[str, object]]) -> str:
    """The ``schema_hash`` a server reports: the genuine client's MD5 of the schemas."""
    return hashlib.md5(json.dumps(schemas, sort_keys=True).encode("utf-8")).hexdigest()


def encode_datetime(value: _dt.datetime) -> Dict[str, str]:
    """Encode a datetime as the wire carries it: ``{"__type__": "datetime", "value": ISO}``."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return {"__type__": "datetime", "value": value.isoformat()}


def decode_datetime(value: str) -> _dt.datetime:
    """Decode an ISO datetime from the wire; naive values are UTC."""
    text = value.replace("Z", "+00:00")
    parsed = _dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_dt.timezone.utc)
    return parsed
