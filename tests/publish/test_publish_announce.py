"""The "review published" event never holds up a publish when the event hub is silent."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import List

from support import make_sequence, make_task, open_session

from ft_dcc.host.files import FilesHost
from ft_dcc.publish import publish
from ft_dcc.session.event_hub import EventHub


class SilentHub:
    """A loopback TCP server that accepts connections and never answers until released.

    ``closed_by_client`` records connections the client gave up on while still held."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.release = threading.Event()
        self.accepted: List[socket.socket] = []
        self.closed_by_client: List[bool] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.1)
        while not self.release.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(conn)
            threading.Thread(target=self._hold, args=(conn,), daemon=True).start()

    def _hold(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        while not self.release.is_set():
            try:
                if conn.recv(4096) == b"":  # the client closed its end
                    self.closed_by_client.append(True)
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    def close(self) -> None:
        self.release.set()
        for conn in self.accepted:
            conn.close()
        self.sock.close()


def test_a_silent_event_hub_never_holds_up_the_publish(
    embedded_server, tmp_path: Path, queue_dir: Path
) -> None:
    with open_session(embedded_server, tmp_path) as setup:
        task_path = make_task(setup, fstart=1001, fend=1006, fps=25)
    sequence = make_sequence(tmp_path / "frames", frames=6, start=1001)
    hub = SilentHub()
    session = open_session(embedded_server, tmp_path)
    # the API answers; the event hub (10 s connect timeout) is a server that never answers
    session._event_hub = EventHub(hub.url, embedded_server.api_user, embedded_server.api_key)
    try:
        report = publish(
            FilesHost(sequence, fps=25),
            task=task_path,
            review_session_name="Silent",
            session=session,
        )
        assert hub.accepted, "the publish did not try to announce the review"
        # the publish returned while the hub connection was still waiting for an answer
        assert hub.closed_by_client == []
    finally:
        hub.close()
        session.close()
    assert report.ok and not report.queued, str(report)
    assert report.version_number == 1
    assert any("'new review content' event" in w for w in report.warnings), report.warnings
    assert not any("new review content" in e for e in report.errors)
