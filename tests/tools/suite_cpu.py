"""Where the test suite's CPU goes: a pytest plugin and its summary (issue 19's measurements).

The plugin reads the machine's busy CPU time (``/proc/stat``: every process, so servers,
Blender, Chromium and PostgreSQL count too) before and after each test and writes
``{nodeid: [cpu_seconds, wall_seconds]}`` to ``$SUITE_CPU_OUT``. Meaningful on one worker on a
quiet machine (with several, the tests running at the same time share the figures)::

    PYTHONPATH=tests/tools SUITE_CPU_OUT=/tmp/cpu.json .venv/bin/python -m pytest -p suite_cpu
    python3 tests/tools/suite_cpu.py /tmp/cpu.json      # totals by folder and the top files
"""

from __future__ import annotations

import collections
import json
import os
import sys
import time
from typing import Dict, Generator, List, Tuple

import pytest

_ROWS: Dict[str, List[float]] = {}


def _busy_seconds() -> float:
    with open("/proc/stat", encoding="ascii") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    busy, start = _busy_seconds(), time.monotonic()
    yield
    _ROWS[item.nodeid] = [round(_busy_seconds() - busy, 2), round(time.monotonic() - start, 2)]


def pytest_sessionfinish() -> None:
    out = os.environ.get("SUITE_CPU_OUT")
    if out:
        with open(out, "w", encoding="utf-8") as file:
            json.dump(_ROWS, file)


def summary(rows: Dict[str, List[float]], top: int = 25) -> str:
    """Total CPU and wall time, then CPU by folder and by file, largest first."""
    by_file: Dict[str, float] = collections.defaultdict(float)
    by_folder: Dict[str, float] = collections.defaultdict(float)
    for nodeid, (cpu, _wall) in rows.items():
        path = nodeid.split("::")[0]
        by_file[path] += cpu
        by_folder[path.split("/")[1] if path.count("/") > 1 else "tests"] += cpu
    lines = [
        f"{len(rows)} tests: {sum(r[0] for r in rows.values()):.0f} CPU-s busy, "
        f"{sum(r[1] for r in rows.values()):.0f} s wall"
    ]
    lines += [f"{cpu:8.1f}  {name}/" for name, cpu in _largest_first(by_folder)]
    lines += [f"{cpu:8.1f}  {name}" for name, cpu in _largest_first(by_file)[:top]]
    return "\n".join(lines)


def _largest_first(totals: Dict[str, float]) -> List[Tuple[str, float]]:
    return sorted(totals.items(), key=lambda item: -item[1])


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as source:
        print(summary(json.load(source)))
