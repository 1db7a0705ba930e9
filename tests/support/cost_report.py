"""Where the suite's time goes: the wall seconds of every test (set-up, call and tear-down, so a
fixture's start-up is charged to the first test that asks for it), summed per file.

At the end of a run the terminal summary names the costliest files and the slowest tests (a
test that waits out a timeout shows there, in CI's log too), and
``test-artifacts/suite-cost.json`` keeps every file's seconds and test count, so two runs can be
compared (``python -m support.cost_report OLD.json NEW.json``). Under ``pytest-xdist`` the
controller receives every worker's reports, so the figures cover the whole run.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

import pytest

SHOWN = 15
SLOWEST = 8
REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "suite-cost.json"


class Costs:
    """Seconds and test counts per test file."""

    def __init__(self) -> None:
        self.seconds: Dict[str, float] = defaultdict(float)
        self.tests: Dict[str, int] = defaultdict(int)
        #: seconds per test (its set-up, call and tear-down)
        self.per_test: Dict[str, float] = defaultdict(float)

    def add(self, report: pytest.TestReport) -> None:
        path = report.nodeid.split("::", 1)[0]
        self.seconds[path] += report.duration
        self.per_test[report.nodeid] += report.duration
        if report.when == "call":
            self.tests[path] += 1

    def costliest(self) -> List[str]:
        return sorted(self.seconds, key=self.seconds.__getitem__, reverse=True)[:SHOWN]

    def slowest(self) -> List[str]:
        return sorted(self.per_test, key=self.per_test.__getitem__, reverse=True)[:SLOWEST]

    def as_json(self) -> Dict[str, Dict[str, float]]:
        return {
            path: {"seconds": round(seconds, 2), "tests": self.tests[path]}
            for path, seconds in self.seconds.items()
        }


COSTS = Costs()
COUNTING: List[bool] = []


def pytest_configure(config: pytest.Config) -> None:
    """Count on the controller (or a run without workers), never on a worker."""
    COUNTING[:] = [not hasattr(config, "workerinput")]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if COUNTING and COUNTING[0]:
        COSTS.add(report)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if not COSTS.seconds:
        return
    total = sum(COSTS.seconds.values())
    terminalreporter.section("where the suite's time went (wall seconds per file, all workers)")
    terminalreporter.write_line(f"{total:9.1f} s in {len(COSTS.seconds)} files")
    for path in COSTS.costliest():
        seconds, tests = COSTS.seconds[path], COSTS.tests[path]
        terminalreporter.write_line(f"{seconds:9.1f} s {tests:5d} tests  {path}")
    terminalreporter.write_line("the slowest tests:")
    for nodeid in COSTS.slowest():
        terminalreporter.write_line(f"{COSTS.per_test[nodeid]:9.1f} s  {nodeid}")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(COSTS.as_json(), indent=1, sort_keys=True), encoding="utf-8")


def compare(old: Path, new: Path) -> None:
    """Print the files whose seconds changed most between two reports."""
    before, after = (json.loads(p.read_text(encoding="utf-8")) for p in (old, new))
    paths = set(before) | set(after)

    def seconds(report: Dict[str, Dict[str, float]], path: str) -> float:
        return float(report.get(path, {}).get("seconds", 0.0))

    moved = sorted(paths, key=lambda p: abs(seconds(after, p) - seconds(before, p)), reverse=True)
    for path in moved[:SHOWN]:
        print(f"{seconds(before, path):8.1f} -> {seconds(after, path):8.1f} s  {path}")
    print(f"total {sum(seconds(before, p) for p in paths):.1f} -> "
          f"{sum(seconds(after, p) for p in paths):.1f} s")  # fmt: skip


if __name__ == "__main__":
    compare(Path(sys.argv[1]), Path(sys.argv[2]))
