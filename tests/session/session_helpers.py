"""Helpers for the session tests: sessions on the embedded server, sample data, a cutting proxy."""

from __future__ import annotations

import select
import socket
import threading
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

from ft_dcc.session import Session


def open_session(server: Any, tmp_path: Path, **kwargs: Any) -> Session:
    """A session on ``server`` with its own schema cache and no plugins (unless given)."""
    kwargs.setdefault("schema_cache_path", str(tmp_path / "schema-cache"))
    kwargs.setdefault("plugin_paths", [])
    return Session(
        server_url=kwargs.pop("server_url", server.url),
        api_key=kwargs.pop("api_key", server.api_key),
        api_user=kwargs.pop("api_user", server.api_user),
        **kwargs,
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_project(session: Session, name: Optional[str] = None) -> Any:
    """A committed Project (with the first ProjectSchema, if the server has one)."""
    name = name or unique("proj")
    data: Dict[str, Any] = {"name": name, "full_name": name}
    schema = session.query("ProjectSchema").first()
    if schema is not None:
        data["project_schema"] = schema
    project = session.create("Project", data)
    session.commit()
    return project


def make_version(session: Session, project: Any, commit: bool = True) -> Any:
    """An AssetVersion of a new Asset under ``project`` (pending unless ``commit``)."""
    asset_type = session.query("AssetType").first()
    if asset_type is None:
        asset_type = session.create("AssetType", {"name": unique("type"), "short": unique("t")})
    asset = session.create(
        "Asset", {"name": unique("asset"), "parent": project, "type": asset_type}
    )
    version = session.create("AssetVersion", {"asset": asset, "comment": "made by a test"})
    if commit:
        session.commit()
    return version


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 that forwards to ``target_port`` but cuts the first ``cuts``
    connections whose request starts with ``method`` after ``after_bytes`` bytes of it, and
    closes every connection whose request line contains one of ``refuse``."""

    def __init__(
        self,
        target_port: int,
        cuts: int = 1,
        after_bytes: int = 256 * 1024,
        method: bytes = b"PUT",
        refuse: tuple = (),
        answer_503: bool = False,
        body_503: bytes = b"",
    ) -> None:
        self.answer_503 = answer_503
        self.body_503 = body_503  # e.g. the embedded server's outage answer (an ftrack error)
        self.method = method
        self.refuse = refuse
        self.refused = 0
        self.target_port = target_port
        self.cuts_left = cuts
        self.after_bytes = after_bytes
        self.cut_connections = 0
        self.put_connections = 0
        self._lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self._closing = False
        self._threads: List[threading.Thread] = []
        self._accept_thread = threading.Thread(target=self._accept, daemon=True)
        self._accept_thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        sent_upstream = 0
        cut_this = None
        try:
            while True:
                readable, _, _ = select.select([client, upstream], [], [], 30)
                if not readable:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client:
                        if cut_this is None:
                            request_line = data.split(b"\r\n", 1)[0]
                            if any(marker in request_line for marker in self.refuse):
                                with self._lock:
                                    self.refused += 1
                                return
                        if not cut_this:
                            # Each request on a kept-alive connection is judged on its own.
                            cut_this = False
                            if data.startswith(self.method):
                                sent_upstream = 0
                                with self._lock:
                                    self.put_connections += 1
                                    if self.cuts_left > 0:
                                        self.cuts_left -= 1
                                        cut_this = True
                        if cut_this and self.answer_503:
                            client.sendall(
                                b"HTTP/1.1 503 Service Unavailable\r\n"
                                b"Content-Type: application/json\r\n"
                                b"Content-Length: %d\r\n"
                                b"Connection: close\r\n\r\n%s" % (len(self.body_503), self.body_503)
                            )
                            with self._lock:
                                self.cut_connections += 1
                            return
                        if cut_this and sent_upstream + len(data) >= self.after_bytes:
                            upstream.sendall(data[: max(0, self.after_bytes - sent_upstream)])
                            with self._lock:
                                self.cut_connections += 1
                            return
                        upstream.sendall(data)
                        sent_upstream += len(data)
                    else:
                        client.sendall(data)
        except OSError:
            return
        finally:
            for sock in (client, upstream):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def close(self) -> None:
        self._closing = True
        self.listener.close()
