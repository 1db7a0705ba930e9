"""The Blender adapter's plain-Python parts, without starting Blender: .blend header reading,
the main-thread call mailbox and the progress state the modal operator polls."""

from __future__ import annotations

import gzip
import importlib.util
import threading
from pathlib import Path

import pytest
from blender_helpers import ROOT
from ft_dcc_hosts.blender.headless import parse_frames
from ft_dcc_hosts.blender.runner import blend_file_version, python_paths


def load_jobs():
    """``addon/jobs.py`` alone (the add-on package itself imports bpy)."""
    path = ROOT / "hosts" / "blender" / "addon" / "jobs.py"
    spec = importlib.util.spec_from_file_location("ft_dcc_blender_jobs", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("header", "version"),
    [
        (b"BLENDER-v304RENDH", (3, 4)),
        (b"BLENDER_v279REND", (2, 79)),
        (b"BLENDER17-01v0500RENDH", (5, 0)),
        (b"BLENDER17-01v0402", (4, 2)),
        (b"not a blend file", None),
    ],
)
def test_blend_header_versions(tmp_path: Path, header: bytes, version):
    plain = tmp_path / "plain.blend"
    plain.write_bytes(header + b"\0" * 64)
    assert blend_file_version(plain) == version
    packed = tmp_path / "packed.blend"
    packed.write_bytes(gzip.compress(header + b"\0" * 64))
    assert blend_file_version(packed) == version


def test_python_paths_cover_ft_dcc_and_its_dependencies():
    paths = python_paths()
    assert str(ROOT) in paths  # the editable checkout: ft_dcc and hosts
    assert any((Path(p) / "pyblish").is_dir() for p in paths)
    assert any((Path(p) / "attr").is_dir() for p in paths)


def test_parse_frames():
    assert parse_frames("1001-1024") == (1001, 1024)
    assert parse_frames([1, 12]) == (1, 12)
    assert parse_frames(None) is None
    assert parse_frames("7") == (7, 7)


def test_worker_calls_run_on_the_main_thread():
    jobs = load_jobs()
    calls = jobs.MainThreadCalls()
    seen = []

    def ask(value):
        seen.append(threading.get_ident())
        if value == "boom":
            raise ValueError("boom")
        return value * 2

    results = {}

    def worker():
        results["ok"] = calls.call(ask, 21)
        try:
            calls.call(ask, "boom")
        except ValueError as exc:
            results["error"] = str(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    while thread.is_alive():
        calls.drain()
        thread.join(0.01)
    calls.drain()
    assert results == {"ok": 42, "error": "boom"}
    assert set(seen) == {threading.get_ident()}  # both ran here, not in the worker
    assert calls.call(ask, 1) == 2  # on the main thread: direct


def test_progress_state_is_monotonic_across_stages():
    jobs = load_jobs()
    progress = jobs.ProgressState()
    fractions = []
    for stage, fraction in [("capture", 0.0), ("capture", 0.5), ("capture", 1.0),
                            ("encode", 0.5), ("upload", 1.0), ("publish", 0.2),
                            ("integrate", 1.0)]:  # fmt: skip
        progress(stage, fraction, stage)
        fractions.append(progress.snapshot()[0])
    assert fractions == sorted(fractions)
    assert fractions[-1] == pytest.approx(1.0)
    assert progress.snapshot()[1:] == ("integrate", "integrate")
