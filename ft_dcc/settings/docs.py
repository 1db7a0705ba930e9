"""docs/settings.md's table of keys, made from the declarations (a test keeps them equal)."""

from __future__ import annotations

import json
from typing import List

from ft_dcc.settings.keys import KEYS

BEGIN = "<!-- keys: made by python -m ft_dcc.settings.docs; do not edit by hand -->"
END = "<!-- end of keys -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def keys_table() -> str:
    rows: List[str] = [
        BEGIN,
        "| key | type | default | meaning | read by |",
        "|---|---|---|---|---|",
    ]
    for key in KEYS:
        default = json.dumps(key.default)
        rows.append(
            f"| `{key.name}` | {_cell(key.kind.name)} | `{_cell(default)}` | "
            f"{_cell(key.meaning)} | {_cell(key.used_by)} |"
        )
    rows.append(END)
    return "\n".join(rows)


def with_table(text: str) -> str:
    """``text`` (docs/settings.md) with its keys table replaced by the current one."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + keys_table() + tail


if __name__ == "__main__":
    import sys
    from pathlib import Path

    path = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/settings.md")
    path.write_text(with_table(path.read_text(encoding="utf-8")), encoding="utf-8")
