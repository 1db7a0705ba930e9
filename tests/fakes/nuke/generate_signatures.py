"""Regenerate ``nuke/stub_signatures.json``: the exact signatures of the ``nuke`` calls the fake
models, read from the **types-nuke 13.2.8.0** stubs (MIT, LumaPictures/cg-stubs; see NOTICE.md).

The stubs are parsed with :mod:`ast` (never imported). Each entry lists its overloads; each
overload lists its parameters as ``[name, kind, has_default]``::

    python tests/fakes/nuke/generate_signatures.py            # rewrite the snapshot
    python tests/fakes/nuke/generate_signatures.py --check    # exit 1 when it differs
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

STUBS_VERSION = "13.2.8.0"
SNAPSHOT = Path(__file__).resolve().parent / "nuke" / "stub_signatures.json"

#: module functions the adapter (hosts/nuke) or the fake's own tests call
FUNCTIONS = (
    "activeViewer",
    "addAfterFrameRender",
    "addAfterRender",
    "addBeforeFrameRender",
    "addBeforeRender",
    "addFormat",
    "addOnCreate",
    "allNodes",
    "ask",
    "createNode",
    "delete",
    "execute",
    "executeInMainThread",
    "executeInMainThreadWithResult",
    "filename",
    "frame",
    "menu",
    "message",
    "removeAfterFrameRender",
    "removeAfterRender",
    "removeBeforeRender",
    "removeOnCreate",
    "root",
    "scriptName",
    "scriptOpen",
    "scriptSave",
    "scriptSaveAs",
    "selectedNode",
    "selectedNodes",
    "thisClass",
    "thisNode",
    "toNode",
)

#: class methods, "Class.method"
METHODS = (
    "Node.Class",
    "Node.addKnob",
    "Node.input",
    "Node.inputs",
    "Node.knob",
    "Node.knobs",
    "Node.format",
    "Node.width",
    "Node.height",
    "Node.name",
    "Node.setInput",
    "Node.setName",
    "Node.setSelected",
    "Node.isSelected",
    "Node.__getitem__",
    "Knob.name",
    "Knob.setValue",
    "Knob.value",
    "Knob.getValue",
    "Knob.setTooltip",
    "Boolean_Knob.setValue",
    "Boolean_Knob.value",
    "Root.modified",
    "Root.setModified",
    "Format.width",
    "Format.height",
    "Format.name",
    "Format.pixelAspect",
    "Menu.addCommand",
    "Menu.addMenu",
    "Menu.findItem",
    "Menu.menu",
    "Menu.removeItem",
    "MenuItem.invoke",
    "MenuItem.name",
    "ProgressTask.setMessage",
    "ProgressTask.setProgress",
    "ProgressTask.isCancelled",
    "ViewerWindow.activeInput",
    "ViewerWindow.activateInput",
    "ViewerWindow.node",
)


def stubs_dir() -> Optional[Path]:
    """The installed ``nuke-stubs`` folder, or None when types-nuke is not installed."""
    spec = importlib.util.find_spec("nuke-stubs")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _parameters(node: ast.FunctionDef) -> List[List[Any]]:
    args = node.args
    params: List[List[Any]] = []
    positional = args.posonlyargs + args.args
    first_default = len(positional) - len(args.defaults)
    for index, arg in enumerate(positional):
        kind = "POSITIONAL_ONLY" if arg in args.posonlyargs else "POSITIONAL_OR_KEYWORD"
        params.append([arg.arg, kind, index >= first_default])
    if args.vararg:
        params.append([args.vararg.arg, "VAR_POSITIONAL", False])
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        params.append([arg.arg, "KEYWORD_ONLY", default is not None])
    if args.kwarg:
        params.append([args.kwarg.arg, "VAR_KEYWORD", False])
    return params


def _functions(body: List[ast.stmt]) -> Dict[str, List[List[List[Any]]]]:
    found: Dict[str, List[List[List[Any]]]] = {}
    for node in body:
        if isinstance(node, ast.FunctionDef):
            found.setdefault(node.name, []).append(_parameters(node))
    return found


def read_stubs(folder: Path) -> Dict[str, Any]:
    """``{"functions": {...}, "methods": {...}}`` for the names above."""
    module_functions: Dict[str, List[List[List[Any]]]] = {}
    classes: Dict[str, Dict[str, List[List[List[Any]]]]] = {}
    for stub in sorted(folder.glob("*.pyi")):
        tree = ast.parse(stub.read_text(encoding="utf-8"))
        for name, overloads in _functions(tree.body).items():
            module_functions.setdefault(name, []).extend(overloads)
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, {}).update(_functions(node.body))
    missing = [name for name in FUNCTIONS if name not in module_functions]
    functions = {name: module_functions[name] for name in FUNCTIONS if name in module_functions}
    methods: Dict[str, Any] = {}
    for dotted in METHODS:
        cls, method = dotted.split(".")
        # a method a class does not define itself is inherited (Root -> Group -> Node)
        chain = {"Root": ["Root", "Group", "Node"], "Boolean_Knob": ["Boolean_Knob", "Knob"]}
        for owner in chain.get(cls, [cls]):
            if method in classes.get(owner, {}):
                methods[dotted] = classes[owner][method]
                break
        else:
            missing.append(dotted)
    if missing:
        raise SystemExit(f"not in the stubs: {', '.join(missing)}")
    return {
        "source": f"types-nuke {STUBS_VERSION} (MIT, github.com/LumaPictures/cg-stubs)",
        "functions": functions,
        "methods": methods,
    }


def main(argv: List[str]) -> int:
    folder = stubs_dir()
    if folder is None:
        print("types-nuke is not installed (pip install types-nuke==" + STUBS_VERSION + ")")
        return 2
    data = read_stubs(folder)
    text = json.dumps(data, indent=1, sort_keys=True) + "\n"
    if "--check" in argv:
        same = SNAPSHOT.read_text(encoding="utf-8") == text
        print("snapshot is up to date" if same else f"{SNAPSHOT} differs from the stubs")
        return 0 if same else 1
    SNAPSHOT.write_text(text, encoding="utf-8")
    print(f"wrote {SNAPSHOT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
