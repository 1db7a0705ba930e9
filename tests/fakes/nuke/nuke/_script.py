"""Saving and opening scripts in the fake. The file is JSON (a fake's own format, not a real .nk):
nodes in creation order with every knob value, user knobs (class, label) and input names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

from . import _graph, _knobs, _state

HEADER = "# fake nuke script (tests/fakes/nuke): JSON, not a real .nk\n"
KNOB_CLASSES = {
    cls._class: cls
    for cls in (
        _knobs.String_Knob,
        _knobs.EvalString_Knob,
        _knobs.File_Knob,
        _knobs.Multiline_Eval_String_Knob,
        _knobs.Boolean_Knob,
        _knobs.Int_Knob,
        _knobs.Double_Knob,
        _knobs.Tab_Knob,
        _knobs.Text_Knob,
        _knobs.PyScript_Knob,
    )
}


def _value(knob: _knobs.Knob) -> Any:
    value = knob._value
    if isinstance(value, _knobs.Format):
        return {"format": [value.width(), value.height(), value.name(), value.pixelAspect()]}
    return value


def _node_data(node: _graph.Node, builtin: List[str]) -> Dict[str, Any]:
    knobs = {}
    user = []
    for name, knob in node._knobs.items():
        if name in builtin:
            knobs[name] = _value(knob)
        else:
            user.append([name, knob.Class(), knob.label(), _value(knob)])
    inputs = [n._knobs["name"]._value if n is not None and n._alive else None for n in node._inputs]
    return {"class": node._class, "knobs": knobs, "user_knobs": user, "inputs": inputs}


def save(path: Path) -> None:
    state = _state.state
    root_names = [name for name, _k, _d in _knobs.ROOT_KNOBS]
    nodes = []
    for node in state.live_nodes():
        specs = _knobs.COMMON_KNOBS + _knobs.NODE_CLASSES[node._class][0]
        builtin = [name for name, _k, _d in specs]
        builtin += [n for specs in _knobs.FILE_TYPE_KNOBS.values() for n, _k, _d in specs]
        nodes.append(_node_data(node, builtin))
    data = {"root": _node_data(state.root, root_names), "nodes": nodes}
    path.write_text(HEADER + json.dumps(data, indent=1), encoding="utf-8")


def _restore(knob: _knobs.Knob, value: Any) -> None:
    if isinstance(value, dict) and "format" in value:
        value = _knobs.Format(*value["format"])
    knob._value = value


def _apply(node: _graph.Node, data: Dict[str, Any]) -> None:
    for name, value in data["knobs"].items():
        if name == "file_type":
            node._knobs[name]._value = value
            node._sync_file_type_knobs()
    for name, value in data["knobs"].items():
        if name in node._knobs:
            _restore(node._knobs[name], value)
    for name, cls, label, value in data["user_knobs"]:
        knob = KNOB_CLASSES[cls](name, label)
        _restore(knob, value)
        node._attach(knob)


def load(path: Path) -> None:
    """Replace the session's script with ``path``; onCreate runs for every node, as in Nuke."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith(HEADER):
        raise RuntimeError(f"{path}: not a script this fake can read")
    data = json.loads(text[len(HEADER) :])
    state = _state.state
    state.nodes = []
    state.root = _graph.Root()
    _apply(state.root, data["root"])
    created = []
    for entry in data["nodes"]:
        node = _graph.Node(entry["class"])
        _apply(node, entry)
        state.nodes.append(node)
        created.append((node, entry["inputs"]))
    for node, inputs in created:
        node._inputs = [_graph.find(name) if name else None for name in inputs]
    state.script_path = str(path)
    state.root._knobs["name"]._value = str(path)
    for node, _inputs in created:
        _graph.run_callbacks("onCreate", node)
    state.modified = False
