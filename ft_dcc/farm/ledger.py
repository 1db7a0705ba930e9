"""A re-run publishes nothing twice: each scene's publish key, recorded with its version.

``ft-dcc farm submit`` gives every scene a key (a uuid in the bundle). The publish step looks
it up before publishing and does nothing when a version already carries it:

- staged frames (files and Blender scenes) carry the key in the capture record written in the
  same commit as the version (the review component's ``ft_dcc_capture`` metadata, under
  ``display.farm_publish_key``): there is no moment when the version exists without its key;
- a Maya or Nuke scene, published in its host, gets the key as the version's metadata
  (``ft_dcc_farm_key``) right after its commit: a node killed between the two publishes that
  scene again on a re-run (docs/farm.md says so).

A publish interrupted during its own commit resumes from its journal (``<work>/queue``), whose
manifest carries the ids chosen before anything was sent, so it creates nothing twice either.
"""

from __future__ import annotations

import logging
from typing import Optional

from ft_dcc.protocol import CAPTURE_META_KEY
from ft_dcc.protocol.query_text import quote
from ft_dcc.session.interface import PublishSession

log = logging.getLogger(__name__)

VERSION_KEY = "ft_dcc_farm_key"
DISPLAY_FIELD = "farm_publish_key"


def published_version(session: PublishSession, key: str) -> Optional[str]:
    """The id of the version published with ``key``, or None (one request)."""
    like = f'%"{DISPLAY_FIELD}": "{key}"%'
    rows = session.query(
        "select parent_id, key from Metadata where "
        f"(key is {quote(VERSION_KEY)} and value is {quote(key)}) or "
        f"(key is {quote(CAPTURE_META_KEY)} and value like {quote(like)})"
    ).all()
    for row in rows:
        if row["key"] == VERSION_KEY:
            return str(row["parent_id"])
    if not rows:
        return None
    component = session.query(
        f"select version_id from Component where id is {quote(rows[0]['parent_id'])}"
    ).first()
    return str(component["version_id"]) if component is not None else None


def record(session: PublishSession, version_id: str, key: str) -> None:
    """Record ``key`` on the version (for publishes whose capture record cannot carry it)."""
    version = session.query(
        f"select metadata.key, metadata.value from AssetVersion where id is {quote(version_id)}"
    ).one()
    version["metadata"][VERSION_KEY] = key
    session.commit()
