"""A studio's ftrack automation against the embedded server, on SQLite and on PostgreSQL (four
workers): a genuine ``ftrack_action_handler`` process with 15 actions answers discover and each
launch. ``ftrack_api`` sends each subscriber's replies with ``source = subscriber.metadata``, so
the process speaks in 31 ids (its hub's and two per action); every reply must arrive."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest
from support import genuine_sessions

pytestmark = [pytest.mark.compat, pytest.mark.slow]  # a process of its own: seconds

ftrack_api = pytest.importorskip("ftrack_api")

SCRIPT = Path(__file__).resolve().parent / "scripts" / "action_process.py"
ACTIONS = 15


def _wait_genuine(session: Any, condition: Callable[[], Any], timeout: float = 60.0) -> bool:
    """Run the genuine hub's ``wait()`` (replies are handled there) until ``condition()``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        session.event_hub.wait(0.05)
    return bool(condition())


@pytest.fixture
def action_process(embedded_server: Any, tmp_path: Path) -> Iterator[str]:
    """A process running ``ACTIONS`` genuine actions; yields their identifiers' prefix."""
    prefix = f"ft_dcc.test.action{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, **embedded_server.env)
    env["FTRACK_API_SCHEMA_CACHE_PATH"] = str(tmp_path / "action-schemas")
    env.pop("FTRACK_EVENT_PLUGIN_PATH", None)
    log = tmp_path / "actions.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(SCRIPT), str(ACTIONS), prefix],
            env=env, stdout=subprocess.PIPE, stderr=out,
        )  # fmt: skip
    try:
        assert process.stdout is not None
        ready = process.stdout.readline().decode().strip()  # the process's own round trip
        assert ready == "ready", log.read_text(errors="replace")[-3000:]
        yield prefix
    finally:
        process.kill()
        process.wait(30)
        process.stdout and process.stdout.close()


@pytest.fixture
def studio(embedded_server: Any, tmp_path: Path) -> Iterator[Any]:
    """The web UI's side: a genuine session of the same User, its hub connected."""
    with genuine_sessions(embedded_server, tmp_path / "schemas") as make:
        session = make(auto_connect_event_hub=True)
        assert _wait_genuine(session, lambda: session.event_hub.connected)
        yield session


def test_fifteen_genuine_actions_answer_discover_and_every_launch(
    action_process: str, studio: Any, tmp_path: Path
) -> None:
    discovered: List[Any] = []
    studio.event_hub.publish(
        ftrack_api.event.base.Event("ftrack.action.discover", data={"selection": []}),
        on_reply=discovered.append,
    )
    ours = lambda: [  # noqa: E731
        item["actionIdentifier"]
        for reply in discovered
        for item in (reply["data"] or {}).get("items", [])
        if str(item.get("actionIdentifier", "")).startswith(action_process)
    ]
    assert _wait_genuine(studio, lambda: len(ours()) == ACTIONS), sorted(ours())
    expected = sorted(f"{action_process}.{number}" for number in range(ACTIONS))
    assert sorted(ours()) == expected

    launched: List[Any] = []
    for identifier in expected:
        studio.event_hub.publish(
            ftrack_api.event.base.Event(
                "ftrack.action.launch", data={"actionIdentifier": identifier, "selection": []}
            ),
            on_reply=launched.append,
        )
    assert _wait_genuine(studio, lambda: len(launched) == ACTIONS), [r["data"] for r in launched]
    messages = sorted(reply["data"]["message"] for reply in launched)
    assert messages == sorted(f"{identifier} ran" for identifier in expected)
    assert all(reply["data"]["success"] is True for reply in launched)
