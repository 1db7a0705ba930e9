"""Off the farm's main path: a re-run skips finished work before capturing, a sequence with
gaps is refused at submission (naming the missing frames), and the printed ``openjd run``
command works as pasted into a shell whose ``PATH`` lacks the venv."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, Dict

from farm_helpers import farm_env, ft_dcc, openjd_run, session_versions, submit

from ft_dcc.farm.publish_step import ALREADY


def test_a_rerun_skips_the_captured_parts_before_capturing_again(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(shots.settings))
    name = f"Farm rerun {uuid.uuid4().hex[:6]}"
    bundle = tmp_path / "bundle"
    done = submit(env, bundle, str(shots.scenes[0]), "--review-session", name)
    assert done.returncode == 0, done.stdout + done.stderr
    first = openjd_run(bundle, env)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-2000:]
    staged = sorted((bundle / "work").rglob("frames/*.png"))
    assert len(staged) == 12
    before = {path: path.stat().st_ino for path in staged}
    # the renders are gone (moved away): a capture run again would fail on every frame
    for frame in range(1001, 1013):
        Path(str(shots.scenes[0]) % frame).unlink()
    again = openjd_run(bundle, env)
    assert again.returncode == 0, again.stdout[-4000:] + again.stderr[-2000:]
    assert again.stdout.count("already captured: part") == 2, again.stdout[-4000:]
    assert again.stdout.count(f"{ALREADY}:") == 1
    assert {path: path.stat().st_ino for path in staged} == before  # not copied again
    assert len(session_versions(embedded_server, tmp_path, name)) == 1


def test_submit_refuses_a_sequence_with_gaps_naming_the_missing_frames(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(shots.settings))
    for frame in (1004, 1005, 1009):
        Path(str(shots.scenes[1]) % frame).unlink()
    mark = embedded_server.log_mark()
    bundle = tmp_path / "bundle"
    done = submit(env, bundle, str(shots.scenes[0]), str(shots.scenes[1]))
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert "frames 1004-1005, 1009 of" in line and "sh020_comp" in line, line
    assert not bundle.exists()
    assert embedded_server.requests_since(mark) == []  # refused before the server was asked
    # a range inside the frames on disk is fine (--frames 1001-1003)
    done = submit(env, bundle, str(shots.scenes[1]), "--frames", "1001-1003")
    assert done.returncode == 0, done.stdout + done.stderr


def without_venv(env: Dict[str, str]) -> Dict[str, str]:
    """A TD's shell: the venv's bin folder is not on PATH."""
    venv_bin = str(Path(sys.executable).parent)
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != venv_bin]
    env = {k: v for k, v in env.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = os.pathsep.join(path or ["/usr/bin", "/bin"])
    return env


def test_the_printed_openjd_run_command_works_as_pasted(
    embedded_server: Any, tmp_path: Path, shots: Any
) -> None:
    env = without_venv(farm_env(embedded_server, tmp_path, FT_DCC_SETTINGS=str(shots.settings)))
    name = f"Farm pasted {uuid.uuid4().hex[:6]}"
    bundle = tmp_path / "bundle dir"  # a space: the printed command quotes its paths
    # no --python: the bundle's FtDccPython is the default a TD gets (python3)
    done = ft_dcc(env, "farm", "submit", str(shots.scenes[2]),
                  "--review-session", name, "--output", str(bundle))  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (line,) = [s for s in done.stdout.splitlines() if s.startswith("Run it here:")]
    command = line.split(":", 1)[1].strip()
    assert shlex.split(command)[1] == "run", command
    pasted = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", command],
        env=env, capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    assert pasted.returncode == 0, command + "\n" + pasted.stdout[-4000:] + pasted.stderr[-2000:]
    assert len(session_versions(embedded_server, tmp_path, name)) == 1
