"""Text over as many lines as the narrow sidebar needs: shared by the task picker and the
publish preview (neither imports the other)."""

from __future__ import annotations

import textwrap

#: characters a line in the sidebar
WRAP = 26


def wrapped(layout, text: str, icon: str = "NONE", width: int = WRAP) -> None:
    """``text`` over as many lines as the narrow sidebar needs (the first with ``icon``);
    ``width`` characters a line (less inside a box)."""
    rest = "BLANK1" if icon != "NONE" else "NONE"  # later lines line up with the first's text
    for number, line in enumerate(textwrap.wrap(text, width) or [""]):
        layout.label(text=line, icon=icon if number == 0 else rest)
