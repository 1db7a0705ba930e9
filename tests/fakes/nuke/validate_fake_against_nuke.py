"""Diff the fake ``nuke`` against a REAL Nuke. Run it where Nuke is licensed::

    nuke -t tests/fakes/nuke/validate_fake_against_nuke.py

It prints, as JSON, every difference between the fake's knob tables / error types and what this
Nuke does (knobs per ``file_type``, root knobs, the exception of a missing knob, of a bogus
constructor knob, of a float frame, of a render without input or into a missing folder, of a
render started inside a render, of ``scriptName()`` when untitled, of ``menu()`` under -t), and
exits 1 when there is one. The fake's tables are loaded from this folder without running the
fake (so the real ``nuke`` stays the one imported). Under the fake's own ``nuke -t`` stand-in it
must report no difference (tests/nuke/test_fake_nuke.py runs it so).
"""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
import types
from pathlib import Path
from typing import Any, Callable, Dict, List

HERE = Path(__file__).resolve().parent


def fake_tables() -> Any:
    package = types.ModuleType("fake_nuke_tables")
    package.__path__ = [str(HERE / "nuke")]  # type: ignore[attr-defined]
    sys.modules["fake_nuke_tables"] = package
    return importlib.import_module("fake_nuke_tables._knobs")


def error_of(action: Callable[[], Any]) -> str:
    try:
        action()
    except Exception as exc:
        return type(exc).__name__
    return "no error"


def main() -> int:
    import nuke

    tables = fake_tables()
    differences: List[Dict[str, Any]] = []

    def expect(what: str, fake: Any, real: Any) -> None:
        if fake != real:
            differences.append({"what": what, "fake": fake, "nuke": real})

    base = {name for name, _k, _d in tables.WRITE_KNOBS}
    for file_type, specs in sorted(tables.FILE_TYPE_KNOBS.items()):
        write = nuke.nodes.Write()
        write["file_type"].setValue(file_type)
        real = set(write.knobs())
        expect(f"Write knobs missing in Nuke ({file_type})", [], sorted(base - real))
        wanted = {name for name, _k, _d in specs}
        expect(f"{file_type}-only knobs missing in Nuke", [], sorted(wanted - real))
        nuke.delete(write)
    for name, _k, _d in tables.ROOT_KNOBS:
        expect(f"root knob {name}", True, nuke.root().knob(name) is not None)
    expect("type of root first_frame", "float", type(nuke.root()["first_frame"].value()).__name__)

    with tempfile.TemporaryDirectory() as tmp:
        source = nuke.nodes.Constant()
        write = nuke.nodes.Write(file=f"{tmp}/x.####.png")
        expect("node['bogus']", "NameError", error_of(lambda: write["bogus"]))
        expect("node.knob('bogus')", "None", repr(write.knob("bogus")))
        expect(
            "nuke.nodes.Write(bogus=1)", "NameError", error_of(lambda: nuke.nodes.Write(bogus=1))
        )
        expect("execute without input", "RuntimeError", error_of(lambda: nuke.execute(write, 1, 1)))
        write.setInput(0, source)
        expect(
            "execute(float frames)", "TypeError", error_of(lambda: nuke.execute(write, 1.0, 2.0))
        )
        write["file"].setValue(f"{tmp}/missing/x.####.png")
        expect(
            "execute into a missing folder",
            "RuntimeError",
            error_of(lambda: nuke.execute(write, 1, 1)),
        )
        write["file"].setValue(f"{tmp}/x.####.png")

        def nested() -> None:
            nuke.execute(nuke.thisNode(), 1, 1)

        nuke.addAfterRender(nested, nodeClass="Write")
        expect(
            "execute inside afterRender",
            "RuntimeError",
            error_of(lambda: nuke.execute(write, 1, 1)),
        )
        nuke.removeAfterRender(nested, nodeClass="Write")
    if not nuke.root()["name"].value():
        expect("scriptName() untitled", "RuntimeError", error_of(nuke.scriptName))
    if not nuke.GUI:
        expect("menu('Nodes') under -t", "RuntimeError", error_of(lambda: nuke.menu("Nodes")))
    print(json.dumps({"differences": differences}, indent=1))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
