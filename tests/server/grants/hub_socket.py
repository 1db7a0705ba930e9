"""A raw socket.io 0.9 hub client for the grant tests: what a client (honest or not) sends,
and every frame the server sends it, read on a thread of its own."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any, Dict, List, Optional

import requests
from support.waiting import wait_until

from ft_dcc.protocol.events import EVENT, EVENT_NAMESPACE, TOPIC_SUBSCRIBE, format_packet


class HubSocket:
    """One hub connection as ``user``/``key``; ``events`` fills as frames arrive, ``closed``
    is set when the server ends the connection."""

    def __init__(self, url: str, port: int, user: str, key: str) -> None:
        import websocket

        reply = requests.get(url + "/socket.io/1/", timeout=30,
                             headers={"ftrack-user": user, "ftrack-api-key": key})  # fmt: skip
        assert reply.status_code == 200, reply.text
        sid = reply.text.split(":")[0]
        self.sock = websocket.create_connection(
            f"ws://127.0.0.1:{port}/socket.io/1/websocket/{sid}", timeout=60
        )
        assert self.sock.recv() == "1::"
        self.hub_id = uuid.uuid4().hex
        self.events: List[Dict[str, Any]] = []
        self.closed = threading.Event()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            while True:
                frame = self.sock.recv()
                if not frame:
                    break
                code, _, _, data = [*frame.split(":", 3), "", "", ""][:4]
                if code == "0":
                    break
                if code == "5":
                    payload = json.loads(data)
                    with self._lock:
                        self.events.append(payload["args"][0])
                elif code == "2":
                    self.sock.send("2::")
        except Exception:
            pass
        self.closed.set()

    def publish(self, event: Dict[str, Any], source_id: Optional[str] = None) -> None:
        event = dict(event)
        event.setdefault("id", uuid.uuid4().hex)
        event.setdefault("source", {})
        event["source"].setdefault("id", source_id or self.hub_id)
        payload = {"name": EVENT_NAMESPACE, "args": [event]}
        self.sock.send(format_packet(EVENT, data=json.dumps(payload)))

    def subscribe(self, subscription: str, source_id: Optional[str] = None) -> None:
        subscriber = {"id": uuid.uuid4().hex}
        self.publish({"topic": TOPIC_SUBSCRIBE,
                      "data": {"subscriber": subscriber, "subscription": subscription}},
                     source_id)  # fmt: skip

    def sync(self) -> None:
        """Return once the server has handled everything this socket sent before (a probe to a
        subscription of its own comes back)."""
        topic = f"ft_dcc.test.probe{uuid.uuid4().hex[:12]}"
        self.subscribe(f"topic={topic}")
        self.publish({"topic": topic, "data": {}})
        wait_until(lambda: self.seen(topic), "the socket's own probe to come back")

    def seen(self, topic: Optional[str] = None) -> List[Dict[str, Any]]:
        with self._lock:
            return [e for e in self.events if topic is None or e.get("topic") == topic]

    def mentions(self, text: str) -> bool:
        with self._lock:
            return any(text in json.dumps(e) for e in self.events)

    def close(self) -> None:
        try:
            self.sock.close()
        except Exception:
            pass
