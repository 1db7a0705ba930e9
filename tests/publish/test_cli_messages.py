"""The command line speaks in command-line terms: options, not Python keyword arguments; an
empty folder is "empty"; a real ``--help``; ``host list`` says which hosts can run here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import run_ft_dcc

from ft_dcc.exceptions import CaptureError
from ft_dcc.host.files import FilesHost


def _ft_dcc(*args: str, env=None) -> subprocess.CompletedProcess:
    """``ft-dcc ARGS`` (a child of the zygote: support.launcher says why it need not exec)."""
    return run_ft_dcc(args, env=env, timeout=None)


def test_an_empty_folder_is_called_empty(tmp_path):
    with pytest.raises(CaptureError, match=r"is an empty folder") as caught:
        FilesHost(tmp_path)
    assert "does not exist" not in caught.value.message
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(CaptureError, match=r"is a folder") as caught:
        FilesHost(tmp_path)
    assert "does not exist" not in caught.value.message


def test_a_missing_task_names_the_option(offline_env, tmp_path):
    from support.media import make_sequence

    frames = make_sequence(tmp_path / "seq", frames=3)
    env = {k: v for k, v in os.environ.items() if k != "FTRACK_CONTEXTID"}
    done = _ft_dcc("publish", str(frames), env=env)
    text = done.stdout + done.stderr
    assert "--task" in text, text
    assert "task='" not in text and "pass task" not in text, text


def test_help_describes_the_tool():
    done = _ft_dcc("--help")
    assert done.returncode == 0
    assert "dispatcher" not in done.stdout
    assert "Publish playblasts" in done.stdout and "review" in done.stdout


def test_host_list_says_which_hosts_are_available(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    env = dict(os.environ, PATH=f"{empty}{os.pathsep}{Path(sys.executable).parent}",
               FT_DCC_MAYAPY="none", FT_DCC_NUKE=str(tmp_path / "no-nuke"))  # fmt: skip
    done = _ft_dcc("host", "list", env=env)
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines() if line.strip()}
    assert "not found" in rows["maya"] and "FT_DCC_MAYAPY" in rows["maya"], done.stdout
    assert "not found" in rows["nuke"] and "FT_DCC_NUKE" in rows["nuke"], done.stdout
    assert "blender" in rows  # the bpy module or a blender executable


@pytest.mark.parametrize("rate", ["abc", "0", "-25", "24/0", "inf"])
def test_a_frame_rate_that_is_none_is_one_line_naming_the_option(offline_env, tmp_path, rate):
    """``--fps`` that is no frame rate is refused by the command line, before anything is
    read or sent, in one line saying what a rate looks like (it was a Python traceback)."""
    from support.media import make_sequence

    frames = make_sequence(tmp_path / "seq", frames=3)
    done = _ft_dcc("publish", str(frames), "--task", "p/sq/sh/comp", f"--fps={rate}")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert f"--fps must be a frame rate like 25, 23.976 or 24000/1001, not {rate!r}" in done.stderr
