"""The attribute names in an ``ftrack.update`` event's ``keys`` and ``changes``, as ftrack's.

ftrack's event server names some changed attributes by their legacy names, not their schema
names: a status change is ``statusid`` whether the client set ``status`` or ``status_id``.
Listeners test for those names (``'statusid' in entity['keys']``), so a server naming them as
the client sent them leaves a studio's automation silently doing nothing. Any other attribute
keeps its schema name (``name``, ``description``, ``comment``, ``parent_id``, custom
attributes by their key: ``fstart``).

Where each name comes from (listeners written against ftrack's server):

=====================  ==================  ===================================================
schema attribute       ftrack's event key  read so by
=====================  ==================  ===================================================
``status(_id)``        ``statusid``        ftrack-recipes ``cascade_status_changes``
                                           (``'statusid' in entity['keys']``); OpenPype's and
                                           AYON's status handlers (``changes['statusid']``)
``thumbnail(_id)``     ``thumbid``         OpenPype ``thumbnail_updates`` and
                                           ``sync_to_avalon`` (``ignore_keys``)
``type(_id)``          ``typeid``          ayon-ftrack ``sync_from_ftrack`` (a task's type,
  on a context                             ``changes['typeid']['new']``)
``priority(_id)``      ``priorityid``      a studio's ``ftrack.update`` listener (contexts)
``object_type(_id)``   ``object_typeid``   the same listener (contexts)
``start_date``         ``startdate``       the same listener (contexts)
``end_date``           ``enddate``         the same listener (contexts)
``user(_id)``          ``userid``          the same listener (an AssetVersion's publisher)
``parent``             ``parent_id``       OpenPype ``sync_to_avalon`` (a moved context)
=====================  ==================  ===================================================
"""

from __future__ import annotations

from typing import Dict, Optional

#: on every entity type: schema attribute or relation -> ftrack's event key
_EVERYWHERE: Dict[str, str] = {
    "status_id": "statusid", "status": "statusid",
    "thumbnail_id": "thumbid", "thumbnail": "thumbid",
    "parent": "parent_id",
}  # fmt: skip
#: by ftrack's legacy entity type (``task``: every context but the project)
_BY_LEGACY_TYPE: Dict[str, Dict[str, str]] = {
    "task": {
        "type_id": "typeid", "type": "typeid",
        "priority_id": "priorityid", "priority": "priorityid",
        "object_type_id": "object_typeid", "object_type": "object_typeid",
        "start_date": "startdate", "end_date": "enddate",
    },
    "assetversion": {"user_id": "userid", "user": "userid"},
}  # fmt: skip


def event_key(legacy_type: Optional[str], name: str) -> str:
    """ftrack's name, in an ``ftrack.update`` event, of the attribute ``name`` of an entity
    of ``legacy_type`` (``task``, ``assetversion``, ...): ``status_id`` -> ``statusid``."""
    own = _BY_LEGACY_TYPE.get(legacy_type or "", {})
    return own.get(name) or _EVERYWHERE.get(name) or name
