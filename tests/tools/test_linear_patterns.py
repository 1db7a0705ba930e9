"""Every regular expression of the embedded server (its ``re`` calls and its query grammar's
terminals) runs in linear time on any text (``tests/tools/linear_patterns.py`` proves it from the
pattern), and each is fed 256 KB of the text most likely to make it backtrack, in a child
process whose CPU is capped far above what a linear run takes and far below what a quadratic one
does: the outcome is "it finished", never a duration.

Seen failing first: the lint named the audit trail's secret-scrubbing pattern (ambiguous and
rescanned from every letter: 16,000 letters took 9 s), the depth check's JSON string pattern
(rescanned from every quote of an unterminated string) and the ``Range`` pattern (two ``\\s*``
around an empty ``\\d*``); fed 1 MB, each was killed at the CPU cap. Fed 256 KB under a 25 s cap
(every pattern of the server, linearly, in under 2 CPU-s), each of the three is still killed at
the cap: fed 32 KB the Range pattern, the quickest of them, took 4.3 CPU-s, so 256 KB takes about
64 times that.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import linear_patterns as lint
import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "ft_dcc" / "server"
#: characters of each hostile text
SIZE = 256 * 1024
#: CPU seconds the child may use for every pattern's inputs (a linear run of them all takes under
#: 2 s; a quadratic one of any "before" pattern of the docstring takes minutes)
CPU_CAP = 25

#: Patterns the lint cannot prove, each read by a person: why it is linear anyway.
REVIEWED: Dict[Tuple[str, str], str] = {
    ("ft_dcc/server/api/search.py", "_ENTITY_TYPE"): (
        "match only (one attempt); the lazy .*? tries '\\sfrom\\s+' once per character and each "
        "'\\s+' it scans is followed by the identifier or ends the attempt: linear"
    ),
    ("ft_dcc/server/operations/service.py", "re.sub"): (
        "masks the password of the database URL the administrator gave on the command line; "
        "never caller text"
    ),
}


@pytest.fixture(scope="module")
def server_patterns() -> Tuple[lint.Found, ...]:
    """The server's patterns as the lint finds them, read once for the module's three tests
    that read them (a module-scoped fixture: the module's tests run on one worker)."""
    return tuple(lint.find(SERVER, ROOT))


def test_every_pattern_of_the_server_is_linear(server_patterns: Tuple[lint.Found, ...]) -> None:
    found = server_patterns
    assert len(found) > 10, "the lint finds the server's patterns"
    bad = [(f.path, f.line, f.name, f.problems) for f in found
           if f.problems and (f.path, f.name) not in REVIEWED]  # fmt: skip
    assert not bad, "\n".join(f"{p}:{line} {name}: {problems}" for p, line, name, problems in bad)


def test_the_reviewed_exceptions_still_exist(server_patterns: Tuple[lint.Found, ...]) -> None:
    found = {(f.path, f.name) for f in server_patterns if f.problems}
    assert set(REVIEWED) <= found, "drop an exception the lint no longer needs"


@pytest.mark.parametrize(
    "pattern, flags, scanning",
    [
        (r"(?i)((?:[a-z_]*(?:token|key)[a-z_]*)=)[^&#\s\"']*", 0, True),  # the audit's, before
        (r"[a-z_]*=", 0, True),
        (rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL, True),  # the JSON string, before
        (r"^\s*(\d*)\s*-\s*(\d*)\s*$", 0, False),  # the Range header's, before
        (r"(a+)+b", 0, False),
        (r"(a*)*b", 0, False),
        (r"\s+$", 0, True),
        (r"(\w|\d\d)+!", 0, False),
    ],
)
def test_the_lint_names_what_backtracks(pattern: object, flags: int, scanning: bool) -> None:
    assert lint.analyse(pattern, flags, scanning)


@pytest.mark.parametrize(
    "pattern, flags, scanning",
    [
        (r"(?<![A-Za-z_])([A-Za-z_]+=)[^&#\s\"']*", 0, True),  # the audit's, now
        (rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL, True),  # the JSON string, now
        (r"^(\d*)\s*-\s*(\d*)$", 0, False),  # the Range header's, now
        (r"(?i)\b((?:api_?key|token|signature|secret|password)=)[^&;,\s#]*", 0, True),
        (r"Foreign key\(s\): (\w+)\.(\w+)", 0, True),
        (r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{1,63}$", 0, False),
    ],
)
def test_the_lint_passes_what_does_not(pattern: object, flags: int, scanning: bool) -> None:
    assert lint.analyse(pattern, flags, scanning) == []


def hostile_texts(found: lint.Found) -> List[Tuple[str, str, str]]:
    """(start, unit, end) of the texts most likely to make ``found``'s pattern backtrack:
    :data:`SIZE` characters of ``unit`` (one of the pattern's characters, or two of them in turn)
    after ``start`` (nothing, or the pattern's own literal start) and before ``end`` (a character
    it never wants)."""
    assert found.pattern is not None
    parsed = lint.sre_parse.parse(found.pattern, found.flags)  # type: ignore[arg-type]
    auto = lint.Automaton(is_bytes=isinstance(found.pattern, bytes))
    lint._build(auto, parsed, parsed.state.flags)
    picks = sorted({min(chars) for chars in auto.chars if chars}
                   | {max(chars) for chars in auto.chars if chars})[:8]  # fmt: skip
    prefix = ""
    for chars in auto.chars:
        if len(chars) != 1:
            break
        prefix += chr(min(chars))
    units = [chr(c) for c in picks] + [
        chr(a) + chr(b) for a in picks[:4] for b in picks[:4] if a != b
    ]
    return [(start, unit, end) for unit in units for start, end in (("", "!"), (prefix, "\x00"))]


CHILD = r"""
import json, re, sys
size = int(sys.argv[1])
for pattern, is_bytes, flags, uses, texts in json.load(sys.stdin):
    compiled = re.compile(pattern.encode("latin-1") if is_bytes else pattern, flags)
    for start, unit, end in texts:
        text = start + (unit * (size // len(unit) + 1))[:size] + end
        text = text.encode("latin-1", "replace") if is_bytes else text
        for use in uses:
            if use in ("sub", "subn"):
                getattr(compiled, use)(text[:0], text)
            elif use == "finditer":
                for _ in compiled.finditer(text):
                    pass
            else:
                getattr(compiled, use)(text)
print("done")
"""


def _limit_cpu() -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_CAP, CPU_CAP))


def feed(found: List[lint.Found], size: int = SIZE) -> subprocess.CompletedProcess[str]:
    """Each pattern of ``found`` run, the way its module uses it, on its hostile texts of
    ``size`` characters, in a child process capped at :data:`CPU_CAP` CPU seconds."""
    jobs = []
    for one in found:
        if one.pattern is None:
            continue
        uses = set(one.uses & (lint.SCANNING | lint.ANCHORED)) or {"search"}
        if "passed on" in one.uses:
            uses.add("search")
        pattern = one.pattern
        shown = pattern.decode("latin-1") if isinstance(pattern, bytes) else pattern
        jobs.append((shown, isinstance(pattern, bytes), one.flags, sorted(uses),
                     hostile_texts(one)))  # fmt: skip
    return subprocess.run([sys.executable, "-c", CHILD, str(size)], input=json.dumps(jobs),
                          text=True, capture_output=True, preexec_fn=_limit_cpu,
                          timeout=3600)  # fmt: skip


@pytest.mark.slow
def test_every_pattern_finishes_on_its_hostile_text(
    server_patterns: Tuple[lint.Found, ...],
) -> None:
    found = [f for f in server_patterns if f.pattern is not None]
    assert len(found) > 10

    child = feed(found)

    assert child.returncode == 0 and child.stdout.strip() == "done", (
        f"a pattern did not finish on {SIZE} characters within {CPU_CAP} CPU-s "
        f"(status {child.returncode}): {child.stderr[-2000:]}"
    )
