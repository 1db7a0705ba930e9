"""The counts a publish of several reviewables reports count every reviewable.

Each reviewable's capture and encode fill their share of one bar per stage, but the counts in
the messages were each reviewable's own: the bar stood at 100 % beside "right (2 of 2) 4/4
frames" and the capture stage ended on "captured 4 file(s)" after 10 frames of two inputs were
captured and encoded. The counts now run across every reviewable ("right (2 of 2) 10/10 frames"),
and a host's one overall bar (``OverallProgress``) reads the same messages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Tuple

from support.cli import run_ft_dcc
from support.media import make_sequence

from ft_dcc.host.stages import OverallProgress
from ft_dcc.progress import ReviewableTotals, for_reviewable
from ft_dcc.publish.common.report import EXIT_QUEUED


def stage_lines(stderr: str) -> Dict[str, List[str]]:
    """The plain progress lines (``encode: ...``) by stage, in order."""
    found: Dict[str, List[str]] = {}
    for line in stderr.splitlines():
        match = re.match(r"^(capture|encode|verify|thumbnail): (.*)$", line)
        if match:
            found.setdefault(match.group(1), []).append(match.group(2))
    return found


def test_a_publish_of_two_inputs_counts_the_frames_of_both(offline_env, tmp_path: Path) -> None:
    left = make_sequence(tmp_path / "left", frames=6, start=1001, name="left")
    right = make_sequence(tmp_path / "right", frames=4, start=1001, name="right")
    done = run_ft_dcc(
        ["publish", str(left), str(right), "--task", "demo/sq/sh/comp", "--fps", "25"],
        timeout=300,
        check=False,
    )
    assert done.returncode == EXIT_QUEUED, done.stdout + done.stderr
    lines = stage_lines(done.stderr)
    encoded = lines["encode"][-1]  # "done in 0.4s (right.%04d.png (2 of 2) 10/10 frames)"
    assert "(2 of 2)" in encoded and "10/10 frames" in encoded, lines
    captured = lines["capture"][-1]
    assert "(2 of 2)" in captured and "10 file(s)" in captured, lines


def record(count: int) -> Tuple[OverallProgress, List[Tuple[str, float, str]], List]:
    calls: List[Tuple[str, float, str]] = []
    overall = OverallProgress()

    def sink(stage: str, fraction: float, message: str = "") -> None:
        calls.append((stage, fraction, message))
        overall(stage, fraction, message)

    totals = ReviewableTotals(count)
    return overall, calls, [for_reviewable(sink, i, count, f"cam{i}", totals) for i in range(count)]


def test_three_cameras_count_frames_across_all_and_the_first_guesses_the_rest() -> None:
    overall, calls, cameras = record(3)
    cameras[0]("capture", 0.5, "frame 6/12")
    assert calls[-1][2] == "cam0 (1 of 3): frame 6/36"  # the others: as long, until they say
    cameras[0]("capture", 1.0, "captured 12 file(s)")
    cameras[1]("capture", 0.25, "frame 2/8")  # a shorter one corrects the total
    assert calls[-1][2] == "cam1 (2 of 3): frame 14/28"
    cameras[1]("capture", 1.0, "captured 8 file(s)")
    cameras[2]("capture", 1.0, "frame 8/8")
    assert calls[-1][2] == "cam2 (3 of 3): frame 28/28"
    cameras[2]("capture", 1.0, "captured 8 file(s)")
    assert calls[-1][2] == "cam2 (3 of 3): captured 28 file(s)"
    _, stage, message = overall.snapshot()
    assert (stage, message) == ("capture", "cam2 (3 of 3): captured 28 file(s)")
    cameras[0]("encode", 0.5, "encoding: frame 6/12")  # the lengths known from the capture
    assert calls[-1][2] == "cam0 (1 of 3): encoding: frame 6/28"


def test_one_reviewable_is_reported_as_it_is() -> None:
    calls: List[Tuple[str, float, str]] = []
    only = for_reviewable(lambda s, f, m="": calls.append((s, f, m)), 0, 1)
    only("capture", 0.5, "frame 6/12")
    assert calls == [("capture", 0.5, "frame 6/12")]
