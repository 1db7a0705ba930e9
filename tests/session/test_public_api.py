"""The public names of ``Session`` and ``EventHub`` stay exactly those other code relies on
(publish, review, hosts and the genuine-client compatibility tests)."""

from __future__ import annotations

import inspect

import pytest

from ft_dcc.session import Session
from ft_dcc.session.event_hub import Event, EventHub

SESSION_NAMES = {
    "api_key", "api_user", "auto_populate", "auto_populating", "call", "close", "closed",
    "commit", "component_url", "create", "create_component", "decode", "delete", "encode",
    "encode_media", "ensure", "event_hub", "get", "get_widget_url", "operation_recording",
    "populate", "query", "record_operations", "recorded_operations", "reset", "retries", "retry",
    "rollback", "schemas", "send_review_session_invite", "send_review_session_invites",
    "server_information", "server_location", "server_url", "thumbnail_url", "types",
    "upload_file", "upload_files",
}  # fmt: skip
EVENT_HUB_NAMES = {
    "connect", "connect_in_background", "connected", "disconnect", "publish", "publish_reply",
    "request", "server_url", "subscribe", "subscription", "unsubscribe", "wait",
}  # fmt: skip
#: ``ftrack_api.Session``'s keywords (but ``cookies``), then ft_dcc's own, grouped
SESSION_PARAMETERS = [
    "server_url", "api_key", "api_user", "auto_populate", "plugin_paths", "cache",
    "cache_key_maker", "auto_connect_event_hub", "schema_cache_path", "plugin_arguments",
    "timeout", "headers", "strict_api", "retry", "uploads", "defer_start",
]  # fmt: skip


def _public(cls: type) -> set:
    return {name for name in dir(cls) if not name.startswith("_")}


def test_session_has_exactly_its_public_names() -> None:
    assert _public(Session) == SESSION_NAMES
    assert list(inspect.signature(Session).parameters) == SESSION_PARAMETERS


def test_event_hub_has_exactly_its_public_names() -> None:
    assert _public(EventHub) == EVENT_HUB_NAMES
    assert issubclass(Event, dict)
    assert {"stop", "is_stopped"} <= _public(Event)


def test_session_methods_keep_their_signatures() -> None:
    signatures = {
        name: list(inspect.signature(getattr(Session, name)).parameters)
        for name in (
            "create_component",
            "encode_media",
            "get_widget_url",
            "upload_file",
            "upload_files",
        )
    }
    assert signatures == {
        "create_component": ["self", "path", "data", "location", "progress", "commit"],
        "encode_media": ["self", "media", "version_id", "keep_original"],
        "get_widget_url": ["self", "name", "entity", "theme"],
        "upload_file": ["self", "path", "component_id", "progress"],
        "upload_files": ["self", "files", "progress"],
    }


def test_session_takes_the_genuine_clients_keywords_first() -> None:
    ftrack_api = pytest.importorskip("ftrack_api")
    genuine = [n for n in inspect.signature(ftrack_api.Session).parameters if n != "cookies"]
    assert SESSION_PARAMETERS[: len(genuine)] == genuine
    own = [inspect.signature(Session).parameters[n] for n in SESSION_PARAMETERS[len(genuine) :]]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in own)
