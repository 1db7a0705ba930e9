"""What a person sees of ``ft-dcc publish`` progress: on a terminal (a real pty, read back through a
VT100 emulator) one clean bar per stage with frames or bytes and the time left, warnings on their
own lines; plain lines when the output is not a terminal or with ``--json``."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from support import make_task, open_session
from support.cli import run_ft_dcc
from support.media import make_sequence
from support.terminal import ft_dcc_in_pty, screen_lines

from ft_dcc.publish.common.report import EXIT_QUEUED

STAGES = ("capture", "encode", "verify", "thumbnail", "upload", "integrate")
#: a finished or running stage line: name, bar, percent, then details (no second stage name)
BAR_LINE = re.compile(r"^  (\w+) +\[[#.]{24}\] +\d{1,3}% ")


def _bars(lines):
    return [line for line in lines if BAR_LINE.match(line)]


def _save(artifacts_dir: Path, name: str, output: bytes, lines) -> None:
    (artifacts_dir / f"{name}.raw").write_bytes(output)
    (artifacts_dir / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_terminal_shows_one_clean_bar_per_stage(ftrack_env, tmp_path, artifacts_dir):
    session = open_session(ftrack_env, tmp_path)
    task = make_task(session, f"cli{uuid.uuid4().hex[:8]}")
    frames = make_sequence(tmp_path / "seq", frames=12, size="640x360")
    code, output = ft_dcc_in_pty(
        ["publish", str(frames), "--task", task, "--review-session", "CLI dailies"]
    )
    lines = screen_lines(output)
    _save(artifacts_dir, "cli-progress-tty", output, lines)
    assert code == 0, "\n".join(lines)
    bars = _bars(lines)
    assert [BAR_LINE.match(line).group(1) for line in bars] == list(STAGES), "\n".join(lines)
    for line in bars:
        assert " 100% " in line, line
        others = [s for s in (*STAGES, "publish") if s != line.split()[0]]
        assert not any(re.search(rf"\b{s}\b", line) for s in others), f"not cleared: {line}"
    by_stage = {line.split()[0]: line for line in bars}
    assert re.search(r" 12/12 frames ", by_stage["encode"]), by_stage["encode"]
    assert re.search(r" [\d.]+/[\d.]+ [kM]B ", by_stage["upload"]), by_stage["upload"]
    assert all(re.search(r"\d+(\.\d)?s$", line) for line in bars)  # how long each took
    # the time left while a stage runs depends on this machine's speed: test_console_progress.py
    after_bars = lines[lines.index(bars[-1]) + 1]
    assert after_bars.startswith("Published v001"), "\n".join(lines)


def test_warnings_land_on_their_own_lines(offline_env, tmp_path, artifacts_dir):
    frames = make_sequence(tmp_path / "seq", frames=12)
    code, output = ft_dcc_in_pty(["publish", str(frames), "--task", "demo/sq/sh/comp"])
    lines = screen_lines(output)
    _save(artifacts_dir, "cli-progress-offline-tty", output, lines)
    assert code == EXIT_QUEUED, "\n".join(lines)
    # warnings are said once, in the report, each on a line of its own (never inside a bar)
    warnings = [line for line in lines if line.lstrip().startswith("warning:")]
    assert warnings, "\n".join(lines)
    assert not any("WARNING" in line for line in lines), lines  # not also logged live
    assert len(warnings) == len(set(warnings)), warnings
    assert not any(BAR_LINE.match(line) and "warning" in line.lower() for line in lines)
    assert [line.split()[0] for line in _bars(lines)] == list(STAGES[:4])


def test_plain_lines_when_not_a_terminal(offline_env, tmp_path):
    frames = make_sequence(tmp_path / "seq", frames=12)
    done = run_ft_dcc(["publish", str(frames), "--task", "demo/sq/sh/comp"], timeout=None)
    assert done.returncode == EXIT_QUEUED, done.stderr
    assert "\r" not in done.stderr and "\x1b" not in done.stderr
    stage_lines = [line for line in done.stderr.splitlines() if line.startswith(STAGES)]
    names = [line.split(":")[0] for line in stage_lines]
    assert names == [stage for stage in STAGES[:4] for _ in (1, 2)], done.stderr  # start, done
    assert all("done in" in line for line in stage_lines[1::2])


def test_json_on_a_terminal_keeps_progress_plain(offline_env, tmp_path):
    frames = make_sequence(tmp_path / "seq", frames=12)
    code, output = ft_dcc_in_pty(["publish", str(frames), "--task", "demo/sq/sh/comp", "--json"])
    assert code == EXIT_QUEUED, output.decode(errors="replace")
    assert b"\x1b[" not in output and b"[####" not in output
    text = output.decode().replace("\r\n", "\n")
    report = json.loads(text[text.index("\n{") + 1 :])
    assert report["queued"] is True
