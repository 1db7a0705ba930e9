"""A generated table kept in a document between two markers (SECURITY.md's rights and identity
tables, the reviewer docs' who-sees-what table): the code is the source, a test holds the
document to it, and the module's ``__main__`` rewrites it."""

from __future__ import annotations

from pathlib import Path
from typing import List


def write_between(path: Path, start_marker: str, end_marker: str, lines: List[str]) -> bool:
    """Put ``lines`` between the markers of ``path`` (only there); whether it changed."""
    text = path.read_text(encoding="utf-8")
    start = text.index(start_marker) + len(start_marker)
    end = text.index(end_marker)
    new = text[:start] + "\n" + "\n".join(lines) + "\n" + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text
