"""User-facing docs never name the project's internal issue numbers.

A reader of the README, ``docs/`` or a host's README has no access to the issue tracker; "as
issue 21 continues" or "(issue 23, item 2)" tells them nothing and goes stale. Links to other
projects' issues (a URL, or "pytest-xdist issue 1386") name their project and are fine.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parents[1]

#: "issue 21", "issues 18 and 23", "Issue 22, items 3", "(issue 18: ...)", "#21", and the
#: working sessions' numbers ("main at session 26's start")
INTERNAL = re.compile(r"\b(?:issues?|sessions?)\s+#?\d+\b|(?<![\w&/`])#\d{1,4}\b", re.I)
#: another project's issue, named with its project ("pytest-xdist issue 1386", "Blender's #1234")
OTHER_PROJECT = re.compile(
    r"\b(?:pytest[\w-]*|blender|ffmpeg|ftrack[\w-]*|openjd|uvicorn|"
    r"starlette|chromium|playwright|python|cpython)(?:'s)?\s+$",
    re.I,
)


def user_docs() -> List[Path]:
    return [
        ROOT / "README.md",
        ROOT / "SECURITY.md",
        *sorted((ROOT / "docs").glob("*.md")),
        *sorted((ROOT / "hosts").glob("*/README.md")),
    ]


def internal_references(text: str) -> List[str]:
    """The lines (numbered) naming an issue number that is not another project's or a URL's."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in INTERNAL.finditer(line):
            if OTHER_PROJECT.search(line[: match.start()]):
                continue
            found.append(f"{number}: {line.strip()}")
            break
    return found


def test_the_pattern_finds_internal_numbers_and_leaves_other_projects() -> None:
    assert internal_references("and, as issue 21 continues, every host")
    assert internal_references("## The room link (issue 23, item 2)")
    assert internal_references("Issue 22, items 3 and 4.")
    assert internal_references("see #21 for the plan")
    assert internal_references("before: main at session 26's start")
    assert not internal_references("into the review session 'Dailies 2026-11-23'")
    assert not internal_references("pytest-xdist issue 1386")
    assert not internal_references("https://github.com/x/y/issues/12")
    assert not internal_references("Blender's #1234 is theirs")


def test_no_user_doc_names_an_internal_issue_number() -> None:
    docs = user_docs()
    assert len(docs) >= 10
    found = []
    for page in docs:
        for hit in internal_references(page.read_text(encoding="utf-8")):
            found.append(f"{page.relative_to(ROOT)}:{hit}")
    assert found == []


def test_no_test_names_an_internal_issue_number() -> None:
    """Tests are named and described by their subject, not by the issue that asked for them: a
    reader of ``tests/`` has no tracker either, and "issue 22, item 4" says nothing of what a
    test holds the code to."""
    tests = ROOT / "tests"
    found = []
    for source in sorted(tests.rglob("*.py")):
        if "node_modules" in source.parts or source == Path(__file__).resolve():
            continue
        for hit in internal_references(source.read_text(encoding="utf-8")):
            found.append(f"{source.relative_to(ROOT)}:{hit}")
    assert found == []
