"""Connection settings: resolve server URL, API user and key from arguments or environment."""

from __future__ import annotations

import os
from typing import List, Optional, Tuple

from ft_dcc import protocol
from ft_dcc.exceptions import ConfigurationError

_SETTINGS_HELP = {
    protocol.ENV_SERVER: "the server URL, e.g. https://mycompany.ftrackapp.com",
    protocol.ENV_API_USER: "your ftrack user name",
    protocol.ENV_API_KEY: "an API key from your ftrack account settings",
}


def resolve_settings(
    server_url: Optional[str], api_key: Optional[str], api_user: Optional[str]
) -> Tuple[str, str, str]:
    """``(server_url, api_key, api_user)``: each argument, else its ``FTRACK_*`` variable.

    Raises ``ConfigurationError`` (before any network call) naming what is missing or invalid.
    """
    server_url = server_url or os.environ.get(protocol.ENV_SERVER) or None
    # FTRACK_APIKEY is the legacy name the genuine client still reads.
    api_key = api_key or os.environ.get(protocol.ENV_API_KEY) or os.environ.get("FTRACK_APIKEY")
    api_user = api_user or os.environ.get(protocol.ENV_API_USER) or None
    missing = [
        (variable, argument)
        for variable, argument, value in (
            (protocol.ENV_SERVER, "server_url", server_url),
            (protocol.ENV_API_USER, "api_user", api_user),
            (protocol.ENV_API_KEY, "api_key", api_key),
        )
        if not value
    ]
    if missing:
        lines = ", ".join(f"{var} ({_SETTINGS_HELP[var]})" for var, _ in missing)
        exports = " ".join(f"{var}=..." for var, _ in missing)
        arguments = ", ".join(f"{arg}=..." for _, arg in missing)
        raise ConfigurationError(
            f"Missing ftrack settings: {lines}",
            hint=f"set the environment variable(s) (e.g. export {exports}) "
            f"or pass {arguments} to Session()",
        )
    assert server_url and api_key and api_user
    if not server_url.startswith(("http://", "https://")):
        raise ConfigurationError(
            f"{protocol.ENV_SERVER} must be an http(s) URL, got {server_url!r}",
            hint="use the full address, e.g. https://mycompany.ftrackapp.com",
        )
    return server_url, api_key, api_user


def plugin_paths_from_environment() -> List[str]:
    """The event plugin directories listed in ``FTRACK_EVENT_PLUGIN_PATH``."""
    env = os.environ.get(protocol.ENV_EVENT_PLUGIN_PATH, "")
    return [path for path in env.split(os.pathsep) if path]
