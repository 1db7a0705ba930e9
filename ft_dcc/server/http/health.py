"""Health, readiness and database outages: what an operator, a load balancer and a browser see.

- ``GET /health``: the process answers (``{"status": "ok", "version", "worker"}``), whatever
  the database does. ``worker`` is the answering process's id: with ``--workers N`` each
  worker answers for itself.
- ``GET /ready``: this worker can serve: its database answers ``SELECT 1`` and its file store
  takes a file. 200 with ``"ready": true``, else 503 naming what is not (never the database's
  URL or password). ``ft-dcc server status`` reads both (``runtime.status``).
- During a database outage (PostgreSQL stopped, a dropped connection, a SQLite file gone or
  locked: ``model.database.is_unreachable``) the door (``http.door``) answers 503 instead of
  a 500 and a traceback per request: ``/api`` with an ftrack error (``exception``,
  ``content``), a browser (``Accept: text/html``) with a short HTML page, the review room's
  JSON routes with ``{"error"}``. :class:`Outage` logs the outage once per process and once
  more when the database is back (a thread asks ``SELECT 1`` every few seconds meanwhile),
  not once per request. What background threads (event relay, revocations,
  hub ids) log about an unreachable database is one line each, not a traceback
  (:class:`OutageLogFilter`).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from pathlib import Path
from typing import Dict, List, Optional

import anyio
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Scope

from ft_dcc.protocol import API_PATH
from ft_dcc.protocol.version import __version__
from ft_dcc.server.http import pages
from ft_dcc.server.http.auth import error_payload
from ft_dcc.server.model.database import describe, error_reason, is_unreachable

log = logging.getLogger(__name__)

HEALTH_PATH = "/health"
READY_PATH = "/ready"
#: what every answer during an outage says
OUTAGE_TEXT = "The review server cannot reach its database; try again in a minute."
OUTAGE_STATUS = 503
#: seconds a client is told to wait before asking again
RETRY_AFTER = "60"
NO_STORE = {"Cache-Control": "no-store"}


#: seconds between two ``SELECT 1`` of a process whose database is unreachable
PROBE_INTERVAL = 2.0


class Outage:
    """Whether this process last found its database unreachable; says so once each way. While
    it is down a thread probes the database, so that "back" is said when it is, whether or not
    a request comes to this process."""

    def __init__(self, engine: Engine, probe_interval: float = PROBE_INTERVAL) -> None:
        self.engine = engine
        self.probe_interval = probe_interval
        self._down = False
        self._lock = threading.Lock()
        self._closed = threading.Event()

    @property
    def down(self) -> bool:
        return self._down

    def report_down(self, error: BaseException) -> None:
        with self._lock:
            if self._down:
                return
            self._down = True
        log.error("cannot reach the database %s (%s); answering %d until it is back",
                  describe(self.engine), error_reason(error), OUTAGE_STATUS)  # fmt: skip
        threading.Thread(target=self._until_back, name="ft_dcc-outage", daemon=True).start()

    def _until_back(self) -> None:
        while self._down and not self._closed.wait(self.probe_interval):
            self.probe()

    def close(self) -> None:
        """Stop probing (the server is stopping)."""
        self._closed.set()

    def report_up(self) -> None:
        with self._lock:
            if not self._down:
                return
            self._down = False
        log.warning("the database %s is reachable again", describe(self.engine))

    def probe(self) -> Optional[str]:
        """``None`` when the database answers ``SELECT 1``, else why not (and reports it)."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception as error:
            if not is_unreachable(error):
                log.exception("the readiness check's SELECT 1 failed")
            self.report_down(error)
            return error_reason(error)
        self.report_up()
        return None


def check_files(folder: Path) -> Optional[str]:
    """``None`` when a file can be written and removed in ``folder``, else why not."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".ready-"):
            pass
    except OSError as error:
        return f"the file store cannot take a file ({error.strerror or error})"
    return None


def routes(outage: Outage, files_dir: Path) -> List[BaseRoute]:
    """``/health`` and ``/ready`` (no credentials: they say nothing but "ok" or what is not)."""

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__, "worker": os.getpid()},
                            headers=NO_STORE)  # fmt: skip

    async def ready(request: Request) -> Response:
        database = await anyio.to_thread.run_sync(outage.probe)
        files = await anyio.to_thread.run_sync(check_files, files_dir)
        problems: Dict[str, str] = {}
        if database is not None:
            problems["database"] = "unreachable: " + OUTAGE_TEXT
        if files is not None:
            problems["files"] = files
        body = {"ready": not problems, "version": __version__, "worker": os.getpid(),
                "database": "ok" if database is None else "unreachable",
                "files": "ok" if files is None else "unusable", "problems": problems}  # fmt: skip
        status = OUTAGE_STATUS if problems else 200
        return JSONResponse(body, status_code=status, headers=NO_STORE)

    return [Route(HEALTH_PATH, health, methods=["GET"]), Route(READY_PATH, ready, methods=["GET"])]


def outage_reply(scope: Scope) -> Response:
    """The 503 for one request during an outage, in the shape its caller reads."""
    request = Request(scope)
    headers = {**NO_STORE, "Retry-After": RETRY_AFTER}
    path = request.url.path
    if path != API_PATH and "text/html" in request.headers.get("accept", ""):
        return pages.page(_TEMPLATES, "outage.html", OUTAGE_STATUS, headers, text=OUTAGE_TEXT)
    if path.startswith("/review/"):
        return JSONResponse({"error": OUTAGE_TEXT}, status_code=OUTAGE_STATUS, headers=headers)
    payload = error_payload("ServerError", OUTAGE_TEXT)
    return JSONResponse(payload, status_code=OUTAGE_STATUS, headers=headers)


#: the outage page (``templates/outage.html``)
_TEMPLATES = pages.templates_in(Path(__file__).resolve().parent / "templates")


class OutageLogFilter(logging.Filter):
    """Makes a log record whose exception says the database is unreachable one line: the
    message and the driver's reason, without the traceback (an outage is not a bug)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and is_unreachable(error):
            record.msg = f"{record.getMessage()} (database unreachable: {error_reason(error)})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def quiet_outage_tracebacks() -> None:
    """Put :class:`OutageLogFilter` on the handlers this process logs through (the root
    logger's, and ``logging.lastResort`` used when none is configured, as in a worker)."""
    for handler in [*logging.getLogger().handlers, logging.lastResort]:
        if handler is not None and not any(isinstance(f, OutageLogFilter) for f in handler.filters):
            handler.addFilter(OutageLogFilter())
