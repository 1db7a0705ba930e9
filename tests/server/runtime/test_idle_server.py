"""An idle server sleeps: its event loops do not wake while nothing is asked (uvicorn's
``main_loop`` polls every 0.1 s, and it once woke every second to write the Date header: the
header is now dated when a reply reads it), and still stop at once on SIGINT/SIGTERM.

A studio's server idles most of the day, the test suite keeps several servers idle for minutes,
and a four-worker server has four such loops. The kernel counts a thread's sleeps
(``voluntary_ctxt_switches``): the tests count the main thread's over an idle stretch; nothing
asserts how long anything took."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any, List

import pytest
import requests
from support.asyncio_thread import run_async
from support.server_workers import cmdline, worker_pids
from support.trust import start_server
from support.waiting import wait_until

#: the idle stretch over which wake-ups are counted (the stimulus: nothing asked)
IDLE_SECONDS = 3.0
#: uvicorn's loop sleeps 30 times in 3 s, a once-a-second loop 3 or 4 times; a loop with
#: nothing to do not at all (one for a stray wake-up: the stretch starts anywhere)
MOST_WAKEUPS = 1
#: idle stretches tried before giving up (uvicorn's loop wakes 30 times in every one)
STRETCHES = 3


def _wakeups(pid: int, tid: int) -> int:
    """How many times thread ``tid`` of process ``pid`` has slept and been woken."""
    status = Path(f"/proc/{pid}/task/{tid}/status").read_text(encoding="ascii")
    line = next(x for x in status.splitlines() if x.startswith("voluntary_ctxt_switches:"))
    return int(line.split()[1])


def _idle_wakeups(pids: List[int]) -> List[int]:
    """The fewest wake-ups of each process's main thread in :data:`STRETCHES` stretches of
    :data:`IDLE_SECONDS` without a request (a start's own work may still wake it in the first)."""
    fewest = [sys.maxsize] * len(pids)
    for _stretch in range(STRETCHES):
        before = [_wakeups(pid, pid) for pid in pids]
        time.sleep(IDLE_SECONDS)  # the stimulus: nothing asked
        woken = [_wakeups(pid, pid) - count for pid, count in zip(pids, before)]
        fewest = [min(a, b) for a, b in zip(fewest, woken)]
        if max(fewest) <= MOST_WAKEUPS:
            break
    return fewest


def _stopped(process: subprocess.Popen[bytes], sig: int) -> int:
    """Send ``sig`` and return the exit code (a generous bound only turns a hang into a
    failure: the process is killed then)."""
    process.send_signal(sig)
    try:
        return process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def _date(server: Any) -> Any:
    response = requests.get(server.url + "/", timeout=30)
    return parsedate_to_datetime(response.headers["date"])


def test_an_idle_server_sleeps_and_stops_on_sigterm(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    try:
        (wakeups,) = _idle_wakeups([server.process.pid])
        assert wakeups <= MOST_WAKEUPS, f"the idle server's loop woke {wakeups} times"
        first = _date(server)
        wait_until(lambda: _date(server) > first, "the Date header to move on")
    finally:
        code = _stopped(server.process, signal.SIGTERM)
    assert code == 0, server.stderr_path.read_text(errors="replace")


@pytest.mark.slow
def test_idle_workers_sleep_and_stop_on_sigterm(pg_cluster: Any, tmp_path: Path) -> None:
    url = pg_cluster.create_database("idle_workers", template=pg_cluster.template)
    server = start_server(tmp_path, ["--database", url, "--workers", "2"])
    try:
        supervisor = server.process.pid
        workers = wait_until(lambda: len(worker_pids(supervisor)) == 2
                             and worker_pids(supervisor), "two worker processes")  # fmt: skip
        # forked from the supervisor, which has imported the server already (a spawned worker
        # is a fresh interpreter, ``multiprocessing.spawn``'s, that imports it all again)
        assert [cmdline(pid) == cmdline(supervisor) for pid in workers] == [True, True]
        wait_until(lambda: requests.get(server.url + "/", timeout=30).ok, "an answer")
        wakeups = _idle_wakeups(workers)
        assert max(wakeups) <= MOST_WAKEUPS, f"the idle workers' loops woke {wakeups} times"
        first = _date(server)
        wait_until(lambda: _date(server) > first, "the Date header to move on")
    finally:
        code = _stopped(server.process, signal.SIGTERM)
    assert code == 0, server.stderr_path.read_text(errors="replace")


def _config() -> Any:
    import uvicorn

    async def app(scope: Any, receive: Any, send: Any) -> None:  # never called
        raise AssertionError(scope)

    config = uvicorn.Config(app, lifespan="off", log_level="warning")
    config.load()
    return config


def test_sigterm_wakes_the_sleeping_loop_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The loop sleeps an hour here (the next second never comes): only the signal's handler,
    as uvicorn installs it (``signal.signal``, run in the main thread), can end it. The loop runs
    in a thread of its own (after a page test, Playwright's loop counts as running in the main
    thread), so the handler wakes it across threads."""
    from ft_dcc.server.runtime import uvicorn_server

    monkeypatch.setattr(uvicorn_server, "until_next_second", lambda now: 3600.0)
    server = uvicorn_server.CleanStopServer(_config())

    async def main() -> None:
        handlers = threading.main_thread().ident  # the thread Python runs signal handlers in
        assert handlers is not None
        asyncio.get_running_loop().call_later(0.2, signal.pthread_kill, handlers, signal.SIGTERM)
        await asyncio.wait_for(server.main_loop(), timeout=60)

    with server.capture_signals():  # in the main thread; the loop runs in a thread of its own
        run_async(main)
    assert server.should_exit and not server.force_exit


def test_handle_exit_from_another_thread_wakes_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    from ft_dcc.server.runtime import uvicorn_server

    monkeypatch.setattr(uvicorn_server, "until_next_second", lambda now: 3600.0)
    server = uvicorn_server.IdleServer(_config())

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, lambda: threading.Thread(
            target=server.handle_exit, args=(signal.SIGTERM, None)).start())  # fmt: skip
        await asyncio.wait_for(server.main_loop(), timeout=60)

    run_async(main)
    assert server.should_exit


def test_the_date_header_is_that_of_the_second_a_reply_reads_it_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing writes it while the server sleeps: the headers every reply starts from carry the
    Date of the second they are read in (and the config's own headers after it)."""
    from ft_dcc.server.runtime import uvicorn_server

    server = uvicorn_server.IdleServer(_config())
    assert 0.01 <= uvicorn_server.until_next_second(1000.0) <= 1.01  # with a request limit
    assert uvicorn_server.until_next_second(1000.999) == pytest.approx(0.011)
    for now in (1000.2, 1000.9, 1001.0, 86400.5):
        monkeypatch.setattr(uvicorn_server.time, "time", lambda now=now: now)
        headers = server.server_state.default_headers
        assert headers[0] == (b"date", formatdate(int(now), usegmt=True).encode())
        assert headers[1:] == server.config.encoded_headers


def test_the_loop_ticks_once_a_second_with_a_request_limit() -> None:
    from ft_dcc.server.runtime import uvicorn_server

    config = _config()
    assert uvicorn_server.IdleServer(config)._next_tick() is None  # only an exit wakes it
    config.limit_max_requests = 100
    assert 0.01 <= (uvicorn_server.IdleServer(config)._next_tick() or 0) <= 1.01
