"""Several inputs in one ``ft-dcc publish`` at a terminal, read back through a VT100
emulator: the capture and encode bars say which input of how many they work on and advance
across both, instead of standing full while the second input is captured."""

from __future__ import annotations

import re
from typing import List

from support.media import make_sequence
from support.terminal import ft_dcc_in_pty, screen_lines

from ft_dcc.console import ERASE_LINE
from ft_dcc.publish.common.report import EXIT_QUEUED

BAR = re.compile(r"^  (\w+) +\[[#.]{24}\] +(\d{1,3})%  (.*)$")


def drawn(output: bytes, stage: str) -> List[str]:
    """Every state of ``stage``'s bar as it was drawn, in order ("50%  right (2 of 2) ...")."""
    states = []
    for piece in output.decode("utf-8", "replace").split(ERASE_LINE):
        found = BAR.match(piece.split("\r")[0].split("\n")[0])
        if found and found.group(1) == stage:
            states.append(f"{found.group(2)}%  {found.group(3)}")
    return states


def test_the_bars_name_each_input_and_advance_across_both(offline_env, tmp_path, artifacts_dir):
    left = make_sequence(tmp_path / "left", frames=6, start=1001, name="left")
    right = make_sequence(tmp_path / "right", frames=6, start=1001, name="right")
    code, output = ft_dcc_in_pty(
        ["publish", str(left), str(right), "--task", "demo/sq/sh/comp", "--fps", "25"]
    )
    lines = screen_lines(output)
    (artifacts_dir / "cli-progress-two-inputs.txt").write_text("\n".join(lines) + "\n")
    assert code == EXIT_QUEUED, "\n".join(lines)
    for stage in ("capture", "encode"):
        states = drawn(output, stage)
        percents = [int(s.split("%")[0]) for s in states]
        assert percents == sorted(percents), states  # never back to 0 for the second input
        first = [p for p, s in zip(percents, states) if "(1 of 2)" in s]
        second = [p for p, s in zip(percents, states) if "(2 of 2)" in s]
        assert first and max(first) <= 50, states  # the first input: the first half
        assert second and min(second) >= 50 and max(second) == 100, states
    capture = [s for s in drawn(output, "capture") if "(2 of 2)" in s]
    assert not capture[0].startswith("100%"), capture  # the second input moves the bar on
    (kept,) = [line for line in lines if line.startswith("  capture ")]
    assert "100%" in kept and "(2 of 2)" in kept, lines  # the kept line: where it ended
