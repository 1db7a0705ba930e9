"""ftrack's JavaScript API client (``@ftrack/api``, pinned in ``package.json``) as a second genuine
client: ``driver.mjs`` runs it under Node and takes one JSON command per line.

``js_client()`` starts a driver against ``embedded_server``, which is parametrised here over the
shared SQLite server and PostgreSQL with 4 workers; ``js`` is one driver per module and server
(``js_driver``: a Node start and ``@ftrack/api``'s import, ~0.2 CPU-s, once rather than per test),
handed from test to test with a new Session each. Without Node or ``node_modules`` (``make
test`` installs both) the tests skip with the reason; under ``FT_DCC_REQUIRE_ALL=1`` a skip fails.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
from support.groups import on_pg_server
from support.servers import backend_server

HERE = Path(__file__).resolve().parent
DRIVER = HERE / "driver.mjs"
ANSWER = "@@ftrack-driver "


class JsClientError(Exception):
    """The JavaScript client raised; ``name`` / ``code`` are its error's."""

    def __init__(self, error: Dict[str, Any]) -> None:
        super().__init__(f"{error.get('name')}: {error.get('message')}")
        self.name = error.get("name")
        self.message = error.get("message")
        self.code = error.get("code")


class JsClient:
    """One ``node driver.mjs`` process; :meth:`run` sends a command and waits for its answer."""

    def __init__(self, server: Any, log_path: Path) -> None:
        env = dict(os.environ, **server.env)
        self._log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.log_path = log_path
        self.process = subprocess.Popen(
            [node_executable() or "node", str(DRIVER)],
            cwd=HERE,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            bufsize=1,
        )
        self._answers: queue.Queue[Dict[str, Any]] = queue.Queue()
        self._next_id = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(ANSWER):
                self._answers.put(json.loads(line[len(ANSWER) :]))
            else:
                self._log.write(line)
                self._log.flush()

    def run(self, op: str, timeout: float = 60.0, **arguments: Any) -> Any:
        """The result of one command; raises :class:`JsClientError` if the client raised."""
        self._next_id += 1
        command = dict(arguments, op=op, id=self._next_id)
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        answer = self._answer(command, timeout)
        if "error" in answer:
            raise JsClientError(answer["error"])
        return answer["result"]

    def _answer(self, command: Dict[str, Any], timeout: float) -> Dict[str, Any]:
        """The answer to ``command``; the late answer of an earlier command (one that timed
        out, in an earlier test of a shared driver) is passed over."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                answer = self._answers.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"the JS client did not answer {command['op']} within {timeout} s; its log:\n"
                    + self.log_path.read_text(errors="replace")[-4000:]
                ) from None
            if answer["id"] == command["id"]:
                return answer
            assert answer["id"] < command["id"], (answer, command)

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``await session[method](...args)``."""
        return self.run("call", method=method, args=list(args), **kwargs)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def node_executable() -> Optional[str]:
    return shutil.which("node")


def _require_node() -> None:
    if node_executable() is None:
        pytest.skip("Node is not installed (apt-get install nodejs npm; make system-deps)")
    if not (HERE / "node_modules" / "@ftrack" / "api" / "package.json").exists():
        pytest.skip("@ftrack/api is not installed in tests/js (make js-deps)")


@pytest.fixture(scope="module", params=["sqlite", on_pg_server()])
def embedded_server(request: pytest.FixtureRequest) -> Any:
    """Every JS-client test runs on the shared SQLite server and on PostgreSQL with 4 workers
    (the shared servers, not the root ``embedded_server``: ``support.servers``)."""
    return backend_server(request)


@pytest.fixture
def js_client(embedded_server: Any, tmp_path: Path) -> Iterator[Callable[..., JsClient]]:
    """``js_client(**session_options)``: a started JS client with a Session (closed after)."""
    _require_node()
    clients: List[JsClient] = []

    def start(server: Any = None, **options: Any) -> JsClient:
        client = JsClient(server or embedded_server, tmp_path / f"node-{len(clients)}.log")
        clients.append(client)
        client.run("session", options=options)
        return client

    yield start
    for client in clients:
        client.close()


@pytest.fixture(scope="module")
def js_driver(embedded_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[JsClient]:
    """One driver for the module's tests on one server (``js``): the driver keeps nothing of a
    test but its Session, which each test starts anew; the hub's state is ``js_client``'s."""
    _require_node()
    client = JsClient(embedded_server, tmp_path_factory.mktemp("js") / "node.log")
    yield client
    client.close()


@pytest.fixture
def js(js_driver: JsClient) -> JsClient:
    """A JS client with a new Session on the test's server (the module's driver)."""
    assert js_driver.process.poll() is None, js_driver.log_path.read_text(errors="replace")
    js_driver.run("session", options={})
    return js_driver
