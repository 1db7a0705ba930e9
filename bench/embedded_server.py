"""The embedded server the benchmarks measure against: ``python -m ft_dcc server`` on a free
127.0.0.1 port, with known credentials and a request log (one JSON line per HTTP request)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import requests

USER = "bench.user"
KEY = "bench-key-5a1e9c77d0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A running embedded server; ``stop()`` it when done (also on error)."""

    def __init__(
        self,
        base: Path,
        extra_args: Sequence[str] = (),
        start_timeout: float = 60,
        tree: Optional[Path] = None,
    ) -> None:
        """Serve ``base``/data; ``tree``: run the ft_dcc of that source tree (e.g. a git
        worktree of another revision) instead of this one's."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = base / "requests.jsonl"
        env = dict(os.environ, FTRACK_API_USER=USER, FTRACK_API_KEY=KEY)
        if tree is not None:
            env["PYTHONPATH"] = str(tree)
        self.stderr = open(base / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ft_dcc", "server", "--data", str(base / "data"),
             "--host", "127.0.0.1", "--port", str(self.port), "--request-log", str(self.log),
             *extra_args],
            env=env, stdout=self.stderr, stderr=self.stderr, cwd=tree,
        )  # fmt: skip
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                requests.get(self.url + "/", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the embedded server did not start: see {base / 'server.log'}")

    def requests_logged(self) -> List[Dict[str, Any]]:
        """Every request the server has logged so far."""
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").split("\n")[:-1]  # complete lines only
        return [json.loads(line) for line in lines if line.strip()]

    def api_requests(self) -> int:
        """How many ``/api`` requests the server has logged so far."""
        return sum(1 for r in self.requests_logged() if r["path"] == "/api")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.stderr.close()
