"""Payloads of ftrack's raw API actions beyond create/update/delete/query (for ``session.call``)."""

from __future__ import annotations

from typing import Iterable, List, Optional

from ft_dcc.protocol.json_value import JsonObject
from ft_dcc.session.entity import Entity


def review_session_invites(invitees: Iterable[Entity]) -> List[JsonObject]:
    """One ``send_review_session_invite`` operation per (committed) ReviewSessionInvitee."""
    return [
        {"action": "send_review_session_invite", "review_session_invitee_id": i["id"]}
        for i in invitees
    ]


def widget_url(
    name: str, entity: Optional[Entity] = None, theme: Optional[str] = None
) -> JsonObject:
    """A ``get_widget_url`` operation for widget ``name`` (optionally about ``entity``)."""
    operation: JsonObject = {"action": "get_widget_url", "name": name}
    if theme:
        operation["theme"] = theme
    if entity is not None:
        operation["entity_type"] = entity.entity_type
        operation["entity_key"] = list(entity.primary_key)
    return operation


def encode_media(component_id: str, version_id: Optional[str], keep_original: bool) -> JsonObject:
    """An ``encode_media`` operation: encode a component in ftrack.server for web review."""
    return {
        "action": "encode_media",
        "component_id": component_id,
        "version_id": version_id,
        "keep_original": keep_original,
    }
