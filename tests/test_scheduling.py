"""The parallel run builds each shared fixture instance once (``tests/support/scheduling.py``).

A small suite runs the way ``make test`` runs (``-n 2 --dist loadgroup``, the suite's
scheduling plugin); its fixtures log each build. Without the groups both workers take tests of
each module and build its fixture (pytest-xdist gives every worker work at the start). The
``pg_server`` stand-in is reached both by name and through a parametrised fixture.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CONFTEST = """
import os
import pytest
from support.groups import on_pg_server

pytest_plugins = ["support.scheduling"]


def built(name):
    with open(os.environ["BUILD_LOG"], "a") as log:
        log.write(name + "\\n")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def world(request):
    built("world-" + request.param)
    return request.param


@pytest.fixture(scope="session")
def pg_server():
    built("pg_server")


@pytest.fixture(params=["sqlite", on_pg_server()])
def either(request):
    if request.param != "sqlite":
        request.getfixturevalue("pg_server")
"""

MODULE = """
import pytest
from conftest import built


@pytest.fixture(scope="module")
def server():
    built("server")


@pytest.mark.parametrize("n", range(12))
def test_a_server(server, n):
    pass


@pytest.mark.parametrize("n", range(12))
def test_a_world(world, n):
    pass


@pytest.mark.parametrize("n", range(12))
def test_neither(n):
    pass


@pytest.mark.parametrize("n", range(6))
def test_on_pg_server(pg_server, n):
    pass


@pytest.mark.parametrize("n", range(6))
def test_on_either_backend(either, n):
    pass
"""


def test_each_shared_fixture_is_built_once_in_a_parallel_run(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_shared.py").write_text(MODULE)
    log = tmp_path / "built.log"
    env = {"BUILD_LOG": str(log), "PYTHONPATH": str(HERE), "PATH": "/usr/bin:/bin"}
    args = ["-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [sys.executable, *args, "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "66 passed" in done.stdout
    built = sorted(log.read_text().split())
    assert built == ["pg_server", "server", "world-postgresql", "world-sqlite"], built


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
