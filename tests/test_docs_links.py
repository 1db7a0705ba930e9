"""The README's front page and ``docs/`` link to pages (and headings) that exist.

The README is split for its readers; a page renamed or a heading reworded must not leave a
reader at a dead link.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Tuple

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _pages() -> List[Path]:
    return [ROOT / "README.md", ROOT / "SECURITY.md", *sorted((ROOT / "docs").glob("*.md"))]


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(page: Path) -> List[str]:
    lines = page.read_text(encoding="utf-8").splitlines()
    return [_anchor(line.lstrip("#")) for line in lines if line.startswith("#")]


def _links() -> List[Tuple[Path, str]]:
    found = []
    for page in _pages():
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if not target.startswith(("http://", "https://", "mailto:")):
                found.append((page, target))
    return found


def test_every_relative_link_names_a_file_and_heading_that_exist() -> None:
    links = _links()
    assert len(links) >= 8  # the front page links each reader's page
    dead = []
    for page, target in links:
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists() or (anchor and anchor not in _anchors(linked)):
            dead.append(f"{page.relative_to(ROOT)} -> {target}")
    assert dead == []


def test_the_front_page_is_short_and_names_each_readers_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 120
    for page in ("publishing", "reviewers", "tds", "server", "verified", "architecture"):
        assert f"docs/{page}.md" in readme
