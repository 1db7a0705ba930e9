"""The parallel run builds each shared fixture instance once, and ends a group's own fixtures
after its last test (``tests/support/scheduling.py``).

A small suite runs the way ``make test`` runs (``-n 2 --dist loadgroup``, the suite's
scheduling plugin); its fixtures log each build and end, its tests each start, in a log per
worker. Without the groups both workers take tests of each module and build its fixture
(pytest-xdist gives every worker work at the start). The ``pg_server`` stand-in is reached both
by name and through a parametrised fixture.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

HERE = Path(__file__).resolve().parent

CONFTEST = """
import os
import pytest
from support.groups import on_pg_server

pytest_plugins = ["support.scheduling"]


def note(line):
    with open(os.environ["RUN_LOG"] + "." + os.environ["PYTEST_XDIST_WORKER"], "a") as log:
        log.write(line + "\\n")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def world(request):
    note("built world-" + request.param)
    yield
    note("ended world-" + request.param)


@pytest.fixture(scope="session")
def pg_server():
    note("built pg_server")
    yield
    note("ended pg_server")


@pytest.fixture(scope="session")
def pg_second(pg_server):
    note("built pg_second")
    yield
    note("ended pg_second")


@pytest.fixture(params=["sqlite", on_pg_server()])
def either(request):
    if request.param != "sqlite":
        request.getfixturevalue("pg_server")


@pytest.fixture(scope="session")
def everyone():
    note("built everyone")
    yield
    note("ended everyone")


@pytest.fixture(autouse=True)
def noted(request):
    note("test " + request.node.name)
"""

MODULE = """
import pytest
from conftest import note


@pytest.fixture(scope="module")
def server():
    note("built server")


@pytest.mark.parametrize("n", range(12))
def test_a_server(server, n):
    pass


@pytest.mark.parametrize("n", range(12))
def test_a_world(world, everyone, n):
    pass


@pytest.mark.parametrize("n", range(12))
def test_neither(everyone, n):
    pass


@pytest.mark.parametrize("n", range(6))
def test_on_pg_server(pg_server, n):
    pass


def test_on_both_servers(pg_second):
    pass


@pytest.mark.parametrize("n", range(6))
def test_on_either_backend(either, n):
    pass
"""


@pytest.fixture(scope="module")
def worker_logs(tmp_path_factory: pytest.TempPathFactory) -> List[List[str]]:
    """The lines each worker of one parallel run of the small suite logged."""
    folder = tmp_path_factory.mktemp("suite")
    (folder / "conftest.py").write_text(CONFTEST)
    (folder / "test_suite.py").write_text(MODULE)
    log = folder / "run.log"
    env = {"RUN_LOG": str(log), "PYTHONPATH": str(HERE), "PATH": "/usr/bin:/bin"}
    args = ["-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [sys.executable, *args, "--rootdir", str(folder), str(folder)],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "67 passed" in done.stdout
    return [path.read_text().splitlines() for path in sorted(folder.glob("run.log.gw*"))]


def test_each_shared_fixture_is_built_once_in_a_parallel_run(worker_logs: List[List[str]]) -> None:
    built = sorted(line for lines in worker_logs for line in lines
                   if line.startswith("built ") and line != "built everyone")  # fmt: skip
    expected = ["pg_second", "pg_server", "server", "world-postgresql", "world-sqlite"]
    assert built == [f"built {name}" for name in expected], built


SLOW_MODULE = """
import pytest


@pytest.mark.slow
def test_long():
    pass
"""


def _module(count: int) -> str:
    """A test module of ``count`` tests."""
    return (
        "import pytest\n\n\n"
        f"@pytest.mark.parametrize('n', range({count}))\ndef test_one(n):\n    pass\n"
    )


def test_each_folders_tests_are_spread_through_the_run_long_ones_first(tmp_path: Path) -> None:
    """Handed out one by one, consecutive tests ran side by side: a folder of tests that wait
    (the offline publishes' retries) once filled every worker and left the cores idle. Each
    folder's tests are spread evenly through the order instead, each keeping its own order."""
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["support.scheduling"]\n')
    for folder, count in (("publish", 4), ("server", 8)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"test_{folder}.py").write_text(_module(count))
    (tmp_path / "server" / "test_slow.py").write_text(SLOW_MODULE)
    env = {"PYTHONPATH": str(HERE), "PATH": "/usr/bin:/bin"}
    args = ["-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [sys.executable, *args, "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    order = [line.split("/")[0] + (line[line.find("[") :] if "[" in line else "")
             for line in done.stdout.splitlines() if "::" in line]  # fmt: skip
    assert order[0] == "server", order  # the long test first
    publish = [i for i, name in enumerate(order) if name.startswith("publish")]
    # publish's 4 at 1/8, 3/8, 5/8 and 7/8 of the way, among server's 9 (its long one first)
    assert publish == [2, 5, 9, 12], order  # spread through, not 4 in a row
    assert [order[i] for i in publish] == ["publish[0]", "publish[1]", "publish[2]", "publish[3]"]


def test_a_groups_own_session_fixtures_end_after_its_last_test(
    worker_logs: List[List[str]],
) -> None:
    """A session-scoped fixture that only one group's tests use (``pg_server``, each
    ``trust_world``) idled through the rest of the run once the group was done: four PostgreSQL
    server processes for minutes. Each such instance now ends after its group's last test on the
    worker; one that other tests use too (``everyone``) ends with the session."""
    for worker in worker_logs:
        if "built everyone" in worker:  # once on the worker, ended with its session: after its
            # last test (where a group's tests were the worker's last, its own fixture ends with
            # the session too, and may end after this one)
            last_test = max(i for i, line in enumerate(worker) if line.startswith("test "))
            assert worker.count("built everyone") == 1, worker
            assert worker.index("ended everyone") > last_test, worker
        for name, users in GROUP_USERS.items():
            if f"built {name}" in worker:
                _ends_after_its_groups_last_test(worker, name, users)


#: each group's own fixture, and the tests of its group (words in their names)
GROUP_USERS = {
    "world-sqlite": ("test_a_world[sqlite",),
    "world-postgresql": ("test_a_world[postgresql",),
    "pg_server": ("test_on_pg_server", "test_on_both", "test_on_either_backend[postgresql"),
    "pg_second": ("test_on_pg_server", "test_on_both", "test_on_either_backend[postgresql"),
}


def _ends_after_its_groups_last_test(worker: List[str], name: str, users: Tuple[str, ...]) -> None:
    """``ended NAME`` comes after the last test of its group and before the worker's next test
    (not at the session's end)."""
    tests = [i for i, line in enumerate(worker) if line.startswith("test ")]
    last = max(i for i in tests if worker[i][5:].startswith(users))
    later = [i for i in tests if i > last]
    ended = worker.index(f"ended {name}")
    assert last < ended < (later[0] if later else len(worker)), (name, worker)
