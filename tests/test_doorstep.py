"""The doorstep: the README's test command is all a fresh machine needs, and CI runs exactly it.

``make test`` installs the Debian packages the tests drive (only the missing ones: a machine
that has them all never calls apt), then the Python environment, then runs everything."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="needs Debian's dpkg")


def _commands(script: str) -> list:
    lines = [line.strip() for line in script.splitlines()]
    return [
        line
        for line in lines
        if line and not line.startswith(("#", "set ", "cd ")) and not line.startswith("#!")
    ]


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", quick_start, re.S).group(1)
    test_commands = [line.split("#")[0].strip() for line in block.splitlines() if "test" in line]
    assert test_commands == ["make test"]
    assert _commands((ROOT / ".ci" / "run").read_text(encoding="utf-8")) == ["make test"]


def _fake_apt(tmp_path: Path) -> Path:
    """An ``apt-get`` on PATH that records its arguments instead of installing."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    apt = bin_dir / "apt-get"
    apt.write_text(f'#!/bin/sh\necho "$@" >> "{tmp_path}/apt-calls"\n', encoding="utf-8")
    apt.chmod(0o755)
    return bin_dir


def _system_deps(tmp_path: Path, packages: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{_fake_apt(tmp_path)}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(
        ["make", "-s", "-C", str(ROOT), "system-deps", "SUDO=", f"SYSTEM_PACKAGES={packages}"],
        capture_output=True,
        text=True,
        env=env,
    )


def test_test_installs_the_system_packages_first():
    dry = subprocess.run(
        ["make", "-n", "-C", str(ROOT), "test"], capture_output=True, text=True, check=True
    )
    lines = dry.stdout.splitlines()
    apt_check = next(i for i, line in enumerate(lines) if "dpkg-query" in line)
    pytest_run = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    assert apt_check < pytest_run


def test_present_packages_never_call_apt(tmp_path):
    done = _system_deps(tmp_path, "dpkg coreutils")
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "apt-calls").exists()


def test_missing_packages_are_installed_and_only_those(tmp_path):
    done = _system_deps(tmp_path, "dpkg ft-dcc-no-such-package coreutils")
    assert done.returncode == 0, done.stderr
    calls = (tmp_path / "apt-calls").read_text(encoding="utf-8").splitlines()
    install = [call for call in calls if " install " in f" {call} "]
    assert install and install[0].endswith(
        "install -y -qq --no-install-recommends ft-dcc-no-such-package"
    )
    assert "ft-dcc-no-such-package" in done.stdout + done.stderr  # says what it installs


#: every static check `make test` runs (`make check`), by the program each one starts
CHECK_PROGRAMS = ("check_py39_imports.py", "mypy", "vermin", "ruff check", "lint-imports")


def _fake_checkout(tmp_path: Path) -> Path:
    """The Makefile in a folder whose venv and tools are scripts that record their arguments and
    fail when named in $FAIL; every install stamp is up to date, so nothing real is installed."""
    root = tmp_path / "checkout"
    (root / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(ROOT / "Makefile", root / "Makefile")
    sources = ["pyproject.toml", "setup.py", "tests/js/package.json", "tests/js/package-lock.json"]
    stamps = [".venv/.installed-dev", ".venv/.compiled", "tests/js/node_modules/.installed"]
    for name, when in [(n, 1_000_000_000) for n in sources] + [(n, 1_500_000_000) for n in stamps]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("", encoding="utf-8")
        os.utime(root / name, (when, when))
    for tool in ("python", "mypy", "vermin", "ruff", "lint-imports"):
        script = root / ".venv" / "bin" / tool
        script.write_text(
            f'#!/bin/sh\necho "{tool} $*" >> "{tmp_path}/calls"\n'
            f'case "{tool} $*" in *"$FAIL"*) echo "{tool}: fake failure"; exit 1;; esac\n',
            encoding="utf-8",
        )
        script.chmod(0o755)
        os.utime(script, (1_000_000_000, 1_000_000_000))  # older than the install stamps
    return root


def _make_test(tmp_path: Path, fail: str) -> subprocess.CompletedProcess:
    root = _fake_checkout(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    return subprocess.run(
        ["make", "-C", str(root), "test", "SUDO=", "SYSTEM_PACKAGES=dpkg", "PY39=python3.9"],
        capture_output=True,
        text=True,
        env=dict(env, FAIL=fail),
    )


def test_make_test_runs_every_check_and_the_tests(tmp_path):
    done = _make_test(tmp_path, fail="no such program")
    assert done.returncode == 0, done.stdout + done.stderr
    calls = (tmp_path / "calls").read_text(encoding="utf-8")
    for program in CHECK_PROGRAMS:
        assert program in calls, calls
    assert "-m pytest -n" in calls
    assert "pip install" not in calls and "sysconfig" not in calls  # nothing installed again


@pytest.mark.parametrize("failing", CHECK_PROGRAMS)
def test_a_failing_check_fails_make_test_and_shows_its_output(tmp_path, failing):
    done = _make_test(tmp_path, fail=failing)
    assert done.returncode != 0
    assert "fake failure" in done.stdout + done.stderr
    if failing != "check_py39_imports.py":  # the one check before the tests: it stops them
        assert "-m pytest -n" in (tmp_path / "calls").read_text(encoding="utf-8")


def test_failing_tests_fail_make_test_when_the_checks_pass(tmp_path):
    done = _make_test(tmp_path, fail="-m pytest -n")
    assert done.returncode != 0
    assert "passed" in done.stdout  # the checks' verdict, after the tests


def test_no_module_this_test_process_imported_is_left_uncompiled():
    """`make test` leaves out of its bytecode compile what no test process imports; a module left
    out that a process imports is compiled again in every such process. A pytest worker has
    imported every test module's dependencies (it collected them all)."""
    dry = subprocess.run(
        ["make", "-s", "-n", "-B", "-C", str(ROOT), ".venv/.compiled"],
        capture_output=True,
        text=True,
        check=True,
    )
    skip = re.compile(re.search(r"compileall .*-x '([^']+)'", dry.stdout).group(1))
    files = [getattr(module, "__file__", None) or "" for module in list(sys.modules.values())]
    loaded = [name for name in files if name.endswith(".py") and "site-packages" in name]
    assert len(loaded) > 100
    assert [name for name in loaded if skip.search(name)] == []
