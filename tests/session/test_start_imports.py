"""What a session's start imports, checked in a fresh interpreter (never how long it takes).

``requests``/``urllib3`` were ~60% of the client's import time and the event hub was imported
by every session; the start path now POSTs with the standard library and leaves both for the
first upload or the first use of the hub.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

#: modules a plain ``ft_dcc.Session(...)`` start and a read must not import
NOT_ON_THE_START_PATH = [
    "requests",
    "urllib3",
    "websocket",
    "ft_dcc.session.event_hub",
    "ft_dcc.session.upload",
    "ft_dcc.server",
    "concurrent.futures",
    "attr",
]

_SCRIPT = """
import json, sys
import ft_dcc
session = ft_dcc.Session(plugin_paths=[], schema_cache_path=sys.argv[1])
location = session.query('select name from Location where name is "ftrack.server"').one()
loaded = sorted(sys.modules)
hub = type(session.event_hub).__name__
session.close()
print(json.dumps({"modules": loaded, "location": location["name"], "hub": hub}))
"""


def _start(server: Any, cache: Path, **environ: str) -> Dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(server.env, **environ)
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(cache)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _loaded(modules: List[str], name: str) -> bool:
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_a_warm_start_and_a_read_import_neither_requests_nor_the_event_hub(
    embedded_server: Any, tmp_path: Path
) -> None:
    _start(embedded_server, tmp_path)  # fills the schema cache
    started = _start(embedded_server, tmp_path)
    assert started["location"] == "ftrack.server"
    assert [m for m in NOT_ON_THE_START_PATH if _loaded(started["modules"], m)] == []
    assert started["hub"] == "EventHub"  # still there when asked for


def test_with_a_proxy_configured_requests_carries_the_calls(
    embedded_server: Any, tmp_path: Path
) -> None:
    # requests applies *_proxy/no_proxy: the loopback server is reached directly
    started = _start(
        embedded_server, tmp_path, http_proxy="http://127.0.0.1:9", no_proxy="127.0.0.1"
    )
    assert started["location"] == "ftrack.server"
    assert _loaded(started["modules"], "requests")
