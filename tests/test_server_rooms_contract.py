"""Every room of the server, and every sub-room of its review room, has its floor in a ``layers``
contract of ``pyproject.toml``, and each review sub-room says its job in one line.

``lint-imports`` already refuses an exhaustive contract that leaves a module out; this test says
the same thing where the tests run, names the folder to place, and also catches a name the
contract still lists for a folder that is gone.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any, Dict, List, Set

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
#: container -> its folder
ROOMS = {
    "ft_dcc.server": ROOT / "ft_dcc" / "server",
    "ft_dcc.server.review": ROOT / "ft_dcc" / "server" / "review",
}


def _layers_contract(container: str) -> Dict[str, Any]:
    with open(ROOT / "pyproject.toml", "rb") as source:
        contracts = tomllib.load(source)["tool"]["importlinter"]["contracts"]
    found = [c for c in contracts if c["type"] == "layers" and c.get("containers") == [container]]
    assert len(found) == 1, f"one layers contract of {container}, found {len(found)}"
    return found[0]


def _named(contract: Dict[str, Any]) -> Set[str]:
    names = {name.strip() for layer in contract["layers"] for name in re.split(r"[|:]", layer)}
    return names | set(contract.get("exhaustive_ignores", []))


def _children(folder: Path) -> Set[str]:
    """The modules and packages directly in ``folder`` (what a layers contract places)."""
    modules = {p.stem for p in folder.glob("*.py") if p.name != "__init__.py"}
    packages = {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
    return modules | packages


def unplaced(folder: Path, contract: Dict[str, Any]) -> List[str]:
    """The rooms of ``folder`` that ``contract`` does not name."""
    return sorted(_children(folder) - _named(contract))


def stale(folder: Path, contract: Dict[str, Any]) -> List[str]:
    """The names ``contract`` gives that are no room of ``folder``."""
    return sorted(_named(contract) - _children(folder))


@pytest.mark.parametrize("container", sorted(ROOMS))
def test_every_room_has_its_floor_in_an_exhaustive_contract(container: str) -> None:
    contract = _layers_contract(container)
    assert contract.get("exhaustive") is True
    assert unplaced(ROOMS[container], contract) == [], f"give these a floor in {container}'s layers"
    assert stale(ROOMS[container], contract) == []


def test_a_new_folder_is_reported_until_the_contract_places_it(tmp_path: Path) -> None:
    for name in ("routes.py", "page/__init__.py", "reads/__init__.py", "web/__init__.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    contract = {"layers": ["routes", "page"], "exhaustive_ignores": ["web"]}
    assert unplaced(tmp_path, contract) == ["reads"]
    contract["layers"].append("reads | gone")
    assert unplaced(tmp_path, contract) == [] and stale(tmp_path, contract) == ["gone"]


def test_each_review_sub_room_says_its_job_in_one_line() -> None:
    review = ROOMS["ft_dcc.server.review"]
    sub_rooms = sorted(p for p in review.iterdir() if (p / "__init__.py").is_file())
    assert len(sub_rooms) >= 9
    unsaid = []
    for room in sub_rooms:
        if room.name == "web":  # the page's scripts and styles: no Python
            continue
        doc = ast.get_docstring(ast.parse((room / "__init__.py").read_text(encoding="utf-8")))
        if not doc or "\n" in doc.strip():
            unsaid.append(room.name)
    assert unsaid == []
