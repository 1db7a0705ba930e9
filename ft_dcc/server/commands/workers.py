"""Serving the embedded server: one process, or ``--workers N`` processes on one port.

With one worker the app runs in this process. With several, this process does the one-time
start work (schema, seed, stale uploads, interrupted jobs: ``create_app`` once, then closed) and
uvicorn's supervisor starts N worker processes that share the listening socket, the database
(PostgreSQL) and the data dir; each builds its app from the settings passed in the environment
(:func:`worker_app`) with ``worker_process`` set, so none of them repeats that work.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, Literal, Optional, TypedDict

from ft_dcc.exceptions import DatabaseSetupError
from ft_dcc.server.model.database import parse_database_url
from ft_dcc.server.runtime.config import ServerConfig

if TYPE_CHECKING:
    from starlette.applications import Starlette

CONFIG_ENV = "FT_DCC_SERVER_WORKER_CONFIG"
_PATH_FIELDS = ("data_dir", "request_log")


#: How long uvicorn's supervisor waits for a worker's answer to its health ping before killing
#: it as hung (uvicorn's default, 5 s, killed workers a loaded machine starved for a moment,
#: with the requests they were answering: "Remote end closed connection without response").
HEALTH_CHECK_SECONDS = 60


class _UvicornOptions(TypedDict):
    """The settings given to uvicorn, in one process or in each worker."""

    host: str
    port: int
    log_level: str
    access_log: bool
    lifespan: Literal["on"]
    timeout_graceful_shutdown: int
    #: X-Forwarded-* believed only from ``--forwarded-allow-ips`` (uvicorn's default trusts
    #: 127.0.0.1 and ``FORWARDED_ALLOW_IPS``)
    proxy_headers: bool
    forwarded_allow_ips: str


def check_workers(config: ServerConfig) -> None:
    """Refuse ``--workers`` above 1 on SQLite, which one process owns."""
    if config.workers < 1:
        raise DatabaseSetupError("--workers must be 1 or more")
    url = parse_database_url(config.resolved_database_url)
    if config.workers > 1 and url.get_backend_name() != "postgresql":
        raise DatabaseSetupError(
            f"--workers {config.workers} needs a PostgreSQL database; SQLite serves one process",
            "add --database postgresql://USER:PASSWORD@HOST:PORT/DATABASE, or drop --workers",
        )


def _config_to_env(config: ServerConfig) -> str:
    values: Dict[str, object] = dataclasses.asdict(config)
    for name in _PATH_FIELDS:
        if values.get(name) is not None:
            values[name] = str(values[name])
    values["worker_process"] = True
    return json.dumps(values)


def worker_app() -> Starlette:
    """The app of one worker process (uvicorn calls this factory in each of them)."""
    from ft_dcc.server.app import create_app

    values = json.loads(os.environ[CONFIG_ENV])
    for name in _PATH_FIELDS:
        if values.get(name) is not None:
            values[name] = Path(values[name])
    return create_app(ServerConfig(**values))


def serve(
    config: ServerConfig, app: Starlette, on_bound: Optional[Callable[[], None]] = None
) -> bool:
    """Serve until SIGINT/SIGTERM; ``False`` when the port could not be bound. ``on_bound`` is
    called once the port is this process's (never when binding failed: a second server on a
    port in use must not touch what the running one owns). Each process's uvicorn server
    sleeps while idle (:mod:`ft_dcc.server.runtime.uvicorn_server`).

    With ``config.workers > 1``, ``app`` (already built here) is closed and the worker processes
    build their own.
    """
    import uvicorn

    from ft_dcc.server.runtime.uvicorn_server import CleanStopServer

    bound = on_bound or (lambda: None)

    options = _UvicornOptions(
        host=config.host,
        port=config.port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        proxy_headers=bool(config.forwarded_allow_ips),
        forwarded_allow_ips=",".join(config.forwarded_allow_ips),
    )
    if config.workers > 1:
        app.state.server.close()
        os.environ[CONFIG_ENV] = _config_to_env(config)
        return _serve_workers(config, options, bound)

    server = CleanStopServer(uvicorn.Config(app, **options), on_bound=bound)
    try:
        server.run()
    except SystemExit:
        server.started = False
    return bool(server.started)


def _serve_workers(
    config: ServerConfig, options: _UvicornOptions, bound: Callable[[], None]
) -> bool:
    """``uvicorn.run`` with workers, step by step so that ``bound`` runs between binding the
    port and starting the workers."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from ft_dcc.server.runtime.uvicorn_server import idle_workers

    uvicorn_config = uvicorn.Config(
        "ft_dcc.server.commands.workers:worker_app", factory=True, workers=config.workers,
        timeout_worker_healthcheck=HEALTH_CHECK_SECONDS, **options,
    )  # fmt: skip
    try:
        sock = uvicorn_config.bind_socket()
    except SystemExit:  # uvicorn exits when it cannot bind
        return False
    bound()
    try:
        with idle_workers():
            Multiprocess(uvicorn_config, sockets=[sock]).run()
    except KeyboardInterrupt:
        pass
    return True
