"""Every room of the publish (``ft_dcc/publish``) has its floor in the exhaustive ``layers``
contract of ``pyproject.toml``, and each sub-room says its job in one line.

``lint-imports`` refuses a module the contract leaves out; this test says so where the tests run,
names the folder to place, and catches a name the contract still lists for a room that is gone
(the helpers are the server's rooms test's).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import List

from test_server_rooms_contract import ROOT, _layers_contract, stale, unplaced

PUBLISH = ROOT / "ft_dcc" / "publish"
#: the pyblish plugin folder: pyblish loads its files by path, its docstring says how
PLUGINS = "plugins"


def _sub_rooms() -> List[Path]:
    return sorted(p for p in PUBLISH.iterdir() if (p / "__init__.py").is_file())


def test_every_publish_room_has_its_floor_in_an_exhaustive_contract() -> None:
    contract = _layers_contract("ft_dcc.publish")
    assert contract.get("exhaustive") is True
    assert unplaced(PUBLISH, contract) == [], "give these a floor in ft_dcc.publish's layers"
    assert stale(PUBLISH, contract) == []


def test_the_plugins_are_on_top_and_the_host_port_is_the_floor() -> None:
    layers = _layers_contract("ft_dcc.publish")["layers"]
    assert PLUGINS in [name.strip() for name in layers[0].split("|")]
    assert layers[-1] == "host_port"


def test_each_publish_sub_room_says_its_job_in_one_line() -> None:
    rooms = [room for room in _sub_rooms() if room.name != PLUGINS]
    assert len(rooms) >= 8
    unsaid = []
    for room in rooms:
        doc = ast.get_docstring(ast.parse((room / "__init__.py").read_text(encoding="utf-8")))
        if not doc or "\n" in doc.strip():
            unsaid.append(room.name)
    assert unsaid == []


def test_a_new_publish_folder_is_reported_until_the_contract_places_it(tmp_path: Path) -> None:
    for name in ("api.py", "common/__init__.py", "drafts/__init__.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    contract = {"layers": ["api", "common"]}
    assert unplaced(tmp_path, contract) == ["drafts"]


def test_the_public_names_stay_where_hosts_and_scripts_import_them() -> None:
    """The rooms moved modules, not the public names: ``ft_dcc.publish``'s own, the port hosts
    implement, the one call, and the commands the CLI dispatches to by module path."""
    import importlib

    import ft_dcc.publish as package

    assert [name for name in package.__all__ if getattr(package, name, None) is None] == []
    for module, names in {
        "ft_dcc.publish.host_port": ("Host", "CaptureSpec", "CaptureResult", "to_fraction"),
        "ft_dcc.publish.api": ("publish", "run_publish"),
        "ft_dcc.publish.commands": ("COMMANDS",),
        "ft_dcc.publish.context_commands": ("COMMANDS",),
    }.items():
        loaded = importlib.import_module(module)
        assert [name for name in names if not hasattr(loaded, name)] == [], module
    assert (package.PLUGIN_DIR / "integrate_review.py").is_file()
