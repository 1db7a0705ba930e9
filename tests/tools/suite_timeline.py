"""The run's timeline: when each pytest-xdist worker was busy, with which group, and how long the
tail was where fewer than all workers (or fewer than all cores) had work.

Reads the rows of ``suite_cpu`` (each test's ``start`` and ``end``: ``row[6]``, ``row[7]``) and
the machine's samples the controller took meanwhile (``Sampler``: busy cores, memory in use)::

    python3 tests/tools/suite_timeline.py /tmp/cpu.json*

Rows of the earlier versions hold no times: each worker's tests are laid end to end from the
run's start in the order they ran (their setup gaps lost), an approximation the summary says.
"""

from __future__ import annotations

import collections
import json
import os
import sys
import threading
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

#: a test on a worker: (start, end, group, CPU seconds of its tree and PostgreSQL), times in
#: seconds from the run's start
Span = Tuple[float, float, str, float]
#: a machine sample: (time, busy cores, memory in use in MiB)
Sample = Tuple[float, float, float]
MACHINE = "@machine"
IDLE, UNGROUPED, OTHER = " ", "-", "+"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class Sampler:
    """Every ``every`` seconds, the machine's busy cores (``/proc/stat``) and memory in use
    (``/proc/meminfo``), written to ``path`` as ``{"@machine": {"cores": n, "samples": [...]}}``
    now and then and when stopped."""

    def __init__(self, path: str, every: float = 1.0) -> None:
        self.path, self.every = path, every
        self.samples: List[Sample] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="suite-cpu-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        last, written = (time.time(), busy_seconds()), time.monotonic()
        while not self._done.wait(self.every):
            now = (time.time(), busy_seconds())
            cores = (now[1] - last[1]) / max(now[0] - last[0], 1e-3)
            self.samples.append((round(now[0], 2), round(cores, 2), _memory_in_use()))
            last = now
            if time.monotonic() - written > 10:
                self._write()
                written = time.monotonic()

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)
        self._write()

    def _write(self) -> None:
        machine = {"cores": os.cpu_count() or 1, "samples": list(self.samples)}
        with open(self.path, "w", encoding="utf-8") as file:
            json.dump({MACHINE: machine}, file)


def busy_seconds() -> float:
    """The machine's busy CPU seconds so far (every core; idle and iowait excepted)."""
    with open("/proc/stat", encoding="ascii") as stat:
        ticks = [int(value) for value in stat.readline().split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def _memory_in_use() -> float:
    info: Dict[str, int] = {}
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            key, _colon, value = line.partition(":")
            info[key] = int(value.split()[0])
    return round((info["MemTotal"] - info.get("MemAvailable", info["MemFree"])) / 1024)


def read_rows(names: Sequence[str]) -> Tuple[Dict[str, List[Any]], Dict[str, Any]]:
    """The tests' rows of every file, and the machine's samples (empty when none was taken)."""
    rows: Dict[str, List[Any]] = {}
    machine: Dict[str, Any] = {}
    for name in names:
        with open(name, encoding="utf-8") as source:
            loaded = json.load(source)
        machine.update(loaded.pop(MACHINE, {}))
        rows.update(loaded)
    return rows, machine


def group_of(nodeid: str) -> str:
    """The ``xdist_group`` in a test's id (``id@group``), or "" for a test handed out alone."""
    test, _at, name = nodeid.split("::")[-1].rpartition("@")
    return name if test and "]" not in name else ""  # not an "@" inside a parameter's id


def spans(rows: Dict[str, List[Any]]) -> Tuple[Dict[str, List[Span]], float, bool]:
    """Each worker's tests in time order, seconds from the run's start; the run's start; and
    whether the times were measured (False: laid end to end from rows without times)."""
    timed = all(len(row) > 7 for row in rows.values())
    by_worker: Dict[str, List[Span]] = collections.defaultdict(list)
    clock: Dict[str, float] = collections.defaultdict(float)
    for nodeid, row in rows.items():  # each worker's rows in the order it ran them
        worker = str(row[3])
        if timed:
            start, end = float(row[6]), float(row[7])
        else:
            start = clock[worker]
            end = clock[worker] = start + float(row[1])
        cpu = max(0.0, float(row[4]) + float(row[5])) if len(row) > 5 else 0.0
        by_worker[worker].append((start, end, group_of(nodeid), cpu))
    origin = min((s[0] for worker in by_worker.values() for s in worker), default=0.0)
    for worker, tests in by_worker.items():
        by_worker[worker] = sorted((s - origin, e - origin, g, c) for s, e, g, c in tests)
    return dict(sorted(by_worker.items())), origin, timed


def letters(by_worker: Dict[str, List[Span]]) -> Dict[str, str]:
    """A letter for each of the longest groups (by summed wall), longest first."""
    walls: Dict[str, float] = collections.defaultdict(float)
    for tests in by_worker.values():
        for start, end, group, _cpu in tests:
            if group:
                walls[group] += end - start
    longest = sorted(walls, key=lambda group: -walls[group])[: len(LETTERS)]
    return {group: LETTERS[index] for index, group in enumerate(longest)}


def lane(tests: List[Span], legend: Dict[str, str], end: float, width: int) -> str:
    """One worker's line: per column, the group that ran most of it (blank: idle)."""
    step = end / width
    cells: List[Dict[str, float]] = [collections.defaultdict(float) for _ in range(width)]
    for start, stop, group, _cpu in tests:
        mark = legend.get(group, OTHER) if group else UNGROUPED
        first, last = int(start / step), min(int(stop / step), width - 1)
        for column in range(first, last + 1):
            low, high = column * step, (column + 1) * step
            cells[column][mark] += max(0.0, min(stop, high) - max(start, low))
    return "".join(_most(cell, step) for cell in cells)


def _most(cell: Dict[str, float], step: float) -> str:
    if sum(cell.values()) < step / 2:
        return IDLE
    return max(cell, key=lambda mark: cell[mark])


def cores_lane(samples: List[Sample], origin: float, end: float, width: int) -> str:
    """The machine's busy cores per column (their mean, rounded), from the samples."""
    step = end / width
    columns: List[List[float]] = [[] for _ in range(width)]
    for at, cores, _memory in samples:
        column = int((at - origin) / step)
        if 0 <= column < width:
            columns[column].append(cores)
    return "".join(str(min(9, round(sum(c) / len(c)))) if c else "?" for c in columns)


def asked(by_worker: Dict[str, List[Span]], end: float, width: int) -> List[float]:
    """Per column, the cores the running tests asked for: each test's CPU (its tree's and
    PostgreSQL's) spread evenly over its wall. Unlike the samples it holds no other work, so
    it shows the run's own idle on a shared machine too."""
    step, columns = end / width, [0.0] * width
    for tests in by_worker.values():
        for start, stop, _group, cpu in tests:
            rate = cpu / max(stop - start, 1e-3)
            for column in range(int(start / step), min(int(stop / step), width - 1) + 1):
                low, high = column * step, (column + 1) * step
                columns[column] += rate * max(0.0, min(stop, high) - max(start, low)) / step
    return columns


def idle_core_seconds(samples: List[Sample], cores: int, since: float, until: float) -> float:
    """The cores' idle seconds between two times (absolute), from the samples."""
    idle, previous = 0.0, None
    for at, busy, _memory in samples:
        if previous is not None and since <= at <= until:
            idle += max(0.0, cores - busy) * (at - previous)
        previous = at
    return idle


def timeline(rows: Dict[str, List[Any]], machine: Dict[str, Any], width: int = 100) -> str:
    """Each worker's lane, the busy cores' lane, the tail and the idle, the groups' legend."""
    by_worker, origin, timed = spans(rows)
    if not by_worker:
        return "no tests"
    end = max(tests[-1][1] for tests in by_worker.values())
    legend = letters(by_worker)
    approximate = "" if timed else " (approximate: rows hold no times)"
    lines = [
        f"timeline: {end:.0f} s from the first test's start to the last test's end, "
        f"{end / width:.1f} s a column{approximate}"
    ]
    lines += [f"{name:>6} |{lane(tests, legend, end, width)}|" for name, tests in by_worker.items()]
    samples: List[Sample] = [(s[0], s[1], s[2]) for s in machine.get("samples", [])]
    if samples:
        lines.append(f"{'cores':>6} |{cores_lane(samples, origin, end, width)}|")
        lines.append(f"before the first test (workers starting, collecting): "
                     f"{origin - samples[0][0] + 1:.0f} s")  # the first sample is a second in
    cores = int(machine.get("cores", 0)) or os.cpu_count() or 1
    wanted = asked(by_worker, end, width)
    lines.append(f"{'asked':>6} |{''.join(str(min(9, round(c))) for c in wanted)}|")
    lines += tail(by_worker, end, origin, samples, int(machine.get("cores", 0)))
    short = sum(max(0.0, cores - c) for c in wanted) * end / width
    lines.append(f"the tests asked for fewer than {cores} cores: {short:.0f} core-s short")
    lines.append(f"{UNGROUPED!r}: tests handed out alone, {OTHER!r}: a smaller group, blank: idle")
    lines += _legend(by_worker, legend)
    return "\n".join(lines)


def tail(
    by_worker: Dict[str, List[Span]], end: float, origin: float, samples: List[Sample], cores: int
) -> List[str]:
    """When each worker ran out of work; the tail's length; the cores' idle seconds."""
    finished = sorted((tests[-1][1], worker) for worker, tests in by_worker.items())
    waits = sum(_gaps(tests) for tests in by_worker.values())
    lines = [
        "workers out of work at: " + ", ".join(f"{w} {t:.0f} s" for t, w in finished),
        f"tail (fewer than all {len(finished)} workers with work): {end - finished[0][0]:.0f} s; "
        f"worker-seconds idle in it: {sum(end - t for t, _w in finished):.0f}; "
        f"gaps between a worker's tests: {waits:.0f} s",
    ]
    if samples and cores:
        whole = idle_core_seconds(samples, cores, origin, origin + end)
        in_tail = idle_core_seconds(samples, cores, origin + finished[0][0], origin + end)
        below = _below_all_cores(samples, cores, origin, end)
        lines.append(
            f"cores ({cores}) idle: {whole:.0f} core-s in the run, {in_tail:.0f} in the tail; "
            f"fewer than {cores - 0.5:.1f} busy for good from {below:.0f} s; "
            f"peak memory in use {max(s[2] for s in samples):.0f} MiB"
        )
    return lines


def _gaps(tests: List[Span]) -> float:
    return sum(max(0.0, b[0] - a[1]) for a, b in zip(tests, tests[1:]))


def _below_all_cores(samples: List[Sample], cores: int, origin: float, end: float) -> float:
    """The time (from the run's start) after which a 10-sample mean never again reached all
    cores but half of one."""
    inside = [(at - origin, busy) for at, busy, _m in samples if 0 <= at - origin <= end]
    last = 0.0
    for index in range(len(inside)):
        window = [busy for _at, busy in inside[index : index + 10]]
        if sum(window) / len(window) >= cores - 0.5:
            last = inside[index][0]
    return last


def _legend(by_worker: Dict[str, List[Span]], legend: Dict[str, str]) -> List[str]:
    placed: Dict[str, List[Any]] = {}
    for worker, tests in by_worker.items():
        for start, stop, group, _cpu in tests:
            if group in legend:
                seen = placed.setdefault(group, [worker, start, stop, 0])
                seen[1], seen[2], seen[3] = min(seen[1], start), max(seen[2], stop), seen[3] + 1
    rows = sorted(placed.items(), key=lambda item: legend[item[0]])
    return [f"  {legend[g]} {w:>4} {s:6.0f}-{e:<6.0f} {n:4d} tests {g}" for g, (w, s, e, n) in rows]


def main(argv: Optional[List[str]] = None) -> None:
    rows, machine = read_rows(argv if argv is not None else sys.argv[1:])
    print(timeline(rows, machine))


if __name__ == "__main__":
    main()
