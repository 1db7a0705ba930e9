"""The server's modules stay small enough to read: none over :data:`MOST_LINES` lines.

A module over the line is split by job (the event hub became ``connection``, ``hub_keeper``,
``packets``, ``tickets`` and ``update_event``); :data:`STILL_TOO_BIG` names the ones not split
yet, each with its size then, and fails once it is split so the list only shrinks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict

ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "ft_dcc" / "server"
MOST_LINES = 600
#: module -> its size when it was listed (not to grow)
STILL_TOO_BIG: Dict[str, int] = {
}


def _lines(path: Path) -> int:
    with open(path, encoding="utf-8") as source:
        return sum(1 for _ in source)


def test_no_server_module_is_over_the_line() -> None:
    sizes = {p.relative_to(SERVER).as_posix(): _lines(p) for p in SERVER.rglob("*.py")}
    over = {name: size for name, size in sizes.items()
            if size > STILL_TOO_BIG.get(name, MOST_LINES)}  # fmt: skip
    assert not over, f"split these into modules of one job each (at most {MOST_LINES}): {over}"


def test_the_list_of_modules_still_too_big_only_shrinks() -> None:
    split = [name for name in STILL_TOO_BIG
             if not (SERVER / name).is_file() or _lines(SERVER / name) <= MOST_LINES]  # fmt: skip
    assert not split, f"take these off STILL_TOO_BIG, they are split: {split}"
