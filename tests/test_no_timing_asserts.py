"""No test asserts on how long something took: the suite's outcome must not depend on the
machine's speed (a loaded CI box, parallel workers). Waiting for a condition under a generous
deadline is fine (``assert time.monotonic() < deadline``); measuring a duration and asserting on
it is not (``assert time.monotonic() - started < 5``) — speed belongs in bench/, as ratios.

An AST scan of tests/: within each function, a name assigned from a clock reading (or from a
name that was) is "a time"; an ``assert`` fails this test when it subtracts a time from
something, i.e. when it compares a duration.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, List, Set, Union

TESTS = Path(__file__).resolve().parent

#: Calls that read a clock (``time.time()``, ``monotonic()`` imported bare, ``datetime.now()``).
CLOCKS = {
    "time",
    "monotonic",
    "monotonic_ns",
    "perf_counter",
    "perf_counter_ns",
    "process_time",
    "time_ns",
    "now",
    "utcnow",
}

Scope = Union[ast.Module, ast.FunctionDef, ast.AsyncFunctionDef]


def _reads_clock(node: ast.AST, times: Set[str]) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and sub.id in times:
            return True
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in CLOCKS:
                return True
    return False


def _times_in(scope: Scope) -> Set[str]:
    """Names in ``scope`` bound (directly or through other such names) to a clock reading."""
    times: Set[str] = set()
    assigns = [n for n in ast.walk(scope) if isinstance(n, (ast.Assign, ast.AugAssign))]
    while True:
        before = len(times)
        for node in assigns:
            if _reads_clock(node.value, times):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                times.update(t.id for target in targets for t in ast.walk(target)
                             if isinstance(t, ast.Name))  # fmt: skip
        if len(times) == before:
            return times


def _duration_asserts(tree: ast.Module) -> Iterator[ast.Assert]:
    if not any(isinstance(n, ast.Assert) and _may_compare(n) for n in ast.walk(tree)):
        return  # each scope's asserts are the module's: none could compare a duration
    scopes: List[Scope] = [tree]
    scopes += [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for scope in scopes:
        asserts = [n for n in ast.walk(scope) if isinstance(n, ast.Assert) and _may_compare(n)]
        if not asserts:  # the scope's times are only needed to judge such an assert
            continue
        times = _times_in(scope)
        yield from (node for node in asserts if _compares_duration(node.test, times))


def _may_compare(node: ast.Assert) -> bool:
    """Whether ``node`` could compare a duration whatever the scope's times: it subtracts, or
    names something a duration (what :func:`_compares_duration` looks for)."""
    for sub in ast.walk(node.test):
        if isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Sub):
            return True
        if isinstance(sub, ast.Name) and _is_duration_name(sub.id):
            return True
    return False


def _compares_duration(test: ast.AST, times: Set[str]) -> bool:
    for sub in ast.walk(test):
        subtracts = isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Sub)
        if subtracts and (_reads_clock(sub.left, times) or _reads_clock(sub.right, times)):
            return True
        if isinstance(sub, ast.Name) and sub.id in times and _is_duration_name(sub.id):
            return True
    return False


def _is_duration_name(name: str) -> bool:
    return any(word in name.lower() for word in ("elapsed", "duration", "took", "spent"))


def findings(source: str, name: str = "<test>") -> List[str]:
    tree = ast.parse(source, name)
    lines = source.splitlines()
    found = {(node.lineno, lines[node.lineno - 1].strip()) for node in _duration_asserts(tree)}
    return [f"{name}:{line}: {text}" for line, text in sorted(found)]


def test_no_test_asserts_on_a_duration() -> None:
    found: List[str] = []
    for path in sorted(TESTS.rglob("*.py")):
        found += findings(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS)))
    assert found == [], (
        "these assertions depend on the machine's speed; wait for the condition under a "
        "generous deadline instead, or measure in bench/:\n" + "\n".join(found)
    )


def test_the_scan_flags_durations_and_leaves_deadlines_alone() -> None:
    flagged = """
import time
from time import monotonic
def a():
    started = time.monotonic()
    assert time.monotonic() - started < 5
def b():
    t0 = time.perf_counter()
    work()
    elapsed = time.perf_counter() - t0
    assert elapsed < 0.5
def c():
    begin = monotonic()
    end = monotonic()
    assert end - begin <= 2.0, "too slow"
"""
    assert len(findings(flagged)) == 3, findings(flagged)
    allowed = """
import time
def waits():
    deadline = time.monotonic() + 60
    while not ready():
        assert time.monotonic() < deadline, "never ready"
        time.sleep(0.1)
def clamps(token):
    assert token["e"] <= time.time() + 3600
def plain(a, b):
    assert a - b == 3
"""
    assert findings(allowed) == []
