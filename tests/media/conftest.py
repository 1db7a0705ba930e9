"""Fixtures for media tests."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def ffprobe_exe() -> str:
    exe = shutil.which("ffprobe")
    if exe is None:
        pytest.skip("Debian's ffprobe is not installed (make system-deps installs it)")
    return exe
