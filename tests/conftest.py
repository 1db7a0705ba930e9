"""Fixtures shared by every test: temporary data dirs and real embedded servers on 127.0.0.1.

``embedded_server`` (one per test session) and ``fresh_server`` (one per test) start the real
``ft-dcc server`` in a subprocess on a free loopback port with known credentials and a request
log, so tests can assert what the server saw (headers, number of requests, actions).
"""

from __future__ import annotations

import datetime as _dt
import gc
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Union

import attr
import pytest
from support import launcher, stopping
from support.groups import PG_SERVER_GROUP
from support.launcher import Launched
from support.net import TEST_KEY, TEST_USER, answers, free_port

#: pg_cluster, new_database_url, backend; chromium (one per test process), page; the cost report
pytest_plugins = [
    "support.pg_fixtures",
    "support.browser",
    "support.scheduling",
    "support.cost_report",
]

#: Mesa's software OpenGL (llvmpipe: every Blender the run starts, windowed or not, and the bpy
#: module; the browsers draw with their own) rasterises on worker threads, one per core by
#: default. The run's parallel workers keep every core busy already, so those threads only
#: contend: 0 draws on the calling thread, the same pixels (a Workbench render and a viewport
#: ``render.opengl`` compared: identical), 5-15 % less CPU per Blender test (test_modal_capture.py's
#: window 26.4 -> 22.1 CPU-s). Set here, before anything starts, so every process inherits it.
os.environ.setdefault("LP_NUM_THREADS", "0")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
#: the longest a server may take to answer once started: a server that fails exits long before
#: (its exit is seen at once); one that starts answers in about a second on a quiet machine, but
#: four PostgreSQL workers under a load of 30 took over a minute
START_SECONDS = 300


@attr.s(auto_attribs=True)
class EmbeddedServer:
    """A running ``ft-dcc server`` subprocess."""

    url: str
    api_user: str
    api_key: str
    data_dir: Path
    request_log: Path
    port: int
    #: a child of the test process's zygote (``support.launcher``) or, failing it, a subprocess
    process: Union[Launched, subprocess.Popen, None] = None
    stderr_path: Optional[Path] = None
    #: More ``ft-dcc server`` options, e.g. ``["--database", url, "--workers", "4"]``.
    extra_args: List[str] = attr.Factory(list)
    #: where each mark handed out by ``log_mark`` ends in the request log (its byte offset)
    _mark_offsets: Dict[int, int] = attr.ib(factory=dict, init=False, repr=False, eq=False)

    @property
    def env(self) -> Dict[str, str]:
        """The environment a client needs to reach this server."""
        return {
            "FTRACK_SERVER": self.url,
            "FTRACK_API_USER": self.api_user,
            "FTRACK_API_KEY": self.api_key,
        }

    def log_mark(self) -> int:
        """How many requests the server has logged so far (pass to ``requests_since``).

        Counted, not parsed: a worker's shared server logs thousands of requests in a run, and
        a test takes a mark before each thing it counts. Where the mark ends in the file is
        kept, so ``requests_since`` reads only what came after it."""
        data = self._log_bytes(0) or b""
        end = data.rfind(b"\n") + 1  # the server may be writing the last line right now
        count = data.count(b"\n", 0, end)
        self._mark_offsets[count] = end
        return count

    def requests_since(self, mark: int) -> List[Dict[str, Any]]:
        """The logged requests after ``mark``: dicts with method, path, status, actions, headers."""
        offset = self._mark_offsets.get(mark, 0)
        data = self._log_bytes(offset)
        if data is None:  # the log was replaced by a shorter one: its lines from the start
            offset, data = 0, self._log_bytes(0) or b""
        skip = 0 if offset else mark
        # The server may be writing the last line right now: only complete lines count.
        lines = data.decode("utf-8").split("\n")[:-1]
        return [json.loads(line) for line in lines[skip:] if line.strip()]

    def _log_bytes(self, offset: int) -> Optional[bytes]:
        """The request log from byte ``offset`` on (empty if there is no log yet), or None if
        the log is now shorter than ``offset``."""
        try:
            with open(self.request_log, "rb") as log:
                if offset and os.fstat(log.fileno()).st_size < offset:
                    return None
                log.seek(offset)
                return log.read()
        except FileNotFoundError:
            return b""

    def api_requests_since(self, mark: int) -> List[Dict[str, Any]]:
        return [r for r in self.requests_since(mark) if r.get("path", "").endswith("/api")]

    @property
    def sqlite_file(self) -> Optional[Path]:
        """The SQLite database the server opens in its data dir (``None``: another database,
        given by ``--database``, ``--database-file`` or ``$FT_DCC_DATABASE``)."""
        chosen = any(arg.startswith("--database") for arg in self.extra_args)
        if chosen or os.environ.get("FT_DCC_DATABASE"):
            return None
        return self.data_dir / "ft_dcc.sqlite"

    def stop(self) -> None:
        """SIGTERM and wait (in a worker's last teardown the wait comes after all are
        signalled: ``support.stopping``)."""
        if self.process and not stopping.terminate(self.process):
            stopping.wait(self.process)

    def start(self) -> EmbeddedServer:
        """Start (or restart, on the same port and data) the server and wait until it answers."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, FTRACK_API_USER=self.api_user, FTRACK_API_KEY=self.api_key)
        self.stderr_path = self.data_dir.parent / f"server-{self.port}.log"
        args = [
            "server",
            "--data",
            str(self.data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--request-log",
            str(self.request_log),
            *self.extra_args,
        ]
        mark = self.log_mark()  # a restart's log already has the requests before it
        with open(self.stderr_path, "ab") as stderr:  # the child has its own descriptor
            self.process = launcher.launch(
                args, env=env, stdout=stderr, stderr=stderr, new_database=self.sqlite_file
            )
        deadline = time.monotonic() + START_SECONDS
        probe = uuid.uuid4().hex
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.stderr_path.read_text(errors="replace")
                error = PortTakenError if "address already in use" in log.lower() else RuntimeError
                raise error(f"embedded server exited with {self.process.returncode}:\n{log}")
            # the answer must be this server's (its request log has the probe: written before
            # it answers), not another process's on the port: that one keeps ours from binding
            # it, and ours exits (above)
            if answers(f"{self.url}/?start-probe={probe}", deadline) and self._logged(probe, mark):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"embedded server did not answer within {START_SECONDS} s")

    def _logged(self, probe: str, mark: int) -> bool:
        """Whether this server's request log has, after ``mark``, a request of the start's
        ``probe``."""
        return any(probe in entry.get("query", "") for entry in self.requests_since(mark))


class PortTakenError(RuntimeError):
    """The free port was taken by another process before the server could bind it."""


def start_server(base: Path, extra_args: Optional[List[str]] = None) -> EmbeddedServer:
    """A started server on a free loopback port (another one if that port is taken meanwhile:
    parallel workers and other test runs on the machine bind ports too)."""
    for _attempt in range(5):
        port = free_port()
        server = EmbeddedServer(
            url=f"http://127.0.0.1:{port}",
            api_user=TEST_USER,
            api_key=TEST_KEY,
            data_dir=base / "server-data",
            request_log=base / "requests.jsonl",
            port=port,
            extra_args=list(extra_args or []),
        )
        try:
            return server.start()
        except PortTakenError:
            continue
    raise RuntimeError("no free loopback port for the embedded server after 5 tries")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty directory for one test's data."""
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """The shared SQLite server, under a name no conftest overrides or parametrises: started
    once per test process (``support.servers``)."""
    server = start_server(tmp_path_factory.mktemp("embedded"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def embedded_server(sqlite_server: EmbeddedServer) -> EmbeddedServer:
    """One embedded server shared by the whole test session (do not assume it is empty)."""
    return sqlite_server


#: Server processes of the PostgreSQL test server (the issue's "4 workers").
PG_WORKERS = 4


@pytest.fixture(scope="session")
def pg_server(
    pg_cluster: Any, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[EmbeddedServer]:
    """One ``ft-dcc server --database postgresql://… --workers 4`` for the whole test session."""
    _refuse_outside_its_group(request)
    url = pg_cluster.create_database("server", template=pg_cluster.template)
    args = ["--database", url, "--workers", str(PG_WORKERS)]
    server = start_server(tmp_path_factory.mktemp("pg-server"), args)
    yield server
    server.stop()


def _refuse_outside_its_group(request: pytest.FixtureRequest) -> None:
    """``pg_server`` (5 processes, a database) is started only for a test of its xdist group: a
    test outside it (one that reaches it through a fixture parameter without
    ``support.groups.on_pg_server``) went to any worker, which started a ``pg_server`` of its
    own and kept it idle to the run's end."""
    from support.scheduling import group_of  # here: a plugin, imported by pytest (rewritten)

    item = getattr(request, "_pyfuncitem", None)
    if item is not None and group_of(item) != PG_SERVER_GROUP:
        why = f"{item.nodeid} reaches pg_server outside its xdist group {PG_SERVER_GROUP}"
        pytest.fail(f"{why}: give its fixture parameter as support.groups.on_pg_server(...)",
                    pytrace=False)  # fmt: skip


@pytest.fixture(scope="session")
def pg_second_process(
    pg_server: EmbeddedServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmbeddedServer]:
    """Another ``ft-dcc server`` process (one worker) on ``pg_server``'s database."""
    database = pg_server.extra_args[pg_server.extra_args.index("--database") + 1]
    server = start_server(tmp_path_factory.mktemp("pg-second"), ["--database", database])
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[EmbeddedServer]:
    """An embedded server of this test's own, empty but for the seed data."""
    server = start_server(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def ftrack_env(monkeypatch: pytest.MonkeyPatch, embedded_server: EmbeddedServer) -> EmbeddedServer:
    """Point FTRACK_* at the shared embedded server for this test."""
    for key, value in embedded_server.env.items():
        monkeypatch.setenv(key, value)
    return embedded_server


@pytest.fixture(scope="session", autouse=True)
def shared_shader_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One Mesa shader cache for every Blender (GUI and bpy) of the run, all parallel workers.

    Blender draws with Mesa's software OpenGL here, which compiles each shader with LLVM; the
    tests give every Blender a fresh HOME, so each start compiled them all again (seconds of
    CPU per start). ``MESA_SHADER_CACHE_DIR`` wins over the HOME's cache folder; Mesa keys its
    entries by driver build and shader, and several processes may share the folder.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # the run's folder, above the worker's own
        root = root.parent
    folder = root / "mesa-shader-cache"
    folder.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MESA_SHADER_CACHE_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session", autouse=True)
def own_app_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The run's own per-user app-data folder (``XDG_DATA_HOME``), for this process and every
    server, CLI and host it starts: the offline queue, the recent tasks and each running
    server's record (``running-servers/``) never land in the real user's folder."""
    folder = tmp_path_factory.getbasetemp() / "xdg-data"
    folder.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_DATA_HOME", str(folder))
        yield folder


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests save things a person may want to look at (screenshots, reports)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


#: ``FT_DCC_TODAY`` for the whole run: the naming templates' "today" (``{date}``, ``{week}``)
#: is the day the run started, in every worker and every process it starts, so a run crossing
#: midnight names one day throughout (tests compare with ``current_date()``, never the clock)
TODAY_KEY = "ft_dcc_today"


#: the ``workerinput`` key of the run's cache folder, made by the controller for every worker
RUN_CACHE_KEY = "ft_dcc_run_cache"


def pytest_configure(config: Any) -> None:
    from ft_dcc.settings.templates import ENV_TODAY

    given = getattr(config, "workerinput", {}).get(TODAY_KEY)  # the controller's day
    os.environ[ENV_TODAY] = given or os.environ.get(ENV_TODAY) or _dt.date.today().isoformat()
    _use_run_cache(config)


def _use_run_cache(config: Any) -> None:
    """The run's processes cache in a folder of the run's own (``XDG_CACHE_HOME``: the clients'
    schema files, one per server address, the hosts' downloaded drawings, the browsers' caches),
    not in the user's ``~/.cache``; the process that made it removes it at the run's end."""
    given = getattr(config, "workerinput", {}).get(RUN_CACHE_KEY)  # the controller's folder
    if given:
        os.environ["XDG_CACHE_HOME"] = given
        return
    folder = tempfile.mkdtemp(prefix="ft_dcc-test-cache-")
    os.environ["XDG_CACHE_HOME"] = folder
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


#: the test process's cyclic garbage collector after collection (``gc.set_threshold``): a full
#: collection after 100 collections of the middle generation, not 10
GC_THRESHOLDS = (700, 10, 100)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What the test process holds once its tests are collected (every module imported, the
    tests and fixtures defined: ~100,000 objects that live to its end) is frozen out of the
    garbage collector's reach, and full collections are made ten times less often. Each full
    collection walked all of it: over tests/compat and tests/review on one process
    (``gc.callbacks`` around each collection), 27 full collections took 6.2 of the process's
    24.5 CPU-s; frozen and spaced, 6 took 1.4 (all collections 7.3 -> 2.2 CPU-s). Garbage is
    still collected (``gc.collect()`` collects all but what is frozen here)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: each worker gets the controller's day and cache folder."""
    from ft_dcc.settings.templates import ENV_TODAY

    node.workerinput[TODAY_KEY] = os.environ[ENV_TODAY]
    node.workerinput[RUN_CACHE_KEY] = os.environ["XDG_CACHE_HOME"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: Optional[pytest.Item]) -> Iterator[None]:
    """The last teardown (all session fixtures) signals every server first, then waits."""
    stopping.state["deferring"] = nextitem is None
    try:
        yield
    finally:
        stopping.wait_for_deferred()


# -- the full test command runs everything ---------------------------------------------------
# `make test` sets FT_DCC_REQUIRE_ALL=1: there a skipped test (a missing Blender, Chromium,
# ffprobe or Python package) fails the run, so a missing install step cannot hide in CI.
REQUIRE_ALL = os.environ.get("FT_DCC_REQUIRE_ALL") == "1"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if REQUIRE_ALL and skipped:
        terminalreporter.section("skipped tests fail the full run", sep="=", red=True)
        for report in skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
            terminalreporter.write_line(f"{report.nodeid}: {reason}")
        terminalreporter.write_line("Install what is missing (make system-deps; make install).")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    launcher.shutdown()  # the test process's zygote (its servers have stopped by now)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if REQUIRE_ALL and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
