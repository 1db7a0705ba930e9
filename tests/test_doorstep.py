"""The doorstep: the README's test command is all a fresh machine needs, and CI runs exactly it.

``make test`` installs the Debian packages the tests drive (only the missing ones: a machine
that has them all never calls apt), then the Python environment, then runs everything."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
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
