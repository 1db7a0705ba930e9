"""``docs/architecture.md`` names only what exists: the rule hooks, the rules, the server's rooms
and their modules.

The page is read to learn the code; it drifted once (three hooks where there were four, a rule
left out). Every name it gives is parsed from the page and looked up in the code, so a renamed
module or a new hook fails here until the page says so too.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Dict, List, Set

import ft_dcc.server
from ft_dcc.server import rules
from ft_dcc.server.rules.registry import Rule

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
SERVER = Path(ft_dcc.server.__file__).parent
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
#: a backticked module or folder path: ``review/page/page.py``, ``api/``, ``files/encode.py``
PATH = re.compile(r"`([\w/]+(?:\.py|/))`")


def _text() -> str:
    return DOC.read_text(encoding="utf-8")


def _registry_paragraph() -> str:
    text = _text()
    start = text.index("**The rule registry**")
    return text[start : text.index("\n\n", start)]


def _server_section() -> str:
    text = _text()
    start = text.index("### 4. Embedded server")
    return text[start : text.index("\n### ", start + 1)]


def _table_rows(section: str) -> Dict[str, List[str]]:
    """Each row of a section's rooms table: its rooms (first column) -> the names in the rest
    (a ``|`` inside a name, ``list|flush``, splits a row into more cells)."""
    rows: Dict[str, List[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        rows[cells[0]] = re.findall(r"`([^`]+)`", "|".join(cells[1:]))
    return rows


def _room_rows() -> Dict[str, List[str]]:
    return _table_rows(_server_section())


def _hook_names() -> Set[str]:
    return {
        name
        for name, member in vars(Rule).items()
        if inspect.isfunction(member) and not name.startswith("_")
    }


def test_the_page_names_every_rule_hook_and_counts_them() -> None:
    paragraph = _registry_paragraph()
    named = set(re.findall(r"`(\w+)\(batch", paragraph))
    assert named == _hook_names()
    count = re.search(r"up to (\w+) hooks", paragraph)
    assert count is not None and NUMBERS[count.group(1)] == len(_hook_names())


def test_every_rule_named_exists_and_every_registered_rule_is_named() -> None:
    named = set(re.findall(r"`(\w+Rule)\b", _text()))
    registered = {type(rule).__name__ for rule in rules.default_rules()}
    known = {name for name, value in vars(rules).items() if isinstance(value, type)}
    assert named - known - {"Rule"} == set()
    assert registered - named == set()


def test_every_room_in_the_table_exists_with_the_modules_it_names() -> None:
    rows = _room_rows()
    assert len(rows) >= 10  # the table is still there and still parsed
    missing = []
    for rooms_cell, names in rows.items():
        rooms = [SERVER / name for name in re.findall(r"`([^`]+)`", rooms_cell)]
        missing += [str(room) for room in rooms if not room.exists()]
        folders = [room for room in rooms if room.is_dir()] or [SERVER]
        for name in names:
            if re.fullmatch(r"[\w/]+\.py", name) and not any(
                (folder / name).exists() or (SERVER / name).exists() for folder in folders
            ):
                missing.append(f"{rooms_cell}: {name}")
    assert missing == []


def test_every_server_module_path_in_the_server_section_exists() -> None:
    rooms = {path.name for path in SERVER.iterdir() if path.is_dir()}
    paths = [
        path
        for path in PATH.findall(_server_section())
        if "/" in path.rstrip("/") and path.split("/")[0] in rooms
    ]
    assert len(paths) >= 20
    assert [path for path in paths if not (SERVER / path).exists()] == []


def test_the_diagram_names_every_client_room() -> None:
    diagram = _text().split("```")[1]
    rooms = [
        path.name
        for path in (ROOT / "ft_dcc").iterdir()
        if path.is_dir() and (path / "__init__.py").exists()
    ]
    assert [room for room in rooms if f"ft_dcc.{room}" not in diagram] == []


PUBLISH = ROOT / "ft_dcc" / "publish"


def _publish_section() -> str:
    text = _text()
    start = text.index("### 2. Pipeline (`ft_dcc/publish/`)")
    return text[start : text.index("\n### ", start + 1)]


def test_the_publish_table_names_every_room_and_only_modules_that_exist() -> None:
    rows = _table_rows(_publish_section())
    named = [name.rstrip("/") for cell in rows for name in re.findall(r"`([^`]+)`", cell)]
    rooms = {p.name for p in PUBLISH.iterdir() if (p / "__init__.py").is_file()}
    modules = {p.name for p in PUBLISH.glob("*.py") if p.name != "__init__.py"}
    assert sorted(rooms | modules) == sorted(named)
    missing = []
    for cell, names in rows.items():
        folders = [PUBLISH / n.rstrip("/") for n in re.findall(r"`([^`]+/)`", cell)]
        for name in names:
            file = name.split(":")[0]
            if re.fullmatch(r"[\w/]+\.py", file) and not any(
                (folder / file).exists() for folder in [*folders, PUBLISH]
            ):
                missing.append(f"{cell}: {name}")
    assert missing == []


def test_every_publish_module_path_in_the_pipeline_section_exists() -> None:
    rooms = {p.name for p in PUBLISH.iterdir() if p.is_dir()}
    paths = [
        path.split(":")[0]
        for path in re.findall(r"`([\w/]+\.py)(?::\w+)?`", _publish_section())
        if "/" in path and path.split("/")[0] in rooms
    ]
    assert len(paths) >= 15
    assert [path for path in paths if not (PUBLISH / path).exists()] == []
