"""Fixtures for the event hub tests: an in-process broker served by uvicorn on 127.0.0.1.

The broker app is the same ``EventBroker.routes()`` the embedded server mounts; running it in
this process lets a test call ``broker.emit_update`` and restart the server under a live hub.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Iterator, List, Optional

import attr
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.middleware.authentication import AuthenticationMiddleware
from support.groups import on_pg_server
from support.net import TEST_KEY, TEST_USER, free_port
from support.servers import backend_server

from ft_dcc.server.events.hub import EventBroker
from ft_dcc.server.grants.key import KeyGrant
from ft_dcc.server.http.auth import key_reader
from ft_dcc.server.identity.layer import IdentityBackend
from ft_dcc.session.event_hub import EventHub


def _test_grant(user: Optional[str], key: Optional[str]) -> Optional[KeyGrant]:
    return KeyGrant(TEST_USER, TEST_USER, "test") if (user, key) == (TEST_USER, TEST_KEY) else None


@attr.s(auto_attribs=True)
class BrokerServer:
    """A uvicorn server in a thread, serving one EventBroker."""

    port: int
    heartbeat_interval: float = 20.0
    close_timeout: float = 60.0
    max_queue: int = 1000
    routes_first: List[Any] = attr.Factory(list)  # routes that shadow the broker's own
    broker: Optional[EventBroker] = None
    _server: Optional[uvicorn.Server] = None
    _thread: Optional[threading.Thread] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    api_user = TEST_USER
    api_key = TEST_KEY

    def start(self) -> BrokerServer:
        self.broker = EventBroker(
            heartbeat_interval=self.heartbeat_interval,
            close_timeout=self.close_timeout,
            max_queue=self.max_queue,
        )
        app = Starlette(routes=self.routes_first + self.broker.routes())
        # the hub admits the identity the server's authentication layer resolved: here, of
        # the one test key
        backend = IdentityBackend([key_reader(_test_grant)])
        app.add_middleware(AuthenticationMiddleware, backend=backend)
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test event broker did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(20)


@pytest.fixture
def start_broker() -> Iterator[Callable[..., BrokerServer]]:
    """``start_broker(heartbeat_interval=..., close_timeout=...)``: a broker on a free port."""
    servers: List[BrokerServer] = []

    def start(**kwargs: Any) -> BrokerServer:
        server = BrokerServer(port=free_port(), **kwargs).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def broker_server(start_broker: Callable[..., BrokerServer]) -> BrokerServer:
    """A fresh event broker on a free loopback port (stopped after the test)."""
    return start_broker()


def _wait_until(condition: Callable[[], Any], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


@pytest.fixture
def wait_until() -> Callable[..., bool]:
    """``wait_until(condition, timeout=30)``: poll until ``condition()`` is true (a generous
    deadline: parallel workers on a loaded machine are slow, not wrong)."""
    return _wait_until


@pytest.fixture
def make_hub() -> Iterator[Callable[..., EventHub]]:
    """``make_hub(url, user=TEST_USER, key=TEST_KEY, **kw)``: hubs disconnected after the test."""
    hubs: List[EventHub] = []

    def make(url: str, user: str = TEST_USER, key: str = TEST_KEY, **kwargs: Any) -> EventHub:
        kwargs.setdefault("timeout", 5.0)
        hub = EventHub(url, user, key, **kwargs)
        hubs.append(hub)
        return hub

    yield make
    for hub in hubs:
        hub.disconnect()


@pytest.fixture
def connect_hub(make_hub: Callable[..., EventHub]) -> Callable[..., EventHub]:
    """``connect_hub(url, ...)``: ``make_hub`` with the same arguments, already connected."""

    def connect(url: str, **kwargs: Any) -> EventHub:
        hub = make_hub(url, **kwargs)
        hub.connect()
        return hub

    return connect


@pytest.fixture
def closed_url() -> str:
    """A loopback URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session", params=["sqlite", on_pg_server()])
def embedded_server(request: pytest.FixtureRequest) -> Any:
    """The event tests against the real server run on SQLite and on PostgreSQL with 4 workers
    (the shared servers, not the root ``embedded_server``: ``support.servers``)."""
    return backend_server(request)
