"""The Blender adapter's plain-Python parts, without starting Blender: .blend header reading,
paths and frames (its job, mailbox and progress: tests/publish/test_host_job.py)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from blender_helpers import ROOT
from ft_dcc_hosts.blender.headless import parse_frames
from ft_dcc_hosts.blender.runner import blend_file_version, python_paths


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
