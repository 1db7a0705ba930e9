"""A studio's action process: ``COUNT`` genuine ``ftrack_action_handler`` actions in one
``ftrack_api`` session, as a studio runs them against its ftrack server.

Usage: ``python action_process.py COUNT PREFIX`` with ``FTRACK_SERVER`` / ``FTRACK_API_USER`` /
``FTRACK_API_KEY`` set. Each action ``PREFIX.<n>`` is discovered for any selection and answers
a launch with ``{"success": True, "message": "PREFIX.<n> ran"}``. Prints ``ready`` once the
server has registered every subscription (a round trip of its own event), then waits.
"""

from __future__ import annotations

import sys
import time
import uuid

import ftrack_api
from ftrack_action_handler.action import BaseAction


def make_action(session: ftrack_api.Session, identifier: str) -> BaseAction:
    class Action(BaseAction):
        label = identifier
        description = f"the test action {identifier}"

        def discover(self, session, entities, event):
            return True

        def launch(self, session, entities, event):
            return {"success": True, "message": f"{identifier} ran"}

    Action.identifier = identifier
    return Action(session)


def main() -> None:
    count, prefix = int(sys.argv[1]), sys.argv[2]
    session = ftrack_api.Session(auto_connect_event_hub=True)
    for number in range(count):
        make_action(session, f"{prefix}.{number}").register()
    seen = []
    topic = f"ft_dcc.test.ready.{uuid.uuid4().hex}"
    session.event_hub.subscribe(f"topic={topic}", seen.append)
    session.event_hub.publish(ftrack_api.event.base.Event(topic))
    deadline = time.monotonic() + 120
    while not seen and time.monotonic() < deadline:
        session.event_hub.wait(0.1)
    print("ready" if seen else "not ready", flush=True)
    session.event_hub.wait()


if __name__ == "__main__":
    main()
