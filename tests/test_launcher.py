"""support.launcher: a zygote's child is what ``python -m MODULE`` would have been (exit status,
streams, environment, working directory, signals, randomness), answers like ``subprocess.Popen``,
and a crash, a kill or a gone zygote leave the tests able to start processes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from support import launcher
from support.launcher import Launched, Launcher
from support.trust import start_server
from support.waiting import wait_until

PROBE = """
import json, os, random, signal, subprocess, sys, time
what = sys.argv[1]
if what == "report":
    print(json.dumps({
        "argv": sys.argv, "cwd": os.getcwd(), "path0": sys.path[0], "ppid": os.getppid(),
        "env": dict(os.environ),
        "exec_env": subprocess.run(["env", "-0"], capture_output=True).stdout.decode(),
        "stdin": sys.stdin.read(), "umask": os.umask(0),
        "random": random.random(),
        "signals": {name: str(signal.getsignal(getattr(signal, name)))
                    for name in ("SIGINT", "SIGTERM", "SIGCHLD", "SIGPIPE", "SIGHUP")},
        "blocked": sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])),
        "main": sys.modules["__main__"].__spec__.name,
    }))
    print("to stderr", file=sys.stderr)
elif what == "exit":
    print("some output", flush=False)
    sys.exit(int(sys.argv[2]))
elif what == "message":
    raise SystemExit("it went wrong")
elif what == "raise":
    raise ValueError("uncaught")
elif what == "segfault":
    os.kill(os.getpid(), signal.SIGSEGV)
elif what == "sleep":
    print("sleeping", flush=True)
    time.sleep(600)
elif what == "parser":  # how many query parsers this process has built (0 or 1)
    from ft_dcc.server.query import parser
    print(parser._parser.cache_info().currsize)
elif what == "ddl":  # how many DDL statements of the shared tables this process holds compiled
    from ft_dcc.server.store import shared_ddl
    print(sum(1 for key in shared_ddl._SQL if "sqlite" in key))
elif what == "database":  # the tables of the SQLite database at argv[2] as this process starts
    import sqlite3
    connection = sqlite3.connect(sys.argv[2])
    print(json.dumps([row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")]))
    connection.close()
elif what == "atexit":
    import atexit, threading
    atexit.register(lambda: print("atexit ran"))
    threading.Thread(target=lambda: (time.sleep(0.2), print("thread finished"))).start()
    print("buffered, never flushed by hand", end="")
"""


@pytest.fixture
def probe_dir(tmp_path: Path) -> Path:
    """A folder with the package ``probe`` (``python -m probe WHAT`` there)."""
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "__main__.py").write_text(textwrap.dedent(PROBE))
    return tmp_path


#: a variable only in the environment of the module's zygote: no child is given it
ZYGOTE_ONLY = "FT_DCC_TEST_IN_THE_ZYGOTE_ONLY"


@pytest.fixture
def own_launcher() -> Iterator[Launcher]:
    """A launcher with a zygote of this test's own (the session's keeps serving servers), for
    a test that ends its zygote."""
    mine = Launcher()
    yield mine
    mine.close()


@pytest.fixture(scope="module")
def shared_launcher() -> Iterator[Launcher]:
    """The module's own launcher (not the session's, which keeps serving servers), for the tests
    that only start, signal and end its children: a zygote start costs most of a CPU-second.
    Its zygote starts here, with :data:`ZYGOTE_ONLY` in its environment."""
    mine = Launcher()
    os.environ[ZYGOTE_ONLY] = "1"
    try:
        assert mine._zygote_for(os.environ) is not None
    finally:
        del os.environ[ZYGOTE_ONLY]
    yield mine
    mine.close()


def run(
    mine: Launcher, cwd: Path, *args: str, stdin: Any = subprocess.DEVNULL, **kwargs: Any
) -> Tuple[Any, str, str]:
    """``python -m probe ARGS`` in ``cwd``: the process, its stdout and stderr."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = mine.launch(
            list(args), cwd=cwd, stdin=stdin, stdout=out, stderr=err, module="probe", **kwargs
        )
        process.wait(timeout=120)
        out.seek(0)
        err.seek(0)
        return process, out.read().decode(), err.read().decode()


def interpreter_env(**more: str) -> Dict[str, str]:
    """An environment with only the interpreter's settings of this process, and ``more``."""
    kept = {k: v for k, v in os.environ.items() if k.startswith(launcher.INTERPRETER_PREFIXES)}
    return dict(kept, **more)


def test_a_child_has_the_given_argv_cwd_environment_and_stdin(
    shared_launcher: Launcher, probe_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IN_THE_TEST_PROCESS", "1")  # in this process's environment
    zygote = shared_launcher.zygote
    assert zygote is not None and zygote.env[ZYGOTE_ONLY] == "1"  # in the zygote's
    stdin = tmp_path / "stdin.txt"
    stdin.write_text("given input")
    env = interpreter_env(ONLY_THIS="yes", PATH=os.environ["PATH"])
    with stdin.open("rb") as given:
        process, out, err = run(shared_launcher, probe_dir, "report", "x y", env=env, stdin=given)
    assert isinstance(process, Launched)  # forked, not a subprocess
    assert process.returncode == 0, err
    assert err == "to stderr\n"
    report = json.loads(out)
    assert report["argv"] == [str(probe_dir / "probe" / "__main__.py"), "report", "x y"]
    assert report["cwd"] == report["path0"] == str(probe_dir)
    assert report["env"] == env  # replaced, not added to the zygote's
    exec_env = dict(line.split("=", 1) for line in report["exec_env"].split("\0") if line)
    assert exec_env == env  # the processes it starts get it too
    assert report["stdin"] == "given input"
    assert report["ppid"] == zygote.process.pid
    assert report["main"] == "probe.__main__"


def test_a_child_starts_with_default_signals_its_umask_and_its_own_random_state(
    shared_launcher: Launcher, probe_dir: Path
) -> None:
    old = os.umask(0o027)
    try:
        reports = [json.loads(run(shared_launcher, probe_dir, "report")[1]) for _ in range(2)]
    finally:
        os.umask(old)
    for report in reports:
        assert report["umask"] == 0o027
        assert report["blocked"] == []
        assert report["signals"] == {
            "SIGINT": str(signal.default_int_handler),
            "SIGTERM": str(signal.Handlers.SIG_DFL),
            "SIGCHLD": str(signal.Handlers.SIG_DFL),
            "SIGPIPE": str(signal.Handlers.SIG_IGN),  # as CPython sets it
            "SIGHUP": str(signal.Handlers.SIG_DFL),
        }
    assert reports[0]["random"] != reports[1]["random"]


@pytest.mark.parametrize(
    ("what", "status", "in_stderr"),
    [
        (["exit", "0"], 0, ""),
        (["exit", "3"], 3, ""),
        (["message"], 1, "it went wrong"),
        (["raise"], 1, "ValueError: uncaught"),
    ],
)
def test_the_exit_status_and_streams_are_python_m_s(
    shared_launcher: Launcher, probe_dir: Path, what: List[str], status: int, in_stderr: str
) -> None:
    forked, out, err = run(shared_launcher, probe_dir, *what)
    assert isinstance(forked, Launched)
    real = subprocess.run(
        [sys.executable, "-m", "probe", *what],
        cwd=probe_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert forked.returncode == real.returncode == status
    assert out == real.stdout
    assert in_stderr in err and in_stderr in real.stderr
    assert err.strip().splitlines()[-1:] == real.stderr.strip().splitlines()[-1:]


def test_at_exit_threads_end_atexit_runs_and_output_is_flushed(
    shared_launcher: Launcher, probe_dir: Path
) -> None:
    process, out, _err = run(shared_launcher, probe_dir, "atexit")
    assert process.returncode == 0
    assert out == "buffered, never flushed by hand" + "thread finished\n" + "atexit ran\n"


def test_kill_terminate_stop_and_wait_answer_as_popen(
    shared_launcher: Launcher, probe_dir: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out.txt"
    with output.open("wb") as out:
        first = shared_launcher.launch(["sleep"], cwd=probe_dir, stdout=out, module="probe")
        second = shared_launcher.launch(["sleep"], cwd=probe_dir, stdout=out, module="probe")
    assert isinstance(first, Launched) and isinstance(second, Launched)
    wait_until(lambda: output.read_text().count("sleeping") == 2, "both asleep", timeout=120)
    assert first.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        first.wait(timeout=0.1)
    first.send_signal(signal.SIGSTOP)  # a stopped child is not reported as ended
    with pytest.raises(subprocess.TimeoutExpired):
        first.wait(timeout=0.5)
    first.kill()
    assert first.wait(timeout=60) == -signal.SIGKILL
    second.terminate()
    assert second.wait(timeout=60) == -signal.SIGTERM
    second.kill()  # after the end: nothing happens, as with Popen
    assert second.returncode == -signal.SIGTERM


def test_a_crashing_child_leaves_the_zygote_serving(
    shared_launcher: Launcher, probe_dir: Path
) -> None:
    crashed, _out, _err = run(shared_launcher, probe_dir, "segfault")
    assert isinstance(crashed, Launched)
    assert crashed.returncode == -signal.SIGSEGV
    zygote = shared_launcher.zygote
    assert zygote is not None and zygote.process.poll() is None
    again, out, _err = run(shared_launcher, probe_dir, "exit", "0")
    assert isinstance(again, Launched) and again.returncode == 0 and out == "some output\n"


STEP = """
import json, os, signal, sys
if sys.argv[1] == "sleep":  # until a signal ends it
    print(os.getpid(), flush=True)
    signal.pause()
print(json.dumps({"argv": sys.argv, "cwd": os.getcwd(), "path0": sys.path[0],
                  "ppid": os.getppid(), "given": os.environ.get("GIVEN")}))
sys.exit(int(sys.argv[2]))
"""


def test_a_step_python_child_is_what_python_script_would_have_been(
    shared_launcher: Launcher, tmp_path: Path
) -> None:
    """The command another program starts (openjd's farm steps, ``step_python``): ``python
    SCRIPT ARGS``'s argv, working directory, path, environment and exit status, forked by the
    zygote; a signal the command gets reaches the child, and the command ends by it too."""
    script = tmp_path / "scripts" / "step.py"
    script.parent.mkdir()
    script.write_text(STEP)
    zygote = shared_launcher.zygote
    assert zygote is not None
    wait_until(lambda: os.path.exists(os.path.join(zygote.folder, "launch.sock")), "listening")
    env = dict(os.environ, GIVEN="yes")
    done = {}
    for name, python in (("step", zygote.step_python), ("real", sys.executable)):
        done[name] = subprocess.run([python, str(script), "report", "3"], cwd=tmp_path, env=env,
                                    capture_output=True, text=True, timeout=120)  # fmt: skip
    step, real = (json.loads(done[name].stdout) for name in ("step", "real"))
    assert done["step"].returncode == done["real"].returncode == 3, done
    assert step["ppid"] == zygote.process.pid  # forked, not exec'd
    del step["ppid"], real["ppid"]
    assert step == real == {"argv": [str(script), "report", "3"], "cwd": str(tmp_path),
                            "path0": str(script.parent), "given": "yes"}  # fmt: skip
    output = tmp_path / "out.txt"
    with output.open("wb") as out:
        sleeping = subprocess.Popen([zygote.step_python, str(script), "sleep"], stdout=out)
    child = int(wait_until(lambda: output.read_text().strip(), "asleep", timeout=120))
    sleeping.terminate()
    assert sleeping.wait(timeout=60) == -signal.SIGTERM
    wait_until(lambda: not launcher._alive(child), "the child ended", timeout=60)


def test_without_a_zygote_children_are_real_subprocesses(
    own_launcher: Launcher, probe_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # another interpreter setting than the zygote's: a fork would not be the same interpreter
    other = interpreter_env(PYTHONPATH=str(probe_dir))
    process, out, _err = run(own_launcher, probe_dir, "exit", "4", env=other)
    assert isinstance(process, subprocess.Popen) and process.returncode == 4
    # a stream to read while the child runs
    piped = own_launcher.launch(
        ["exit", "0"], cwd=probe_dir, stdout=subprocess.PIPE, module="probe"
    )
    assert isinstance(piped, subprocess.Popen)
    assert piped.communicate(timeout=120)[0] == b"some output\n"
    # the zygote gone: its running children end with it, later ones are subprocesses
    sleeping = own_launcher.launch(
        ["sleep"], cwd=probe_dir, stdout=subprocess.DEVNULL, module="probe"
    )
    assert isinstance(sleeping, Launched)
    zygote = own_launcher.zygote
    assert zygote is not None
    zygote.process.kill()
    zygote.process.wait(timeout=60)
    assert sleeping.wait(timeout=60) == -signal.SIGKILL
    process, out, _err = run(own_launcher, probe_dir, "exit", "5")
    assert isinstance(process, subprocess.Popen) and process.returncode == 5
    assert out == "some output\n"
    # switched off
    monkeypatch.setenv(launcher.DISABLE_ENV, "0")
    assert isinstance(run(Launcher(), probe_dir, "exit", "0")[0], subprocess.Popen)


ORPHAN = """
import os, sys, time
from support import zygote
done_reading, done_writing = os.pipe()
parent = os.getpid()
if os.fork() == 0:  # a child that reaches end_with only once its parent has ended
    os.close(done_writing)
    os.read(done_reading, 1)  # end of file: the parent has exited
    while os.getppid() == parent:
        time.sleep(0.01)
    zygote.end_with(parent)
    print("outlived its parent", flush=True)
    os._exit(0)
print(os.getpid(), flush=True)
"""


def test_a_child_slower_than_its_zygotes_end_does_not_outlive_it() -> None:
    """A zygote killed before its new child has asked to die with it (under load, the child
    runs after the test has its pid and has killed the zygote): the child ends at once, as the
    ones that asked in time do (it slept on alone, and ``wait`` waited 60 s for it)."""
    tests = str(Path(__file__).resolve().parent)
    done = subprocess.run(
        [sys.executable, "-c", ORPHAN], env=dict(os.environ, PYTHONPATH=tests),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().isdigit(), done.stdout  # no "outlived its parent"


def test_a_child_alive_after_its_zygote_has_gone_is_a_failure_not_a_kill(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its zygote's end should have killed it: ``wait`` says so when it did not, rather than
    answering -SIGKILL for a process still running."""
    import socket

    monkeypatch.setattr(Launched, "GONE_WAIT", 0.2)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    ours, theirs = socket.socketpair()
    theirs.close()  # the zygote has gone
    try:
        with pytest.raises(RuntimeError, match="outlived its zygote"):
            Launched(alive.pid, launcher._Lines(ours)).wait(timeout=60)
    finally:
        alive.kill()
        alive.wait()


def test_a_server_runs_from_the_zygote(fresh_server: Any) -> None:
    """The shared launcher starts the test servers (tests/conftest.py)."""
    assert isinstance(fresh_server.process, Launched)
    fresh_server.stop()
    assert fresh_server.process.returncode == 0


def test_a_forked_child_finds_the_servers_query_parser_built(
    shared_launcher: Launcher, probe_dir: Path
) -> None:
    """The zygote builds the server's query parser once; a forked server does not build it on
    its first query (a real process does)."""
    forked, out, err = run(shared_launcher, probe_dir, "parser")
    assert isinstance(forked, Launched) and forked.returncode == 0, err
    assert out.strip() == "1"
    real = subprocess.run([sys.executable, "-m", "probe", "parser"], cwd=probe_dir,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert real.returncode == 0 and real.stdout.strip() == "0", real.stderr


def test_a_forked_child_finds_the_new_databases_ddl_compiled(
    shared_launcher: Launcher, probe_dir: Path
) -> None:
    """The zygote opens a store on a new SQLite database once: a forked server finds the DDL
    of the shared tables compiled for SQLite (a real process compiles it making its database)."""
    forked, out, err = run(shared_launcher, probe_dir, "ddl")
    assert isinstance(forked, Launched) and forked.returncode == 0, err
    assert int(out) > 400  # about 90 tables and 350 indexes
    real = subprocess.run([sys.executable, "-m", "probe", "ddl"], cwd=probe_dir,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert real.returncode == 0 and real.stdout.strip() == "0", real.stderr


def test_a_child_asked_for_a_new_database_finds_the_one_a_store_makes(
    shared_launcher: Launcher, probe_dir: Path, tmp_path: Path
) -> None:
    """A child given ``new_database`` finds there a copy of the new SQLite database the zygote's
    store made, before it runs; never over a file that is there (a restarted server's)."""
    database = tmp_path / "data" / "ft_dcc.sqlite"
    database.parent.mkdir()
    forked, out, err = run(shared_launcher, probe_dir, "database", str(database),
                           new_database=database)  # fmt: skip
    assert forked.returncode == 0, err
    tables = json.loads(out)
    assert "ft_dcc_info" in tables and len(tables) > 80, tables
    assert database.stat().st_mode & 0o777 == 0o644 & ~current_umask()
    assert sorted(p.name for p in database.parent.iterdir()) == ["ft_dcc.sqlite"]
    database.write_bytes(b"")  # there now: left as it is
    forked, out, err = run(shared_launcher, probe_dir, "database", str(database),
                           new_database=database)  # fmt: skip
    assert forked.returncode == 0 and json.loads(out) == [], err


def current_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def test_a_server_on_the_zygotes_new_database_has_what_its_own_would_have(
    fresh_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forked server given the zygote's new database ends with the schema (tables, indexes,
    triggers, their SQL), storage version stamp, planner statistics and settings a server
    making its own database has."""
    monkeypatch.setenv(launcher.DISABLE_ENV, "0")  # a real subprocess: it makes its own
    own = start_server(tmp_path / "own")
    try:
        assert not isinstance(own.process, Launched)
        assert isinstance(fresh_server.process, Launched)
        assert schema_of(fresh_server.sqlite_file) == schema_of(own.sqlite_file)
        assert fresh_server.sqlite_file.stat().st_mode == own.sqlite_file.stat().st_mode
    finally:
        own.stop()


def schema_of(database: Any) -> Dict[str, Any]:
    with contextlib.closing(sqlite3.connect(database)) as connection:
        master = connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        stamp = connection.execute("SELECT * FROM ft_dcc_info ORDER BY 1").fetchall()
        statistics = None  # none gathered yet
        if any(row[1] == "sqlite_stat1" for row in master):
            statistics = connection.execute(
                "SELECT * FROM sqlite_stat1 ORDER BY tbl, idx"
            ).fetchall()
        pragmas = {name: connection.execute(f"PRAGMA {name}").fetchall()
                   for name in ("journal_mode", "user_version", "application_id", "page_size",
                                "auto_vacuum", "encoding")}  # fmt: skip
    return {"master": master, "stamp": stamp, "statistics": statistics, "pragmas": pragmas}


def test_a_zygote_whose_test_process_went_removes_its_files(own_launcher: Launcher) -> None:
    """A test process that ends without closing its launcher (killed) leaves no zygote files:
    the zygote removes its folder when its control socket closes."""
    zygote = own_launcher._zygote_for(os.environ)
    assert zygote is not None
    new_database = Path(zygote.folder, "new.sqlite")
    wait_until(new_database.exists, "the zygote's new database", timeout=120)
    zygote.control.close()  # as a killed test process's end closes
    zygote.process.wait(timeout=120)
    assert not Path(zygote.folder).exists()


def test_the_zygote_imports_psycopg_first_for_a_child_on_postgresql() -> None:
    """The zygote imports what a child needs beyond its preloads once, before the first child
    that needs it: openjd's for ``python -m openjd``, psycopg's for a PostgreSQL database named
    in the arguments or ``$FT_DCC_DATABASE`` (not for a SQLite one, nor a path that says it)."""
    from support.zygote import ON_FIRST_POSTGRESQL, ON_FIRST_USE, first_use_of

    url = "postgresql+psycopg://u@127.0.0.1:5432/trust"
    asked = [
        {"module": "openjd", "argv": ["run"], "env": {}},
        {"module": "ft_dcc", "argv": ["server", "--database", url], "env": {}},
        {"module": "ft_dcc", "argv": ["user", "list", f"--database={url}"], "env": {}},
        {"module": "ft_dcc", "argv": ["server"], "env": {"FT_DCC_DATABASE": url}},
        {"module": "ft_dcc", "argv": ["server", "--data", "/tmp/trust-postgresql-4"], "env": {}},
        {"module": "ft_dcc", "argv": ["user", "list", "--database", "sqlite:///x.db"], "env": {}},
    ]
    wanted = [first_use_of(request) for request in asked]
    assert wanted == [ON_FIRST_USE["openjd"], *[ON_FIRST_POSTGRESQL] * 3, (), ()]
